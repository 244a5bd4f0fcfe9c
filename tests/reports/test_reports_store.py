"""The report from what the store holds: a simulated district and its conflicts over two nights."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import polars as pl
import pytest
import typer
from night_factory import conflicts_from_problems
from sqlalchemy import text
from typer.testing import CliRunner

from doisoat import store
from doisoat.errors import NotFound
from reports import load_inputs, validate_report, write_night_report
from reports.messages import FAMILIES
from service.cli import report as report_cli


def _load(engine, district) -> pl.DataFrame:
    """Load the district and its conflicts; yesterday some were open that are resolved now."""
    from simulate.load import load_district

    load_district(engine, district)
    # The SQLite bulk path (ADBC) closes its own handle on the file, which drops the POSIX locks
    # of the connections pooled before it: start afresh (reported to the store's owner).
    engine.dispose()
    night = district.night
    stored = store.read_table(engine, "student_record", columns=["record_id", "source", "local_id"])
    conflicts = conflicts_from_problems(district, stored, night)
    gone = conflicts.head(3).with_columns(
        (pl.col("conflict_id") + "-old").alias("conflict_id"),
        pl.lit("resolved").alias("status"),
        pl.lit(night - dt.timedelta(days=1)).alias("last_seen"),
        pl.lit(night).alias("resolved_on"),
        pl.lit(night - dt.timedelta(days=4)).alias("first_seen"),
    )
    everything = pl.concat([conflicts, gone], how="diagonal_relaxed")
    with engine.begin() as conn:
        store.bulk_insert(engine, "conflict", everything, connection=conn)
        for back in (2, 1, 0):
            conn.execute(
                text(
                    "INSERT INTO run (night, started_at, status, summary) "
                    "VALUES (:night, :started, 'committed', '{}')"
                ),
                {"night": night - dt.timedelta(days=back), "started": dt.datetime(2026, 1, 1)},
            )
    return conflicts


def test_the_night_report_from_the_store(engine, district, tmp_path):
    conflicts = _load(engine, district)
    night = district.night
    inputs = load_inputs(engine, night)
    assert inputs.previous_night == night - dt.timedelta(days=1)
    files = write_night_report(engine, night, tmp_path)
    report = files.report
    validate_report(json.loads(files.json.read_text(encoding="utf-8")))
    vendor_records = district.records.filter(pl.col("source") != "moet").height
    assert report["summary"]["students"] == vendor_records
    assert report["summary"]["registry_students"] == district.records.height - vendor_records
    assert report["summary"]["conflicts_open"] == conflicts.height
    assert report["changes"]["resolved"] == 3
    assert report["changes"]["new"] == conflicts.filter(pl.col("status") == "new").height
    assert [t["night"] for t in report["trend"]] == [
        (night - dt.timedelta(days=d)).isoformat() for d in (2, 1, 0)
    ]
    assert report["trend"][-2]["open"] == (
        conflicts.filter(pl.col("first_seen") < night).height + 3
    )
    with_conflicts = set(conflicts["school_code"].drop_nulls())
    written = {p.stem for p in files.worklists}
    assert with_conflicts <= written
    # A school's worklist lists its students by name, taken from the store's records.
    school = conflicts.filter(pl.col("type") == "ID_MISMATCH")["school_code"][0]
    book = openpyxl.load_workbook(tmp_path / "worklists" / f"{school}.xlsx")
    names = [r[4] for r in book[FAMILIES["identity"]].iter_rows(min_row=4, values_only=True)]
    assert names and all(names)


def test_report_command_writes_the_files(sqlite_engine, district, tmp_path):
    _load(sqlite_engine, district)
    app = typer.Typer()
    report_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keep "report" a sub-command
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--night",
            district.night.isoformat(),
            "--out",
            str(out),
            "--url",
            str(sqlite_engine.url),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Đã lập báo cáo" in result.output
    assert (out / "report.html").is_file() and (out / "report.json").is_file()
    assert list((out / "worklists").glob("*.xlsx"))


def test_a_night_without_a_run_is_refused_in_vietnamese(engine, district, tmp_path):
    """A day/month slip (06/10 for 10/06) used to print «5 trường, 0 vấn đề»: now refused."""
    _load(engine, district)
    slip = district.night + dt.timedelta(days=30)
    with pytest.raises(NotFound) as caught:
        write_night_report(engine, slip, tmp_path / "slip")
    said = caught.value.message_vi
    assert slip.strftime("%d/%m/%Y") in said and "chưa có lượt đối soát" in said
    assert district.night.strftime("%d/%m/%Y") in said  # the last night that was checked
    assert not (tmp_path / "slip" / "report.html").exists()


def test_a_school_that_sent_nothing_keeps_its_students_and_is_named(engine, district, tmp_path):
    _load(engine, district)
    night = district.night
    counts = (
        district.records.filter(pl.col("source") != "moet").group_by("school_code").len()
    )
    quiet, students = counts.sort("school_code").row(0)
    earlier = night - dt.timedelta(days=3)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE source_snapshot SET night = :earlier WHERE school_code = :school "
                 "AND source <> 'moet'"),
            {"earlier": earlier, "school": quiet},
        )
    files = write_night_report(engine, night, tmp_path)
    report = files.report
    validate_report(json.loads(files.json.read_text(encoding="utf-8")))
    entry = next(s for s in report["schools"] if s["school_code"] == quiet)
    assert entry["students"] == students  # its last export, not zero
    assert entry["sent_tonight"] is False and entry["last_export"] == earlier.isoformat()
    assert [s["school_code"] for s in report["summary"]["schools_without_export"]] == [quiet]
    others = [s for s in report["schools"] if s["school_code"] not in (quiet, "_")]
    assert others and all(s["sent_tonight"] for s in others)
    page = files.html.read_text(encoding="utf-8")
    assert f"Không gửi đêm nay — lần cuối {earlier.strftime('%d/%m/%Y')}" in page
    assert f"({quiet})" in page
