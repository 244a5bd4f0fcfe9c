"""The snapshot writer: a unit of work is committed whole or not at all, and the ADBC fast path
stores exactly what the SQLAlchemy one stores."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import inspect

from doisoat import store
from doisoat.model import STUDENT_COLUMNS
from doisoat.store.writer import SqliteBulkWriter, StoreWriter, open_writer

NIGHT = dt.date(2026, 6, 10)


@pytest.fixture(params=["sqlalchemy", "adbc"])
def bulk(request, engine) -> bool:
    """Whether the test writes through the ADBC fast path. The store is read back only once
    the writer is closed: two SQLite libraries must never hold one file open at once."""
    if request.param == "adbc" and engine.dialect.name != "sqlite":
        pytest.skip("the ADBC fast path is for SQLite files only")
    return request.param == "adbc"


def _students(snapshot_id: int, local_ids: list[str], name: str = "Nguyễn Văn An",
              school: str = "79000001") -> pl.DataFrame:
    rows = [{c: None for c in STUDENT_COLUMNS} | {
        "record_id": f"smas:{snapshot_id}:{local}", "source": "smas",
        "snapshot_id": snapshot_id, "school_code": school, "local_id": local,
        "full_name": name, "family_name": "Nguyễn", "middle_name": "Văn", "given_name": "An",
        "dob": dt.date(2012, 3, 4), "school_year": "2025-2026", "grade": 9,
        "status": "studying", "src_row": i} for i, local in enumerate(local_ids, start=1)]
    return pl.DataFrame(rows, schema_overrides={"dob": pl.Date, "status_date": pl.Date})


def _open(out, school="79000001", digest="abc"):
    return out.open_snapshot(source="smas", school_code=school, night=NIGHT,
                             origin="test", content_hash=digest)


def test_the_writer_is_chosen_in_the_store(bulk, engine):
    with open_writer(engine, bulk=bulk) as writer:
        assert isinstance(writer, SqliteBulkWriter if bulk else StoreWriter)


def test_a_unit_commits_snapshot_rows_counts_and_cursor_together(bulk, engine):
    with open_writer(engine, bulk=bulk) as writer:
        with writer.transaction() as out:
            snapshot_id = _open(out)
            assert out.insert("student_record", _students(snapshot_id, ["HS0001", "HS0002"])) \
                == 2
            out.set_counts(snapshot_id, rows_read=3, rows_quarantined=1, loaded=True)
            out.save_cursor("smas", "students", {"since": "2026-06-01T08:00:00"})
        assert writer.already_imported("abc") and not writer.already_imported("other")
        assert writer.cursor("smas", "students") == {"since": "2026-06-01T08:00:00"}
        assert writer.cursor("smas", "other") == {}
    snapshot = store.read_table(engine, "source_snapshot").row(0, named=True)
    assert (snapshot["status"], snapshot["rows_read"], snapshot["rows_accepted"],
            snapshot["rows_quarantined"], snapshot["night"]) == ("loaded", 3, 2, 1, NIGHT)
    assert snapshot["taken_at"].tzinfo is not None
    records = store.read_table(engine, "student_record").sort("local_id")
    assert records["dob"].to_list() == [dt.date(2012, 3, 4)] * 2
    assert records["full_name"].to_list() == ["Nguyễn Văn An"] * 2


def test_a_failed_unit_leaves_nothing(bulk, engine):
    with open_writer(engine, bulk=bulk) as writer:
        with pytest.raises(RuntimeError), writer.transaction() as out:
            snapshot_id = _open(out)
            out.insert("student_record", _students(snapshot_id, ["HS0001"]))
            out.save_cursor("smas", "students", {"since": "x"})
            raise RuntimeError("crash half-way")
        assert writer.cursor("smas", "students") == {}
        assert not writer.already_imported("abc")
        with writer.transaction() as out:  # the writer goes on after a failed unit
            _open(out, digest="next")
    snapshots = store.read_table(engine, "source_snapshot")
    assert snapshots["content_hash"].to_list() == ["next"]
    assert store.read_table(engine, "student_record").height == 0


def test_replaced_records_keep_the_newer_answer(bulk, engine):
    with open_writer(engine, bulk=bulk) as writer:
        with writer.transaction() as out:
            snapshot_id = _open(out)
            out.replace_records(_students(snapshot_id, ["HS0001", "HS0002"]))
        with writer.transaction() as out:
            out.replace_records(_students(snapshot_id, ["HS0002"], name="Nguyễn Văn Bình"))
    records = store.read_table(engine, "student_record").sort("local_id")
    assert records["full_name"].to_list() == ["Nguyễn Văn An", "Nguyễn Văn Bình"]


def test_stored_students_are_the_loaded_ones_of_a_school(bulk, engine):
    with open_writer(engine, bulk=bulk) as writer:
        with writer.transaction() as out:
            loaded, other, filling = (_open(out, digest="a"), _open(out, "79000002", "b"),
                                      _open(out, digest="c"))
            out.insert("student_record", _students(loaded, ["HS0001"]))
            out.insert("student_record", _students(other, ["HS0002"], school="79000002"))
            out.insert("student_record", _students(filling, ["HS0003"]))
            out.set_counts(loaded, rows_read=1, rows_quarantined=0, loaded=True)
            out.set_counts(other, rows_read=1, rows_quarantined=0, loaded=True)
        with writer.transaction() as out:
            assert out.stored_students("smas", "79000001", NIGHT) == {
                "HS0001": f"smas:{loaded}:HS0001"}


def test_deferred_indexes_come_back_at_commit(bulk, engine):
    before = {i["name"] for i in inspect(engine).get_indexes("student_record")}
    assert before
    with open_writer(engine, bulk=bulk) as writer:
        with writer.transaction(defer_indexes=("student_record",)) as out:
            snapshot_id = _open(out)
            out.insert("student_record", _students(snapshot_id, ["HS0001", "HS0002"]))
    assert {i["name"] for i in inspect(engine).get_indexes("student_record")} == before
    assert store.read_table(engine, "student_record").height == 2


def test_bulk_falls_back_to_sqlalchemy_where_adbc_cannot_go(engine):
    memory = store.get_engine("sqlite://")
    with open_writer(memory, bulk=True) as in_memory:
        assert isinstance(in_memory, StoreWriter)
    with open_writer(engine, bulk=False) as plain:
        assert isinstance(plain, StoreWriter)
