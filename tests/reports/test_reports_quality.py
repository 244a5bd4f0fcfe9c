"""Data-quality suites: what a district officer sees when a school's export is broken."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
from night_factory import broken_students, students_frame
from sqlalchemy import text

from doisoat import store
from doisoat.errors import ConfigError
from doisoat.store import runs
from reports import (
    check_snapshots,
    exclusion_reasons,
    keep_out,
    load_suite,
    quality_rows,
    run_quality,
)
from reports.quality.suites import PACKAGE_SUITES, suite_from_dict
from reports.store_io import SNAPSHOT_READ


def _by_key(result) -> dict:
    return {
        (o.expectation, o.snapshot_id): (o.success, o.unexpected_count, o.element_count)
        for o in result.outcomes
    }


def test_every_shipped_suite_loads_and_marks_critical_checks():
    for path in sorted(PACKAGE_SUITES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        source = path.stem.split(".")[0]
        suite = suite_from_dict(data, source=source, table="any", path=path)
        assert suite.expectations, path.name
        assert any(e.critical for e in suite.expectations), path.name
        assert all(e.description_vi for e in suite.expectations)


def test_a_broken_school_is_kept_out_and_the_others_go_on():
    result = run_quality(broken_students(), "smas", evaluator="columnar")
    out = result.keep_out()
    assert (3, "79001") in out  # codes unreadable: critical
    assert (2, "79000") in out  # gender "X" is outside the enumeration: critical
    assert all(snapshot != 4 for snapshot, _ in out)  # the clean school stays in
    failed = {(o.expectation, o.school_code) for o in result.failures}
    assert ("expect_column_values_to_be_between(dob)", "79000") in failed
    assert ("expect_compound_columns_to_be_unique(school_code,moet_code)", "79000") in failed
    dob = next(
        o for o in result.failures if o.expectation.startswith("expect_column_values_to_be_between")
    )
    assert dob.unexpected_count == 1 and dob.examples == ("1980-05-05",)
    assert not dob.critical


def test_great_expectations_and_the_columnar_path_agree():
    frame = broken_students()
    gx = run_quality(frame, "smas", evaluator="gx")
    fast = run_quality(frame, "smas", evaluator="columnar")
    assert gx.evaluator == "gx" and fast.evaluator == "columnar"
    assert _by_key(gx) == _by_key(fast)
    assert gx.keep_out() == fast.keep_out()
    grades = pl.DataFrame(
        {
            "record_id": ["a", "a", "b", "c"],
            "school_year": ["2025-2026"] * 4,
            "term": ["1", "1", "2", "year"],
            "subject": ["toan", "toan", "van", "toan"],
            "midterm": [7.5, 11.0, 6.25, None],
            "final": [8.0, 8.0, 9.0, 5.0],
            "average": [7.8, 8.1, 7.0, 6.0],
            "rating": [None, None, "D", "X"],
            "snapshot_id": [2, 2, 2, 3],
            "school_code": ["79000"] * 3 + ["79001"],
        }
    )
    gx_g = run_quality(grades, "smas", table="subject_result", evaluator="gx")
    fast_g = run_quality(grades, "smas", table="subject_result", evaluator="columnar")
    assert _by_key(gx_g) == _by_key(fast_g)
    failed = {o.expectation for o in fast_g.failures}
    assert "expect_column_values_to_be_between(midterm)" in failed  # 11 is above 10
    assert "expect_column_values_to_be_in_set(midterm)" in failed  # 6.25 has two decimals
    assert "expect_compound_columns_to_be_unique(record_id,school_year,term,subject)" in failed


def test_a_missing_column_is_a_critical_failure():
    frame = students_frame(schools=1).drop("gender")
    result = run_quality(frame, "vnedu", evaluator="columnar")
    missing = [o for o in result.failures if o.missing_columns]
    assert any(o.type == "expect_table_columns_to_match_set" for o in missing)
    assert any("gender" in o.missing_columns for o in missing)
    assert result.keep_out() == [(2, "79000")]


def test_a_district_tunes_a_suite_with_its_own_file(tmp_path, monkeypatch):
    frame = broken_students().filter(pl.col("school_code") == "79000")
    assert run_quality(frame, "smas", evaluator="columnar").keep_out()  # gender X: critical
    tuned = json.loads((PACKAGE_SUITES / "smas.json").read_text(encoding="utf-8"))
    for item in tuned["expectations"]:
        if item["kwargs"].get("column") == "gender":
            item["severity"] = "warning"
    (tmp_path / "smas.json").write_text(json.dumps(tuned), encoding="utf-8")
    monkeypatch.setenv("DOISOAT_SUITES_DIR", str(tmp_path))
    result = run_quality(frame, "smas", evaluator="columnar")
    assert result.keep_out() == []
    assert any(o.expectation.endswith("(gender)") for o in result.failures)


def test_a_broken_suite_file_is_reported_in_vietnamese(tmp_path, monkeypatch):
    shutil.copy(PACKAGE_SUITES / "smas.json", tmp_path / "smas.json")
    data = json.loads((tmp_path / "smas.json").read_text(encoding="utf-8"))
    data["expectations"][0]["type"] = "expect_the_moon"
    (tmp_path / "smas.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("DOISOAT_SUITES_DIR", str(tmp_path))
    with pytest.raises(ConfigError) as info:
        load_suite("smas")
    assert "không hợp lệ" in info.value.message_vi
    assert "expect_the_moon" in info.value.message_vi


def test_quality_returns_verdicts_and_the_store_excludes_bad_snapshots(engine, district):
    from simulate.load import load_district

    load_district(engine, district)
    engine.dispose()  # see test_reports_store: pooled SQLite handles lose their locks to ADBC
    night = district.night
    snaps = store.read_table(engine, "source_snapshot", columns=SNAPSHOT_READ)
    victim = snaps.filter(pl.col("source") != "moet").sort("id").row(0, named=True)
    with engine.begin() as conn:  # the school's export lost its identity codes' digits
        conn.execute(
            text("UPDATE student_record SET moet_code = 'abc' WHERE snapshot_id = :id"),
            {"id": victim["id"]},
        )
    results = check_snapshots(engine, night, grades=False, quality_evaluator="columnar")
    # The checks give verdicts and write nothing; the night keeps them through the store.
    assert store.read_table(engine, "quality_result").height == 0
    runs.save_quality_results(engine, quality_rows(results, night), night)
    stored = store.read_table(engine, "quality_result", "night = :n", {"n": night})
    assert stored.height == sum(len(r.outcomes) for r in results)
    assert set(stored["source"]) == set(snaps["source"])
    # The checks give verdicts; they change no snapshot.
    checked = store.read_table(engine, "source_snapshot", columns=SNAPSHOT_READ)
    assert checked["status"].to_list() == snaps["status"].to_list()
    verdicts = exclusion_reasons(results)
    assert set(verdicts) == {snap for _source, snap, _school in keep_out(results)}
    assert "mã định danh" in verdicts[victim["id"]].lower()  # the criterion it failed, in words
    # The night acts on them through the store, with the reason in the audit trail.
    assert store.exclude_snapshots(engine, verdicts) == sorted(verdicts)
    after = store.read_table(engine, "source_snapshot", columns=SNAPSHOT_READ)
    excluded = after.filter(pl.col("status") == "excluded")["id"].to_list()
    assert victim["id"] in excluded
    assert len(excluded) < after.height  # the rest of the night goes on
    assert set(excluded) == set(verdicts)
    trail = store.read_table(engine, "audit_event", "action = 'snapshot.excluded'")
    assert dict(zip(trail["entity_id"], trail["reason"], strict=True)) == {
        str(k): v for k, v in verdicts.items()
    }
    again = check_snapshots(
        engine, night, grades=False, quality_evaluator="columnar"
    )  # a re-run replaces, never doubles
    runs.save_quality_results(engine, quality_rows(again, night), night)
    assert store.read_table(engine, "quality_result").height == sum(len(r.outcomes) for r in again)
    assert store.exclude_snapshots(engine, exclusion_reasons(again)) == []  # nothing twice
    assert store.read_table(engine, "audit_event").height == trail.height
