"""The night's grade families (averages, locked-period edits), judged a few schools at a time.

A province holds tens of millions of grade rows (38 per student-record). Every rule that reads
them looks at one school's own records (a recomputed average is one student's; a locked-period
edit compares one school's book on two nights), so the night reads and judges them in batches
of schools and keeps only the conflicts: the grade rows of the whole province are never in
memory at once. Transfers read grades only for the students whose records they compare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import polars as pl
from sqlalchemy import Engine

from doisoat.model import REGISTRY_SOURCE
from doisoat.store import queries
from doisoat.vn.calendar import SchoolCalendar
from service.config import Settings

LOCKED_BASELINE_SOURCES_SKIP = (REGISTRY_SOURCE,)
RECORDS_PER_BATCH = 150_000
IDS_PER_QUERY = 5_000


def subjects_loader(engine: Engine) -> Callable[[pl.Series], pl.DataFrame]:
    """Subject results of given records (what the transfer rules compare), read on demand."""

    def load(record_ids: pl.Series) -> pl.DataFrame:
        ids = record_ids.drop_nulls().unique().to_list()
        return queries.subject_results_of_records(engine, ids, chunk=IDS_PER_QUERY)

    return load


def _batches(records: pl.DataFrame) -> Iterator[list[int]]:
    """Snapshot ids in groups of about ``RECORDS_PER_BATCH`` records (a snapshot is one
    school's export, never split)."""
    sizes = records.group_by("snapshot_id").len().sort("snapshot_id")
    batch: list[int] = []
    count = 0
    for snapshot_id, rows in sizes.iter_rows():
        batch.append(int(snapshot_id))
        count += rows
        if count >= RECORDS_PER_BATCH:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def grade_families(
    engine: Engine, night: dt.date, records: pl.DataFrame, settings: Settings
) -> list[pl.DataFrame]:
    """GRADE_* and LOCKED_PERIOD_EDITED conflicts of every school, a batch of schools at a time."""
    from reconcile import grade_conflicts

    calendar = settings.calendar_for(night)
    baseline = _lock_baseline(engine, night, calendar, settings)
    approvals = queries.grade_approvals(engine)
    found: list[pl.DataFrame] = []
    for batch in _batches(records):
        batch_records = records.filter(pl.col("snapshot_id").is_in(batch))
        subjects = queries.results_of_snapshots(engine, "subject_result", batch)
        terms = queries.results_of_snapshots(engine, "term_result", batch)
        found.append(grade_conflicts(subjects, terms, batch_records))
        if baseline is not None:
            found.append(
                _locked_edits(
                    engine, night, batch_records, subjects, baseline, approvals, calendar, settings
                )
            )
    return [f for f in found if f.height]


def _lock_baseline(
    engine: Engine, night: dt.date, calendar: SchoolCalendar, settings: Settings
) -> pl.DataFrame | None:
    """Each school's first snapshot after term 1 was locked (the book as it was locked)."""
    lock_day = calendar.term1_end + dt.timedelta(days=settings.lock_grace_days)
    snaps = queries.loaded_snapshots(engine).drop("status")
    vendor = snaps.filter(~pl.col("source").is_in(LOCKED_BASELINE_SOURCES_SKIP))
    baseline = (
        vendor.filter((pl.col("night") >= lock_day) & (pl.col("night") < night))
        .sort(["night", "id"])
        .unique(subset=["source", "school_code"], keep="first")
    )
    return baseline if baseline.height else None


def _locked_edits(
    engine: Engine,
    night: dt.date,
    records: pl.DataFrame,
    subjects: pl.DataFrame,
    baseline: pl.DataFrame,
    approvals: pl.DataFrame,
    calendar: SchoolCalendar,
    settings: Settings,
) -> pl.DataFrame:
    """Compare tonight's grades of these schools with those each held when term 1 was locked."""
    from reconcile import GradeSnapshot, locked_period_edits

    schools = records.select("source", "school_code").unique()
    mine = baseline.join(schools, on=["source", "school_code"], how="semi")
    if mine.height == 0:
        return pl.DataFrame()
    ids = mine["id"].to_list()
    before = GradeSnapshot(
        night=baseline["night"].min(),
        records=queries.records_of_snapshots(engine, ids),
        subject_results=queries.results_of_snapshots(engine, "subject_result", ids),
    )
    after = GradeSnapshot(night=night, records=records, subject_results=subjects)
    return locked_period_edits(
        before,
        after,
        calendar=calendar,
        approvals=approvals,
        lock_grace_days=settings.lock_grace_days,
    )
