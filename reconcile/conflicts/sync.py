"""SYNC_OVERDUE: a school that has not synchronised with the sector database in time.

Each school must synchronise within one week of the end of term 1 and of the school year. On a
given night the term that counts is the latest one whose deadline has passed; a school is overdue
when it has not synchronised since that term ended. Synchronising late clears the conflict.

The calendar is data (the province's decision on the school year), passed in as a
:class:`SchoolCalendar`; in the store a school's last synchronisation is its latest registry
snapshot (:func:`last_sync_by_school`). Pure functions: ``night`` is passed in.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from doisoat.conflict_types import severity_of
from doisoat.model import REGISTRY_SOURCE
from doisoat.vn.calendar import SchoolCalendar
from reconcile.conflicts.base import conflict_id, frame, to_json
from reconcile.messages import SYNC_VI

DEFAULT_DEADLINE_DAYS = 7


def due_term(
    calendar: SchoolCalendar, night: dt.date, deadline_days: int = DEFAULT_DEADLINE_DAYS
) -> tuple[str, str, dt.date, dt.date]:
    """(school year, term, term end, deadline) of the latest deadline already passed on ``night``.

    Before term 1's deadline of ``calendar`` it is the previous school year's end.
    """
    window = dt.timedelta(days=deadline_days)
    for term, end in (("year", calendar.year_end), ("1", calendar.term1_end)):
        if night > end + window:
            return calendar.school_year, term, end, end + window
    before = calendar.previous()
    return before.school_year, "year", before.year_end, before.year_end + window


def last_sync_by_school(snapshots: pl.DataFrame) -> pl.DataFrame:
    """``school_code`` → ``last_sync``: the night of each school's latest loaded registry
    snapshot (rows of the ``source_snapshot`` table)."""
    loaded = pl.col("status") == "loaded" if "status" in snapshots.columns else pl.lit(True)
    return (
        snapshots.filter(
            (pl.col("source") == REGISTRY_SOURCE) & pl.col("school_code").is_not_null() & loaded
        )
        .group_by("school_code")
        .agg(pl.col("night").max().alias("last_sync"))
    )


def sync_overdue(
    schools: pl.DataFrame,
    *,
    night: dt.date,
    calendar: SchoolCalendar,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
) -> pl.DataFrame:
    """One conflict per school not synchronised since the end of the term now due.

    ``schools``: ``school_code`` and ``last_sync`` (a date; null = never synchronised).
    """
    year, term, term_end, deadline = due_term(calendar, night, deadline_days)
    late = schools.filter(pl.col("last_sync").is_null() | (pl.col("last_sync") < term_end))
    term_vi = SYNC_VI["TERM"][term]
    rows = []
    for school in late.sort("school_code").iter_rows(named=True):
        code = school["school_code"]
        last = school["last_sync"]
        evidence = {
            "last_sync": last,
            "term": term,
            "school_year": year,
            "term_end": term_end,
            "deadline": deadline,
            "days_overdue": (night - deadline).days,
            "deadline_days": deadline_days,
        }
        rows.append(
            {
                "conflict_id": conflict_id("SYNC_OVERDUE", [code, year, term]),
                "type": "SYNC_OVERDUE",
                "severity": severity_of("SYNC_OVERDUE"),
                "school_code": code,
                "record_ids": [],
                "evidence": to_json(evidence),
                "suggested_fix": SYNC_VI["SYNC_OVERDUE_FIX"].format(school=code, term=term_vi),
                "message_vi": SYNC_VI["SYNC_OVERDUE"].format(
                    school=code,
                    term=term_vi,
                    term_end=_date_vi(term_end),
                    deadline=_date_vi(deadline),
                    last_sync=_date_vi(last) if last else SYNC_VI["NEVER"],
                ),
            }
        )
    return frame(rows)


def _date_vi(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")
