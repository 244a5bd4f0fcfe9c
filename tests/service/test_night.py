"""The nightly run: finds what the truth says, idempotent, all-or-nothing, never overlapping."""

from __future__ import annotations

import datetime as dt
import json
import logging

import polars as pl
import pytest

import reconcile
from doisoat import store
from doisoat.errors import BadRequest
from service.config import Settings
from service.night import grades as night_grades
from service.night.lock import RunLockedError, nightly_lock
from service.night.pipeline import run_nightly, vietnam_today
from simulate import generate, next_night
from simulate.exports import write_district
from simulate.load import load_district, load_school_directory

IDENTITY_AND_TRANSFER = {
    "ID_MISSING",
    "ID_INVALID",
    "ID_NOT_IN_REGISTRY",
    "ID_MISMATCH",
    "ID_DUPLICATE",
    "ID_SHARED",
    "UNREGISTERED",
    "DEMOGRAPHIC_DRIFT",
    "TRANSFER_UNRECEIVED",
    "DUAL_ENROLLMENT",
    "TRANSFER_CODE_CHANGED",
    "TRANSFER_RECORD_MISMATCH",
    "GRADE_AVERAGE_MISMATCH",
}


def _settings(tmp_path) -> Settings:
    return Settings(reports_dir=tmp_path / "reports")


def _runs(engine) -> pl.DataFrame:
    return store.read_table(engine, "run", columns=["id", "night", "status"]).sort("id")


def _conflicts(engine) -> pl.DataFrame:
    return store.read_table(
        engine, "conflict", columns=["conflict_id", "type", "status", "first_seen", "last_seen"]
    ).sort("conflict_id")


def test_a_night_through_real_exports(tmp_path, sqlite_engine):
    district = generate(5_000, seed=21)
    exports = tmp_path / "exports"
    write_district(district, exports)
    load_school_directory(sqlite_engine, district)
    outcome = run_nightly(
        sqlite_engine, night=district.night, settings=_settings(tmp_path), inbox=[exports]
    )
    assert outcome.status == "committed"
    assert outcome.ingest["rows_read"] == (
        outcome.ingest["rows_accepted"] + outcome.ingest["rows_quarantined"]
    )
    found = set(_conflicts(sqlite_engine)["type"].to_list())
    injected = set(district.problems["problem"].to_list()) & IDENTITY_AND_TRANSFER
    assert injected <= found, f"missed: {injected - found}"
    report = tmp_path / "reports" / district.night.isoformat() / "report.html"
    assert report.exists() and "Trường" in report.read_text(encoding="utf-8")
    before = _conflicts(sqlite_engine)
    again = run_nightly(
        sqlite_engine, night=district.night, settings=_settings(tmp_path), inbox=[exports]
    )
    assert again.status == "unchanged"
    assert _conflicts(sqlite_engine).equals(before)
    assert _runs(sqlite_engine)["status"].to_list() == ["committed"]


def test_a_failed_run_changes_nothing_and_the_next_one_recovers(
    tmp_path, engine, monkeypatch, caplog
):
    district = generate(1_500, seed=22)
    load_district(engine, district)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full half-way through the conflicts")

    monkeypatch.setattr(reconcile, "merge_night", crash)  # the night uses the public face
    with pytest.raises(RuntimeError), caplog.at_level(logging.INFO, logger="doisoat.night"):
        run_nightly(engine, night=district.night, settings=_settings(tmp_path))
    assert _runs(engine)["status"].to_list() == ["failed"]
    run_id = _runs(engine)["id"][0]
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert f"[night {district.night.isoformat()} run {run_id}] failed" in failed[0].getMessage()
    assert store.read_table(engine, "identity").height == 0  # rolled back with the conflicts
    assert _conflicts(engine).height == 0
    monkeypatch.undo()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="doisoat.night"):
        outcome = run_nightly(engine, night=district.night, settings=_settings(tmp_path))
    assert outcome.status == "committed"
    steps = [r.getMessage() for r in caplog.records if r.name == "doisoat.night"]
    tagged = f"[night {district.night.isoformat()} run {outcome.run_id}]"
    for step in ("started", "quality:", "identities:", "conflicts:", "committed:", "report"):
        assert any(m.startswith(f"{tagged} {step}") for m in steps), (step, steps)
    assert _conflicts(engine).height > 0
    assert store.read_table(engine, "identity").height == district.records.height


def test_a_killed_run_is_marked_failed_by_the_next(tmp_path, engine):
    district = generate(1_200, seed=23)
    load_district(engine, district)
    stale = pl.DataFrame(
        {
            "night": [district.night],
            "started_at": [dt.datetime(2026, 6, 10, 23, tzinfo=dt.UTC)],
            "status": ["running"],
            "summary": ["{}"],
        }
    )
    store.bulk_insert(engine, "run", stale)
    outcome = run_nightly(engine, night=district.night, settings=_settings(tmp_path))
    assert outcome.recovered_runs == [1]
    assert _runs(engine)["status"].to_list() == ["failed", "committed"]


