"""The store: bulk loads round-trip exactly, and migrations build the schema the model declares."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from doisoat import store
from doisoat.model import STUDENT_COLUMNS, StudentRecord
from doisoat.store.writer import open_writer


def _records(n: int) -> pl.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {c: None for c in STUDENT_COLUMNS}
            | {
                "record_id": f"smas:1:HS{i:05d}",
                "source": "smas",
                "snapshot_id": 1,
                "school_code": "79000001",
                "local_id": f"HS{i:05d}",
                "moet_code": f"79{i:08d}" if i % 7 else None,
                "family_name": "Nguyễn",
                "middle_name": "Thị",
                "given_name": "Hà" if i % 2 else "Đức",
                "full_name": "Nguyễn Thị Hà" if i % 2 else "Nguyễn Thị Đức",
                "dob": dt.date(2012, 1 + i % 12, 1 + i % 28),
                "school_year": "2025-2026",
                "grade": 6 + i % 4,
                "status": "studying",
                "src_row": i + 5,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"dob": pl.Date, "status_date": pl.Date})


def test_bulk_insert_round_trips_every_value(engine):
    frame = _records(1_234)
    assert store.bulk_insert(engine, "student_record", frame) == 1_234
    back = store.read_table(engine, "student_record").sort("record_id")
    expected = frame.sort("record_id")
    for column in ("record_id", "moet_code", "given_name", "full_name", "dob", "grade", "src_row"):
        assert back[column].to_list() == expected[column].to_list(), column
    assert back["moet_code"].null_count() == expected["moet_code"].null_count()


def test_bulk_insert_is_all_or_nothing_inside_a_transaction(engine):
    frame = _records(10)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        with engine.begin() as conn:
            store.bulk_insert(engine, "student_record", frame, connection=conn)
            store.bulk_insert(engine, "student_record", frame, connection=conn)  # duplicate keys
    assert store.read_table(engine, "student_record").height == 0


def test_bulk_insert_stores_lists_as_json(engine):
    scores = pl.DataFrame(
        {
            "record_id": ["smas:1:HS1"],
            "school_year": ["2025-2026"],
            "term": ["1"],
            "subject": ["toan"],
            "regular_scores": [[7.5, 8.0, 9.0]],
            "midterm": [8.0],
            "final": [7.5],
            "average": [7.9],
        }
    )
    store.bulk_insert(engine, "subject_result", scores)
    back = store.read_table(engine, "subject_result")
    assert back["regular_scores"].to_list() == ["[7.5, 8.0, 9.0]"]


def test_read_table_filters_with_parameters(engine):
    store.bulk_insert(engine, "student_record", _records(20))
    part = store.read_table(engine, "student_record", "grade = :g", {"g": 7})
    assert part.height == 5
    assert set(part["grade"].to_list()) == {7}


def test_orm_and_bulk_agree(engine):
    store.bulk_insert(engine, "student_record", _records(3))
    with Session(engine) as session:
        names = session.exec(
            select(StudentRecord.full_name).order_by(StudentRecord.record_id)
        ).all()
    assert names == ["Nguyễn Thị Đức", "Nguyễn Thị Hà", "Nguyễn Thị Đức"]


def _assert_matches_model(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"migrations and model disagree: {diff}"


def test_migrations_build_the_model_on_sqlite(tmp_path):
    engine = store.get_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    store.upgrade(engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    _assert_matches_model(engine)
    store.upgrade(engine)  # a second upgrade is a no-op
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version


def test_migrations_build_the_model_on_postgresql(pg_schema_url):
    url, schema = pg_schema_url
    engine = store.get_engine(url, schema=schema)
    store.upgrade(engine)
    _assert_matches_model(engine)
    assert "student_record" in inspect(engine).get_table_names(schema=schema)
    engine.dispose()


@pytest.mark.parametrize("bulk", [True, False], ids=["batch", "server"])
def test_the_writer_keeps_dates_times_and_nulls(engine, bulk):
    runs = pl.DataFrame(
        {
            "night": [dt.date(2026, 6, 10), dt.date(2026, 6, 11)],
            "started_at": [
                dt.datetime(2026, 6, 10, 23, 0, 5, 123456, tzinfo=dt.UTC),
                dt.datetime(2026, 6, 11, 23, 0, 0, tzinfo=dt.UTC),
            ],
            "finished_at": [None, dt.datetime(2026, 6, 12, 0, 1, tzinfo=dt.UTC)],
            "status": ["committed", "running"],
            "summary": ['{"a": 1}', ""],
        }
    )
    with open_writer(engine, bulk=bulk) as writer, writer.transaction() as unit:
        assert unit.insert("run", runs) == 2
    back = store.read_table(engine, "run").sort("night")
    assert back["night"].to_list() == runs["night"].to_list()
    assert back["started_at"].to_list() == runs["started_at"].to_list()
    assert back["finished_at"].to_list() == runs["finished_at"].to_list()
    assert back["summary"].to_list() == ['{"a": 1}', ""]  # empty text is not NULL


@pytest.mark.parametrize("bulk", [True, False], ids=["batch", "server"])
def test_the_writer_rolls_back_on_error(engine, bulk):
    with pytest.raises(RuntimeError), open_writer(engine, bulk=bulk) as writer:
        with writer.transaction() as unit:
            unit.insert("student_record", _records(5))
            raise RuntimeError("crash half-way")
    assert store.read_table(engine, "student_record").height == 0
