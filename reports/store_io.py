"""The thin part that reads the store: a night's inputs, and the snapshots the quality suites
check.

The store answers named questions (:mod:`doisoat.store.queries`); the report itself is built
from the frames they return, by pure functions. Nothing here writes the database: the quality
checks return verdicts, and the night keeps them (``doisoat.store.runs.save_quality_results``,
fed by :func:`quality_rows`) and acts on them (``doisoat.store.exclude_snapshots``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from doisoat import store
from doisoat.errors import NotFound
from doisoat.glossary import fmt_date
from doisoat.model import REGISTRY_SOURCE
from doisoat.store import queries, runs
from reports import messages
from reports.csv_export import conflicts_csv
from reports.inputs import EXPORT_COLUMNS, ReportInputs
from reports.quality import QualityResult, run_quality
from reports.quality.result import RESULT_COLUMNS
from reports.write import ReportFiles, write_report

# Columns of source_snapshot the report needs (``taken_at`` is not one of them).
SNAPSHOT_READ = queries.SNAPSHOT_COLUMNS
TREND_NIGHTS = 60

PEOPLE_READ = [
    "record_id", "source", "school_code", "moet_code", "family_name", "middle_name",
    "given_name", "full_name", "dob", "class_name",
]  # fmt: skip


def trend_from_conflicts(conflicts: pl.DataFrame, nights: list[dt.date]) -> pl.DataFrame:
    """Open / new / resolved per night, from the conflicts' lifecycle dates.

    A conflict counts as open on every night from ``first_seen`` to ``last_seen`` (a reopened
    conflict's gap is not visible in these dates and is counted as open).
    """
    rows = []
    for night in nights:
        seen = conflicts.filter((pl.col("first_seen") <= night) & (pl.col("last_seen") >= night))
        rows.append(
            {
                "night": night,
                "open": seen.height,
                "new": conflicts.filter(pl.col("first_seen") == night).height,
                "resolved": conflicts.filter(pl.col("resolved_on") == night).height,
            }
        )
    return pl.DataFrame(
        rows, schema={"night": pl.Date, "open": pl.Int64, "new": pl.Int64, "resolved": pl.Int64}
    )


def earlier_nights(engine: Engine, night: dt.date, conflicts: pl.DataFrame) -> list[dt.date]:
    """Nights before ``night`` that had a run (else: that conflicts were seen on), latest 60."""
    nights = set(queries.earlier_run_nights(engine, night))
    if not nights and conflicts.height:
        dates = pl.concat([conflicts["first_seen"], conflicts["last_seen"]]).drop_nulls()
        nights = {d for d in dates.unique().to_list() if d < night}
    return sorted(nights)[-TREND_NIGHTS:]


def refuse_night_without_run(engine: Engine, night: dt.date) -> None:
    """A report of a night nothing checked would say «0 vấn đề» and be believed: refused with
    :class:`~doisoat.errors.NotFound`, naming the last night that was checked."""
    if runs.committed_run(engine, night) is not None:
        return
    before = queries.committed_runs_before(engine, night)
    last = before["night"][0] if before.height else None
    text = messages.NO_RUN.format(night=fmt_date(night))
    if last is not None:
        text = f"{text} {messages.LAST_RUN.format(night=fmt_date(last))}"
    raise NotFound(f"no committed run for {night}", message_vi=text, details={"night": night})


def latest_exports(engine: Engine, night: dt.date) -> pl.DataFrame:
    """Each (school, vendor source)'s latest loaded export up to ``night``: its night and its
    students (rows accepted). A school that sent nothing tonight keeps its last count, so the
    report neither shows it as zero students nor forgets it."""
    snaps = store.read_table(
        engine, "source_snapshot", "status = 'loaded' AND night <= :night", {"night": night},
        columns=["id", "source", "school_code", "night", "rows_accepted"],
    )  # fmt: skip
    if snaps.height == 0:
        return pl.DataFrame(schema=EXPORT_COLUMNS)
    return (
        snaps.filter(pl.col("source") != REGISTRY_SOURCE)
        .sort(["night", "id"], descending=True)
        .unique(subset=["source", "school_code"], keep="first")
        .select(
            "school_code", "source", "night",
            pl.col("rows_accepted").cast(pl.Int64).alias("students"),
        )  # fmt: skip
    )


def load_inputs(engine: Engine, night: dt.date) -> ReportInputs:
    """Read what the report of ``night`` needs from the store; a night without a committed run
    is refused (:func:`refuse_night_without_run`).

    Conflicts open on ``night`` are those whose lifecycle covers it; a report rebuilt for an
    old night shows the conflicts that were open then and are still known, with today's status.
    Students are counted from each school's latest export (tonight's, or its last one).
    """
    refuse_night_without_run(engine, night)
    every = queries.conflict_dates(engine)
    conflicts = queries.conflicts_of_night(engine, night)
    nights = earlier_nights(engine, night, every)
    exports = latest_exports(engine, night)
    ids: set[str] = set()
    for raw in conflicts.filter(pl.col("status") != "resolved")["record_ids"].to_list():
        ids.update(json.loads(raw or "[]"))
    return ReportInputs(
        night=night,
        conflicts=conflicts,
        schools=queries.school_directory(engine),
        people=queries.records_by_id(engine, ids, columns=PEOPLE_READ) if ids else None,
        student_counts=_latest_counts(engine, night, exports),
        exports=exports,
        contacts=school_contacts(engine),
        snapshots=queries.snapshots_of_night(engine, night),
        quality=queries.quality_results_of_night(engine, night),
        trend=trend_from_conflicts(every, nights),
        previous_night=nights[-1] if nights else None,
    )


def school_contacts(engine: Engine) -> dict[str, list[str]]:
    """Whom to reach at each school: its active administrators, by name (their account name
    when they gave none), as the pages name them."""
    users = store.read_table(
        engine, "app_user", "role = 'school_admin'",
        columns=["username", "full_name", "school_code", "active"],
    )  # fmt: skip
    out: dict[str, list[str]] = {}
    for row in users.sort("username").iter_rows(named=True):
        if row["active"] and row["school_code"]:
            out.setdefault(row["school_code"], []).append(row["full_name"] or row["username"])
    return out


def _latest_counts(engine: Engine, night: dt.date, exports: pl.DataFrame) -> pl.DataFrame:
    """Students per school and source: the vendors' latest exports, the registry's tonight."""
    registry = queries.student_counts(engine, night).filter(pl.col("source") == REGISTRY_SOURCE)
    return pl.concat([exports.select("school_code", "source", "students"), registry])


def conflicts_csv_of(
    engine: Engine, rows: list[dict[str, Any]], school: str | None = None
) -> str:
    """:func:`reports.csv_export.conflicts_csv` of conflicts as the API lists them, with the
    students they name and every school's name read from the store; ``school``: a school's
    reader (its own students in full, another school's data withheld)."""
    ids: set[str] = set()
    for row in rows:
        raw = row.get("record_ids")
        ids.update(str(i) for i in (json.loads(raw) if isinstance(raw, str) else raw or []))
    records: dict[str, dict[str, Any]] = {}
    if ids:
        people = queries.records_by_id(engine, ids, columns=PEOPLE_READ)
        records = {r["record_id"]: r for r in people.iter_rows(named=True)}
    directory = queries.school_directory(engine, columns=["school_code", "name"])
    names = dict(directory.select("school_code", "name").iter_rows())
    return conflicts_csv(rows, names, records, school, school_contacts(engine))


def check_snapshots(
    engine: Engine,
    night: dt.date,
    *,
    quality_evaluator: str = "auto",
    grades: bool = True,
) -> list[QualityResult]:
    """Run every source's suites on the night's snapshots: verdicts only.

    The checks write nothing: keeping the results with the night
    (``doisoat.store.runs.save_quality_results`` of :func:`quality_rows`) and leaving
    snapshots out (``exclusion_reasons`` of the results, through
    ``doisoat.store.exclude_snapshots``) are the caller's to do."""
    snapshots = queries.snapshots_of_night(engine, night)
    results: list[QualityResult] = []
    for source in sorted(snapshots["source"].unique().to_list()):
        snap_ids = snapshots.filter(pl.col("source") == source)["id"].to_list()
        records = queries.records_of_snapshots(engine, snap_ids)
        if records.height:
            results.append(run_quality(records, source, evaluator=quality_evaluator))
        if grades and records.height:
            marks = queries.grades_of_snapshots(engine, snap_ids)
            if marks.height:
                results.append(
                    run_quality(marks, source, table="subject_result", evaluator=quality_evaluator)
                )
    return results


def quality_rows(
    results: list[QualityResult], night: dt.date, run_id: int | None = None
) -> pl.DataFrame:
    """Every outcome of ``results`` as rows of the ``quality_result`` table, for the store."""
    frames = [r.to_frame(night, run_id) for r in results]
    frames = [f for f in frames if f.height]
    return pl.concat(frames) if frames else pl.DataFrame(schema=RESULT_COLUMNS)


def write_night_report(
    engine: Engine,
    night: dt.date,
    directory: Path,
    *,
    worklists: bool = True,
    items_in_json: bool = True,
) -> ReportFiles:
    """The night's report, JSON and worklists from what the store holds, into ``directory``."""
    return write_report(
        load_inputs(engine, night), directory, worklists=worklists, items_in_json=items_in_json
    )