def test_two_runs_never_overlap(tmp_path, engine):
    with nightly_lock(engine):
        with pytest.raises(RunLockedError) as caught:
            run_nightly(engine, night=dt.date(2026, 6, 10), settings=_settings(tmp_path))
    assert "đang chạy" in caught.value.message_vi
    assert _runs(engine).height == 0


def test_locked_grades_edited_on_the_second_night(tmp_path, engine):
    first = generate(3_000, seed=24)
    second = next_night(first)
    load_district(engine, first)
    run_nightly(engine, night=first.night, settings=_settings(tmp_path))
    load_district(engine, second)
    approvals = second.approvals.with_columns(
        pl.lit(first.school_year).alias("school_year"),
        pl.lit("BB-2026-01").alias("record_no"),
        pl.col("approved_at").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
    )
    store.bulk_insert(engine, "grade_approval", approvals)
    run_nightly(engine, night=second.night, settings=_settings(tmp_path))
    found = store.read_table(engine, "conflict", "type = 'LOCKED_PERIOD_EDITED'")
    truth = second.problems.filter(pl.col("problem") == "LOCKED_PERIOD_EDITED")
    assert truth.height > 0
    found_keys = {
        (json.loads(r["evidence"]).get("subject"), r["school_code"])
        for r in found.iter_rows(named=True)
    }
    truth_keys = {
        (json.loads(r["detail"])["subject"], r["school_code"]) for r in truth.iter_rows(named=True)
    }
    assert found.height == truth.height
    assert found_keys == truth_keys


def _two_nights(tmp_path, engine) -> pl.DataFrame:
    first = generate(3_000, seed=24)
    second = next_night(first)
    load_district(engine, first)
    run_nightly(engine, night=first.night, settings=_settings(tmp_path))
    load_district(engine, second)
    run_nightly(engine, night=second.night, settings=_settings(tmp_path))
    return store.read_table(
        engine, "conflict", columns=["conflict_id", "type", "school_code", "record_ids", "evidence"]
    ).sort("conflict_id")


def test_grades_judged_a_few_schools_at_a_time_find_the_same_conflicts(tmp_path, monkeypatch):
    whole = store.get_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    store.upgrade(whole)
    expected = _two_nights(tmp_path / "whole", whole)
    monkeypatch.setattr(night_grades, "RECORDS_PER_BATCH", 300)
    batched = store.get_engine(f"sqlite:///{tmp_path / 'batched.db'}")
    store.upgrade(batched)
    got = _two_nights(tmp_path / "batched", batched)
    families = set(got["type"].to_list())
    assert {
        "GRADE_AVERAGE_MISMATCH",
        "LOCKED_PERIOD_EDITED",
        "TRANSFER_RECORD_MISMATCH",
    } <= families
    assert got.equals(expected)


def _with_corrections(district):
    """Overnight, schools rename 20 students, swap the codes of 20 and drop 10."""
    rows = district.records.with_row_index("__i")
    picked = rows.filter(pl.col("source") != "moet")["__i"].gather_every(97)[:50].to_list()
    renamed, recoded, dropped = picked[:20], picked[20:40], picked[40:]
    codes = rows["moet_code"].to_list()
    swapped = {i: codes[recoded[(k + 1) % len(recoded)]] for k, i in enumerate(recoded)}
    district.records = (
        rows.with_columns(
            pl.when(pl.col("__i").is_in(renamed))
            .then(pl.lit("Khuê"))
            .otherwise(pl.col("given_name"))
            .alias("given_name"),
            pl.col("__i")
            .replace_strict(swapped, default=None, return_dtype=pl.Utf8)
            .fill_null(pl.col("moet_code"))
            .alias("moet_code"),
        )
        .with_columns(
            pl.concat_str(["family_name", "middle_name", "given_name"], separator=" ")
            .str.replace_all(r"\s+", " ")
            .alias("full_name")
        )
        .filter(~pl.col("__i").is_in(dropped))
        .drop("__i")
    )
    return district


def _second_night(
    tmp_path, name: str, incremental: bool
) -> tuple[pl.DataFrame, dict, pl.DataFrame]:
    engine = store.get_engine(f"sqlite:///{tmp_path / f'{name}.db'}")
    store.upgrade(engine)
    settings = Settings(reports_dir=tmp_path / name, incremental_identities=incremental)
    first = generate(3_000, seed=31)
    second = _with_corrections(next_night(first))
    load_district(engine, first)
    run_nightly(engine, night=first.night, settings=settings)
    load_district(engine, second)
    run_nightly(engine, night=second.night, settings=settings)
    runs = store.read_table(engine, "run", "status = 'committed'").sort("night")
    summary = json.loads(runs["summary"][-1])["identity"]
    conflicts = store.read_table(
        engine, "conflict", columns=["conflict_id", "type", "status", "record_ids", "evidence"]
    ).sort("conflict_id")
    identities = store.read_table(engine, "identity", columns=["record_id", "identity_id"])
    return conflicts, summary, identities.sort("record_id")


