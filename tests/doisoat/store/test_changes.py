"""An incremental snapshot completed from the school's last one; a refused pull taken back.

Through both writers (SQLAlchemy on every database, ADBC on a SQLite file), since a pull uses
the first and a batch may use the second.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from doisoat import store
from doisoat.store.writer import open_writer

NIGHT = dt.date(2026, 6, 10)


def _records(snapshot_id: int, local_ids: list[str], class_name: str) -> pl.DataFrame:
    n = len(local_ids)
    return pl.DataFrame({
        "record_id": [f"smas:{snapshot_id}:{i}" for i in local_ids], "source": ["smas"] * n,
        "snapshot_id": [snapshot_id] * n, "school_code": ["79000001"] * n,
        "local_id": local_ids, "family_name": [""] * n, "middle_name": [""] * n,
        "given_name": [""] * n, "full_name": ["Nguyễn Văn An"] * n,
        "school_year": ["2025-2026"] * n, "status": ["studying"] * n,
        "class_name": [class_name] * n})


def _grades(record_ids: list[str]) -> pl.DataFrame:
    n = len(record_ids)
    return pl.DataFrame({"record_id": record_ids, "school_year": ["2025-2026"] * n,
                         "term": ["1"] * n, "subject": ["toan"] * n,
                         "regular_scores": ["[8, 9]"] * n, "average": [8.5] * n})


def _open(out, night: dt.date, digest: str) -> int:
    return out.open_snapshot(source="smas", school_code="79000001", night=night, origin="t",
                             content_hash=digest)


@pytest.mark.parametrize("bulk", [False, True])
def test_a_change_set_keeps_every_student_and_their_grades(engine, bulk):
    if bulk and engine.dialect.name != "sqlite":
        pytest.skip("the ADBC writer is for SQLite files only")
    with open_writer(engine, bulk=bulk) as writer:
        with writer.transaction() as out:
            first = _open(out, NIGHT, "a")
            out.insert("student_record", _records(first, ["HS1", "HS2", "HS3"], "6A"))
            out.insert("subject_result", _grades([f"smas:{first}:HS{i}" for i in (1, 2, 3)]))
            out.set_counts(first, rows_read=3, rows_quarantined=0, loaded=True)
        with writer.transaction() as out:
            second = _open(out, NIGHT + dt.timedelta(days=1), "b")
            out.insert("student_record", _records(second, ["HS2", "HS4"], "9Z"))
            carried = out.carry_forward(second, source="smas", school_code="79000001",
                                        night=NIGHT + dt.timedelta(days=1))
        with writer.transaction() as out:
            refused = _open(out, NIGHT + dt.timedelta(days=2), "c")
            out.insert("student_record", _records(refused, ["HS9"], "7B"))
            out.discard_snapshots([refused, first])  # a loaded snapshot is never taken back
    assert carried == 2
    rows = store.read_table(engine, "student_record").filter(pl.col("snapshot_id") == second)
    got = dict(zip(rows["local_id"], rows["class_name"], strict=True))
    assert got == {"HS1": "6A", "HS2": "9Z", "HS3": "6A", "HS4": "9Z"}
    assert set(rows["record_id"]) == {f"smas:{second}:HS{i}" for i in (1, 2, 3, 4)}
    grades = store.read_table(engine, "subject_result")
    assert set(grades["record_id"]) >= {f"smas:{second}:HS{i}" for i in (1, 2, 3)}
    assert grades.height == 6  # three of the first snapshot, the same three carried
    snapshots = store.read_table(engine, "source_snapshot")
    assert sorted(snapshots["id"]) == sorted([first, second])
    assert store.read_table(engine, "student_record").filter(
        pl.col("local_id") == "HS9").height == 0


def test_the_first_snapshot_of_a_school_carries_nothing(engine):
    with open_writer(engine) as writer, writer.transaction() as out:
        only = _open(out, NIGHT, "a")
        out.insert("student_record", _records(only, ["HS1"], "6A"))
        assert out.carry_forward(only, source="smas", school_code="79000001", night=NIGHT) == 0
