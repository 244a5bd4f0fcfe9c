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

import polars as pl
from sqlalchemy import Engine

from doisoat.store import queries
from reports.inputs import ReportInputs
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


def load_inputs(engine: Engine, night: dt.date) -> ReportInputs:
    """Read what the report of ``night`` needs from the store.

    Conflicts open on ``night`` are those whose lifecycle covers it; a report rebuilt for an
    old night shows the conflicts that were open then and are still known, with today's status.
    """
    every = queries.conflict_dates(engine)
    conflicts = queries.conflicts_of_night(engine, night)
    nights = earlier_nights(engine, night, every)
    ids: set[str] = set()
    for raw in conflicts.filter(pl.col("status") != "resolved")["record_ids"].to_list():
        ids.update(json.loads(raw or "[]"))
    return ReportInputs(
        night=night,
        conflicts=conflicts,
        schools=queries.school_directory(engine),
        people=queries.records_by_id(engine, ids, columns=PEOPLE_READ) if ids else None,
        student_counts=queries.student_counts(engine, night),
        snapshots=queries.snapshots_of_night(engine, night),
        quality=queries.quality_results_of_night(engine, night),
        trend=trend_from_conflicts(every, nights),
        previous_night=nights[-1] if nights else None,
    )


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