def test_the_next_night_rematches_only_what_changed_and_finds_the_same(tmp_path):
    full_conflicts, full, full_ids = _second_night(tmp_path, "full", incremental=False)
    conflicts, summary, ids = _second_night(tmp_path, "incremental", incremental=True)
    assert not full["incremental"]
    assert summary["incremental"]
    assert 0 < summary["changes"]["changed_records"] < summary["changes"]["records"] / 10
    assert summary["scored_pairs"] < full["scored_pairs"] / 2
    assert ids.equals(full_ids)
    # the same conflicts, records and evidence; a probability may differ in its last digits
    # (the full night re-estimated the model, the incremental one reused last night's)
    assert _rounded(conflicts).equals(_rounded(full_conflicts))


def _rounded(conflicts: pl.DataFrame) -> pl.DataFrame:
    return conflicts.with_columns(
        pl.col("evidence").str.replace_all(r'"match_probability": [0-9.e-]+', '"p"')
    )


TODAY = dt.date(2026, 12, 4)


def test_a_night_in_the_future_is_refused_before_anything_is_written(tmp_path, engine):
    """A mistyped year (2062) once committed and blocked every real night after it."""
    district = generate(600, seed=26)
    load_district(engine, district)
    settings = _settings(tmp_path)
    for night in (dt.date(2062, 6, 11), TODAY + dt.timedelta(days=2)):
        with pytest.raises(BadRequest) as caught:
            run_nightly(engine, night=night, settings=settings, today=TODAY)
        assert night.strftime("%d/%m/%Y") in caught.value.message_vi
        assert "chưa tới" in caught.value.message_vi and "04/12/2026" in caught.value.message_vi
    assert _runs(engine).height == 0
    assert not (tmp_path / "reports").exists()
    # the refused date blocks nothing: a past night (the simulated June) still runs
    assert run_nightly(engine, night=district.night, settings=settings, today=TODAY).status == (
        "committed"
    )


def test_tomorrow_vietnam_time_is_not_the_future(tmp_path, engine):
    """A scheduler may run tonight's batch just after midnight in Hà Nội, still the evening
    before in UTC: one day ahead is allowed, Vietnam time (UTC+7)."""
    assert vietnam_today(dt.datetime(2026, 12, 4, 18, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 5)
    assert vietnam_today(dt.datetime(2026, 12, 4, 16, 59, tzinfo=dt.UTC)) == TODAY
    district = generate(600, seed=27)
    load_district(engine, district)
    the_day_before = district.night - dt.timedelta(days=1)
    outcome = run_nightly(
        engine, night=district.night, settings=_settings(tmp_path), today=the_day_before
    )
    assert outcome.status == "committed"


def test_nightly_command_refuses_a_night_in_the_future(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app

    monkeypatch.chdir(tmp_path)  # the default settings: ./var/reports
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store.upgrade(store.get_engine(url))
    result = CliRunner().invoke(app, ["nightly", "--night", "11/06/2062", "--url", url])
    assert result.exit_code == 2, result.output
    assert "Lỗi: Đêm 11/06/2062 chưa tới" in result.output
    assert _runs(store.get_engine(url)).height == 0


def test_a_rerun_rewrites_a_report_another_run_left(tmp_path, engine):
    """A run killed while writing its report left the previous run's report (and a .partial):
    the rerun, with nothing new to reconcile, still puts the committed run's report in place."""
    district = generate(600, seed=28)
    load_district(engine, district)
    settings = _settings(tmp_path)
    first = run_nightly(engine, night=district.night, settings=settings)
    folder = tmp_path / "reports" / district.night.isoformat()
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["run_id"] == first.run_id
    schools = json.loads((folder / "report.json").read_text(encoding="utf-8"))["summary"]["schools"]
    assert schools > 1

    stale = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    stale["summary"]["schools"] = 1
    (folder / "report.json").write_text(json.dumps(stale), encoding="utf-8")
    (folder / "run.json").write_text(json.dumps({"run_id": first.run_id + 7}), encoding="utf-8")
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir()
    (partial / "report.html").write_text("<html>nửa chừng", encoding="utf-8")

    again = run_nightly(engine, night=district.night, settings=settings)
    assert (again.status, again.run_id) == ("unchanged", first.run_id)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["schools"] == schools
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["run_id"] == first.run_id
    assert not partial.exists()

    # a report folder from before the marker existed is rewritten too; a sound one is kept
    (folder / "run.json").unlink()
    run_nightly(engine, night=district.night, settings=settings)
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["run_id"] == first.run_id
    kept = (folder / "report.html").stat().st_mtime_ns
    partial.mkdir()
    run_nightly(engine, night=district.night, settings=settings)
    assert (folder / "report.html").stat().st_mtime_ns == kept
    assert not partial.exists()
