"""The thin part that touches the store: read a night's inputs, keep quality results with the run.

Everything here is SQL plus :mod:`doisoat.store` helpers; the report itself is built from the
frames this returns, by pure functions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, bindparam, inspect, text

from doisoat import store
from doisoat.model import OPEN_CONFLICT_STATUSES
from doisoat.store.bulk_read import read_bulk_in
from reports.inputs import ReportInputs
from reports.quality import QualityResult, run_quality
from reports.write import ReportFiles, write_report

_CHUNK = 900  # SQLite's default limit of bound parameters is 999
# Columns of source_snapshot the report needs (``taken_at`` is not one of them).
SNAPSHOT_READ = ["id", "source", "school_code", "night", "status", "rows_read", "rows_quarantined"]
TREND_NIGHTS = 60


def _has_table(engine: Engine, name: str) -> bool:
    return inspect(engine).has_table(name)


PEOPLE_READ = [
    "record_id", "source", "school_code", "moet_code", "family_name", "middle_name",
    "given_name", "full_name", "dob", "class_name",
]  # fmt: skip


def _records_of(engine: Engine, record_ids: Iterable[str]) -> pl.DataFrame:
    """The student records conflicts point at, read in chunks of ids."""
    ids = sorted(set(record_ids))
    parts = [
        store.read_table(
            engine,
            "student_record",
            *_in_clause("record_id", ids[i : i + _CHUNK]),
            columns=PEOPLE_READ,
        )
        for i in range(0, len(ids), _CHUNK)
    ]
    return pl.concat(parts) if parts else pl.DataFrame()


def _in_clause(column: str, values: list) -> tuple[str, dict]:
    """``column IN (:v0, :v1, …)`` with its parameters (``read_table`` takes plain SQL text)."""
    params = {f"v{i}": v for i, v in enumerate(values)}
    return f"{column} IN ({', '.join(':' + k for k in params)})", params


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
    with engine.connect() as conn:
        runs = (
            conn.execute(
                text("SELECT DISTINCT night FROM run WHERE night < :night"), {"night": night}
            )
            .scalars()
            .all()
        )
    nights = {dt.date.fromisoformat(str(n)[:10]) for n in runs}
    if not nights and conflicts.height:
        dates = pl.concat([conflicts["first_seen"], conflicts["last_seen"]]).drop_nulls()
        nights = {d for d in dates.unique().to_list() if d < night}
    return sorted(nights)[-TREND_NIGHTS:]


def load_inputs(engine: Engine, night: dt.date) -> ReportInputs:
    """Read what the report of ``night`` needs from the store.

    Conflicts open on ``night`` are those whose lifecycle covers it; a report rebuilt for an
    old night shows the conflicts that were open then and are still known, with today's status.
    """
    every = store.read_table(
        engine,
        "conflict",
        None,
        None,
        columns=["conflict_id", "status", "first_seen", "last_seen", "resolved_on"],
    )
    open_in, open_params = _in_clause("status", list(OPEN_CONFLICT_STATUSES))
    conflicts = store.read_table(
        engine,
        "conflict",
        f"({open_in} AND first_seen <= :night AND last_seen >= :night) OR resolved_on = :night",
        {**open_params, "night": night},
    )
    nights = earlier_nights(engine, night, every)
    ids: set[str] = set()
    for raw in conflicts.filter(pl.col("status") != "resolved")["record_ids"].to_list():
        ids.update(json.loads(raw or "[]"))
    counts = _student_counts(engine, night)
    snapshots = store.read_table(
        engine, "source_snapshot", "night = :night", {"night": night}, columns=SNAPSHOT_READ
    )
    quality = (
        store.read_table(engine, "quality_result", "night = :night", {"night": night})
        if _has_table(engine, "quality_result")
        else None
    )
    return ReportInputs(
        night=night,
        conflicts=conflicts,
        schools=store.read_table(engine, "school"),
        people=_records_of(engine, ids) if ids else None,
        student_counts=counts,
        snapshots=snapshots,
        quality=quality,
        trend=trend_from_conflicts(every, nights),
        previous_night=nights[-1] if nights else None,
    )


def _student_counts(engine: Engine, night: dt.date) -> pl.DataFrame:
    sql = text(
        "SELECT r.school_code, r.source, COUNT(*) AS students FROM student_record r "
        "JOIN source_snapshot s ON r.snapshot_id = s.id WHERE s.night = :night "
        "GROUP BY r.school_code, r.source"
    )
    with engine.connect() as conn:
        rows = conn.execute(sql, {"night": night}).fetchall()
    return pl.DataFrame(
        rows,
        schema={"school_code": pl.String, "source": pl.String, "students": pl.Int64},
        orient="row",
    )


def save_quality(
    engine: Engine, results: list[QualityResult], night: dt.date, run_id: int | None = None
) -> int:
    """Store every outcome in ``quality_result``; the night's earlier results for the same
    snapshots are replaced, so a re-run of the night does not double them."""
    frames = [r.to_frame(night, run_id) for r in results]
    frames = [f for f in frames if f.height]
    if not frames:
        return 0
    frame = pl.concat(frames)
    with engine.begin() as conn:
        for source in frame["source"].unique().to_list():
            conn.execute(
                text("DELETE FROM quality_result WHERE night = :night AND source = :source"),
                {"night": night, "source": source},
            )
        return store.bulk_insert(engine, "quality_result", frame, connection=conn)


def check_snapshots(
    engine: Engine,
    night: dt.date,
    *,
    run_id: int | None = None,
    quality_engine: str = "auto",
    grades: bool = True,
) -> list[QualityResult]:
    """Run every source's suites on the night's snapshots and keep the results with the night.

    Verdicts only: which snapshots to leave out (``exclusion_reasons`` of the results) is for
    the caller to act on, through ``doisoat.store.exclude_snapshots``; the quality checks never
    change a snapshot."""
    snapshots = store.read_table(
        engine, "source_snapshot", "night = :night", {"night": night}, columns=SNAPSHOT_READ
    )
    results: list[QualityResult] = []
    for source in sorted(snapshots["source"].unique().to_list()):
        snap_ids = snapshots.filter(pl.col("source") == source)["id"].to_list()
        records = read_bulk_in(engine, "student_record", "snapshot_id", snap_ids, chunk=_CHUNK)
        if records.height:
            results.append(run_quality(records, source, engine=quality_engine))
        if grades and records.height:
            marks = _grades_of(engine, snap_ids)
            if marks.height:
                results.append(
                    run_quality(marks, source, table="subject_result", engine=quality_engine)
                )
    save_quality(engine, results, night, run_id)
    return results


def _grades_of(engine: Engine, snapshot_ids: list[int]) -> pl.DataFrame:
    frames = []
    for i in range(0, len(snapshot_ids), _CHUNK):
        sql = text(
            "SELECT g.record_id, g.school_year, g.term, g.subject, g.midterm, g.final, "
            "g.average, g.rating, r.snapshot_id, r.school_code FROM subject_result g "
            "JOIN student_record r ON r.record_id = g.record_id WHERE r.snapshot_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        with engine.connect() as conn:
            rows = conn.execute(sql, {"ids": snapshot_ids[i : i + _CHUNK]}).fetchall()
        frames.append(
            pl.DataFrame(
                rows,
                schema={
                    "record_id": pl.String,
                    "school_year": pl.String,
                    "term": pl.String,
                    "subject": pl.String,
                    "midterm": pl.Float64,
                    "final": pl.Float64,
                    "average": pl.Float64,
                    "rating": pl.String,
                    "snapshot_id": pl.Int64,
                    "school_code": pl.String,
                },
                orient="row",
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame()


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
