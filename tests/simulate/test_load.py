"""Loading a simulated district into the store: complete, idempotent, and the file stays sound."""

from __future__ import annotations

import polars as pl
from sqlalchemy import text

from doisoat import store
from doisoat.model import School
from simulate import generate
from simulate.load import load_district


def test_load_is_complete_and_idempotent(engine):
    district = generate(600, seed=5)
    first = load_district(engine, district)
    assert first.records == district.records.height
    assert first.subject_results == district.subject_results.height
    assert first.term_results == district.term_results.height
    stored = store.read_table(engine, "student_record")
    assert stored.height == district.records.height
    # record ids were re-keyed to the store's snapshot ids, and results follow them
    results = store.read_table(engine, "subject_result", columns=["record_id"])
    assert set(results["record_id"].unique()) <= set(stored["record_id"])
    again = load_district(engine, district)
    assert again.records == 0 and again.skipped_snapshots == district.snapshots.height
    assert store.read_table(engine, "student_record").height == district.records.height


def test_sqlite_file_stays_sound_when_the_store_is_used_after_a_bulk_load(sqlite_engine):
    district = generate(300, seed=6)
    with sqlite_engine.begin() as conn:  # a pooled connection exists before the load
        conn.execute(text("SELECT 1"))
    load_district(sqlite_engine, district)
    extra = pl.DataFrame(
        {
            "school_code": ["79999999"],
            "name": ["Trường THCS Thử"],
            "level": ["thcs"],
            "province_code": ["79"],
            "district": [""],
            "vendor": ["smas"],
        }
    )
    store.bulk_insert(sqlite_engine, School.__tablename__, extra)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        count = conn.execute(text("SELECT count(*) FROM student_record")).scalar_one()
        indexes = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))}
    assert count == district.records.height
    # the loader rebuilt the indexes it set aside for the load
    assert {"ix_subject_result_record_id", "ix_student_record_moet_code"} <= indexes
