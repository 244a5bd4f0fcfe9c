"""Migration 0002: a store created before the homeroom comment existed gains the column on
upgrade, keeps its term results, and stores comments afterwards."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, inspect, text

from doisoat import store

OLD_ROW = {
    "record_id": "smas:1:HS001",
    "school_year": "2024-2025",
    "term": "year",
    "academic": "T",
    "conduct": "T",
    "promotion": "promoted",
}
COMMENT = "Ngoan, chăm chỉ, có ý thức tự giác trong học tập."


def _upgrade_an_old_store(engine: Engine, schema: str | None = None) -> None:
    store.upgrade(engine, "0001")
    columns = {c["name"] for c in inspect(engine).get_columns("term_result", schema=schema)}
    assert "homeroom_comment" not in columns
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO term_result (record_id, school_year, term, academic, conduct, "
                "promotion) VALUES (:record_id, :school_year, :term, :academic, :conduct, "
                ":promotion)"
            ),
            OLD_ROW,
        )
    store.upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("term_result", schema=schema)}
    assert "homeroom_comment" in columns
    kept = store.read_table(engine, "term_result")
    assert kept.height == 1
    assert kept.row(0, named=True) | {"id": None} == OLD_ROW | {
        "id": None,
        "absent_excused": None,
        "absent_unexcused": None,
        "title": None,
        "homeroom_comment": None,
    }
    new = pl.DataFrame([{**OLD_ROW, "record_id": "smas:2:HS001", "homeroom_comment": COMMENT}])
    store.bulk_insert(engine, "term_result", new)
    stored = store.read_table(engine, "term_result", "record_id = :r", {"r": "smas:2:HS001"})
    assert stored["homeroom_comment"].to_list() == [COMMENT]


def test_upgrade_adds_the_comment_to_an_existing_sqlite_store(tmp_path):
    engine = store.get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade_an_old_store(engine)
    engine.dispose()


def test_upgrade_adds_the_comment_to_an_existing_postgresql_store(pg_schema_url):
    url, schema = pg_schema_url
    engine = store.get_engine(url, schema=schema)
    _upgrade_an_old_store(engine, schema)
    engine.dispose()
