"""Bulk reads give exactly what row reads give, typed as the model says, on every backend."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal
from sqlmodel import Session

from doisoat import store
from doisoat.model import STUDENT_COLUMNS, ExpectationResult, Run
from doisoat.store.bulk_read import read_bulk, row_reads_only


def _records(n: int) -> pl.DataFrame:
    """The first 1,500 rows have no identity code: a reader that types a column by its first
    rows would call that column empty and choke on the codes that follow."""
    rows = [
        {c: None for c in STUDENT_COLUMNS}
        | {
            "record_id": f"vnedu:3:{i:06d}",
            "source": "vnedu",
            "snapshot_id": 3 + i % 2,
            "school_code": "79000002",
            "local_id": f"{i:06d}",
            "moet_code": f"79{i:08d}" if i >= 1_500 else None,
            "family_name": "Tôn Nữ",
            "middle_name": "",
            "given_name": "Ánh",
            "full_name": "Tôn Nữ Ánh",
            "dob": dt.date(2011, 1 + i % 12, 1 + i % 28) if i % 5 else None,
            "grade": 6 + i % 4 if i >= 2_000 else None,
            "school_year": "2025-2026",
            "status": "studying",
        }
        for i in range(3_000)
    ]
    return pl.DataFrame(
        rows, schema_overrides={"dob": pl.Date, "status_date": pl.Date}, infer_schema_length=None
    )


def test_bulk_read_equals_row_read_with_nulls_first_dates_and_filters(engine, caplog):
    store.bulk_insert(engine, "student_record", _records(3_000))
    assert_frame_equal(
        read_bulk(engine, "student_record"), store.read_table(engine, "student_record")
    )
    where, params = (
        "snapshot_id = :snap AND dob >= :since",
        {"snap": 4, "since": dt.date(2011, 6, 1)},
    )
    fast = read_bulk(engine, "student_record", where, params, columns=["record_id", "dob", "grade"])
    slow = store.read_table(
        engine, "student_record", where, params, columns=["record_id", "dob", "grade"]
    )
    assert fast.height > 0
    assert_frame_equal(fast.sort("record_id"), slow.sort("record_id"))
    assert fast.schema == {"record_id": pl.Utf8, "dob": pl.Date, "grade": pl.Int64}
    assert "fell back" not in caplog.text  # the columnar path itself read it


def test_bulk_read_types_times_and_booleans_like_row_reads(engine, caplog):
    at = dt.datetime(2026, 6, 10, 23, 15, 7, 123456, tzinfo=dt.UTC)
    with Session(engine) as session:
        session.add(Run(night=dt.date(2026, 6, 10), started_at=at, status="committed"))
        session.add(Run(night=dt.date(2026, 6, 11), started_at=at, finished_at=at))
        session.add(
            ExpectationResult(
                night=dt.date(2026, 6, 10), source="smas", expectation="x", critical=True,
                success=False,
            )
        )  # fmt: skip
        session.commit()
    for table in ("run", "quality_result"):
        fast, slow = read_bulk(engine, table), store.read_table(engine, table)
        assert_frame_equal(fast, slow)
    assert read_bulk(engine, "run")["started_at"].to_list()[0] == at
    assert read_bulk(engine, "quality_result")["critical"].to_list() == [True]
    assert "fell back" not in caplog.text


def test_an_empty_result_keeps_the_model_types(engine):
    empty = read_bulk(engine, "student_record", "1 = 0", columns=["record_id", "dob", "grade"])
    assert empty.height == 0
    assert empty.schema == {"record_id": pl.Utf8, "dob": pl.Date, "grade": pl.Int64}


def test_row_reads_only_gives_the_same_frame(engine):
    store.bulk_insert(engine, "student_record", _records(3_000))
    with row_reads_only():
        slow = read_bulk(engine, "student_record")
    assert_frame_equal(slow, read_bulk(engine, "student_record"))


def test_a_night_started_by_the_server_reads_rows_only(tmp_path, monkeypatch):
    """The server's request threads hold SQLite connections: its nights never open the file
    with the second (ADBC) library."""
    from doisoat.store import bulk_read
    from service.api.services import execute_run
    from simulate import generate
    from simulate.load import load_district

    engine = store.get_engine(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade(engine)
    district = generate(300, seed=5)
    load_district(engine, district)
    opened = []
    monkeypatch.setattr(bulk_read, "_sqlite_arrow", lambda *a, **k: opened.append(a) or None)
    monkeypatch.chdir(tmp_path)
    execute_run(engine, district.night, tmp_path / "reports")
    runs = store.read_table(engine, "run", columns=["status"])["status"].to_list()
    assert runs == ["committed"]
    assert opened == []
    read_bulk(engine, "student_record")
    assert len(opened) == 1  # outside the server, the columnar path is taken
