"""LOCKED_PERIOD_EDITED: grades of a locked term changed with no recorded approval.

Once a term is closed (term 1 some days after its end, term 2 and the year some days after the
school year ends; earlier school years always), its grades change only with the principal's
approval and a written record (the ``grade_approval`` table). Two snapshots of the gradebooks are
compared subject row by subject row, keyed by (school, student's local id — or identity code when
the school has none —, school year, term, subject), because record ids carry the snapshot.

Pass as ``before`` the snapshot taken when the term was locked (or any later night whose grades
were accepted): the conflict then lasts until the grades are put back or an approval is recorded,
instead of vanishing the next night. Pure functions over polars frames; nights are passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from doisoat.conflict_types import severity_of
from reconcile.conflicts.base import conflict_id, frame, to_json
from reconcile.conflicts.grades import subject_name
from reconcile.conflicts.sync import SchoolCalendar
from reconcile.messages import LOCKED_VI

DEFAULT_LOCK_GRACE_DAYS = 7
FIELDS = ("regular_scores", "midterm", "final", "average", "rating")
_NUMBERS = ("midterm", "final", "average")
_SEED = 20211022  # any fixed seed: both nights are hashed alike in one process
STUDENT = ["school_code", "student_key"]
ROW_KEY = [*STUDENT, "school_year", "term", "subject"]


@dataclass(frozen=True)
class GradeSnapshot:
    """One night's gradebooks: records (to know whose rows they are) and subject results."""

    night: dt.date
    records: pl.DataFrame
    subject_results: pl.DataFrame


def lock_dates(
    calendar: SchoolCalendar, grace_days: int = DEFAULT_LOCK_GRACE_DAYS
) -> dict[str, dt.date]:
    """Term → the first day its grades are locked, for the calendar's school year."""
    grace = dt.timedelta(days=grace_days)
    year_lock = calendar.year_end + grace
    return {"1": calendar.term1_end + grace, "2": year_lock, "year": year_lock}


def _locked(calendar: SchoolCalendar, night: dt.date, grace_days: int) -> pl.Expr:
    """True for (school_year, term) rows already locked on ``night``."""
    this_year = int(calendar.school_year[:4])
    start = pl.col("school_year").str.slice(0, 4).cast(pl.Int64, strict=False)
    locked_terms = [t for t, day in lock_dates(calendar, grace_days).items() if night >= day]
    return (start < this_year) | ((start == this_year) & pl.col("term").is_in(locked_terms))


def side_grades(
    subject_results: pl.DataFrame,
    side: str,
    record_ids: pl.Series | None = None,
    *,
    decode: bool = True,
) -> pl.DataFrame:
    """Subject rows ready to be compared with another holding's: the record and the compared
    fields prefixed with ``side``; regular scores decoded to lists, or (``decode=False``, for
    millions of rows of one vendor) kept as text without spaces and decoded later for the few
    rows that differ."""
    if record_ids is not None:
        subject_results = subject_results.filter(pl.col("record_id").is_in(record_ids.implode()))
    raw = pl.col("regular_scores").fill_null("[]")
    scores = raw.str.json_decode(pl.List(pl.Float64)) if decode else raw.str.replace_all(" ", "")
    numbers = [pl.col(f).cast(pl.Float64).alias(f"{side}_{f}") for f in _NUMBERS]
    return subject_results.select(
        pl.col("record_id").alias(f"{side}_record_id"),
        "school_year",
        pl.col("term").cast(pl.Utf8),
        "subject",
        scores.alias(f"{side}_regular_scores"),
        *numbers,
        pl.col("rating").alias(f"{side}_rating"),
    )


def field_differs(field: str, left: str, right: str) -> pl.Expr:
    """``left_<field>`` and ``right_<field>`` differ (scores to 1e-6; a value against none)."""
    a, b = pl.col(f"{left}_{field}"), pl.col(f"{right}_{field}")
    unequal = (a - b).abs() > 1e-6 if field in _NUMBERS else a != b
    return unequal.fill_null(False) | (a.is_null() != b.is_null())


def _rows(snapshot: GradeSnapshot, side: str) -> pl.DataFrame:
    who = snapshot.records.select(
        pl.col("record_id").alias(f"{side}_record_id"),
        "school_code",
        pl.coalesce(pl.col("local_id"), pl.col("moet_code")).alias("student_key"),
        pl.col("full_name").alias(f"{side}_name"),
        pl.col("class_name").alias(f"{side}_class"),
    )
    grades = side_grades(snapshot.subject_results, side, decode=False)
    found = grades.select(f"{side}_record_id").join(
        who, on=f"{side}_record_id", how="left", maintain_order="left"
    )  # the key column alone through the join, the result beside the rows: no wide gather
    values = [pl.col(f"{side}_{f}") for f in FIELDS]
    return (
        grades.with_columns(found.drop(f"{side}_record_id"))
        .filter(pl.col("school_code").is_not_null())
        .with_columns(
            pl.struct(ROW_KEY).hash(_SEED).alias("_key"),
            pl.struct(values).hash(_SEED).alias("_values"),
        )
    )


def _decoded(changes: pl.DataFrame) -> pl.DataFrame:
    """Regular scores of the changed rows as lists; text that differed only in its writing
    (``7`` against ``7.0``) is no change."""
    as_list = pl.List(pl.Float64)
    out = changes.with_columns(
        pl.col(f"{side}_regular_scores").str.json_decode(as_list) for side in ("before", "after")
    ).with_columns(field_differs("regular_scores", "before", "after").alias("c_regular_scores"))
    changed = pl.any_horizontal([pl.col(f"c_{f}") for f in FIELDS])
    return out.filter(changed | pl.col("added") | pl.col("removed"))


def _approved(
    changes: pl.DataFrame, approvals: pl.DataFrame | None, before: dt.date, after: dt.date
) -> pl.DataFrame:
    """Drop the changes an approval recorded between the two nights covers. An approval with
    no school year, term or subject covers every one of them."""
    if approvals is None or approvals.height == 0 or changes.height == 0:
        return changes
    day = pl.col("approved_at").cast(pl.Date)
    blank = pl.lit(None, dtype=pl.Utf8)
    valid = approvals.filter((day >= before) & (day <= after)).select(
        "school_code",
        pl.col("local_id").alias("student_key"),
        *[
            (pl.col(c).cast(pl.Utf8) if c in approvals.columns else blank)
            .fill_null("")
            .alias(f"a_{c}")
            for c in ("school_year", "term", "subject")
        ],
    )
    covered = (
        changes.select(ROW_KEY)
        .join(valid, on=STUDENT)
        .filter(
            pl.all_horizontal(
                [
                    (pl.col(f"a_{c}") == "") | (pl.col(f"a_{c}") == pl.col(c))
                    for c in ("school_year", "term", "subject")
                ]
            )
        )
        .select(ROW_KEY)
        .unique()
    )
    return changes.join(covered, on=ROW_KEY, how="anti")


def _derived(changes: pl.DataFrame) -> pl.DataFrame:
    """Drop year rows whose only change is the average while a term row of the same subject
    changed too: the year average follows the terms', it was not edited on its own."""
    subject = [*STUDENT, "school_year", "subject"]
    term_edits = changes.filter(pl.col("term") != "year").select(subject).unique()
    only_average = (
        (pl.col("term") == "year")
        & pl.col("c_average")
        & ~pl.col("added")
        & ~pl.col("removed")
        & ~pl.any_horizontal([pl.col(f"c_{f}") for f in FIELDS if f != "average"])
    )
    follows = changes.filter(only_average).join(term_edits, on=subject, how="semi")
    return changes.join(follows.select(ROW_KEY), on=ROW_KEY, how="anti")


def locked_period_edits(
    before: GradeSnapshot,
    after: GradeSnapshot,
    *,
    calendar: SchoolCalendar,
    approvals: pl.DataFrame | None = None,
    lock_grace_days: int = DEFAULT_LOCK_GRACE_DAYS,
) -> pl.DataFrame:
    """One conflict per subject row of a locked term that changed, was added or was removed
    between ``before`` and ``after`` with no approval covering it.

    Only students present in both snapshots are compared (a student who left or arrived is a
    transfer, not an edit), and only terms already locked on ``before.night``.
    ``approvals``: rows of the ``grade_approval`` table.
    """
    locked = _locked(calendar, before.night, lock_grace_days)
    old = _rows(before, "before").filter(locked)
    new = _rows(after, "after").filter(locked)
    students = old.select(STUDENT).unique().join(new.select(STUDENT).unique(), on=STUDENT)
    old = old.join(students, on=STUDENT, how="semi")
    new = new.join(students, on=STUDENT, how="semi")
    # rows the same on both nights (most of them) leave by a join on two hashes; the few
    # others are compared field by field
    same = old.select("_key", "_values").join(new.select("_key", "_values"), on=["_key", "_values"])
    old = old.join(same, on=["_key", "_values"], how="anti").drop("_key", "_values")
    new = new.join(same, on=["_key", "_values"], how="anti").drop("_key", "_values")
    both = (
        old.join(new, on=ROW_KEY, how="full", coalesce=True)
        .with_columns([field_differs(f, "before", "after").alias(f"c_{f}") for f in FIELDS])
        .with_columns(
            pl.col("before_record_id").is_null().alias("added"),
            pl.col("after_record_id").is_null().alias("removed"),
        )
    )
    changes = both.filter(
        pl.any_horizontal([pl.col(f"c_{f}") for f in FIELDS]) | pl.col("added") | pl.col("removed")
    )
    changes = _approved(_derived(_decoded(changes)), approvals, before.night, after.night)
    return frame(
        [
            _conflict(r, before.night, after.night)
            for r in changes.sort(ROW_KEY).iter_rows(named=True)
        ]
    )


def _value(row: dict[str, Any], side: str, field: str) -> Any:
    return row[f"{side}_{field}"]


def _conflict(r: dict[str, Any], before: dt.date, after: dt.date) -> dict[str, Any]:
    if r["added"] or r["removed"]:
        changed = ["row"]
        what = LOCKED_VI["ADDED"] if r["added"] else LOCKED_VI["REMOVED"]
        described = f"{LOCKED_VI['FIELD']['row']} {what}"
    else:
        changed = [f for f in FIELDS if r[f"c_{f}"]]
        described = ", ".join(LOCKED_VI["FIELD"][f] for f in changed)
    fields = {
        f: {"before": _value(r, "before", f), "after": _value(r, "after", f)}
        for f in FIELDS
        if r["added"] or r["removed"] or r[f"c_{f}"]
    }
    evidence = {
        "school_year": r["school_year"],
        "term": r["term"],
        "subject": r["subject"],
        "student_key": r["student_key"],
        "before_night": before,
        "after_night": after,
        "changed": changed,
        "fields": fields,
        "approval": None,
    }
    name = r["after_name"] or r["before_name"] or "(không tên)"
    cls = r["after_class"] or r["before_class"]
    klass = f"lớp {cls}, trường {r['school_code']}" if cls else LOCKED_VI["NO_CLASS"]
    record_ids = [i for i in (r["before_record_id"], r["after_record_id"]) if i]
    return {
        "conflict_id": conflict_id("LOCKED_PERIOD_EDITED", [r[k] for k in ROW_KEY]),
        "type": "LOCKED_PERIOD_EDITED",
        "severity": severity_of("LOCKED_PERIOD_EDITED"),
        "school_code": r["school_code"],
        "record_ids": sorted(set(record_ids)),
        "evidence": to_json(evidence),
        "suggested_fix": LOCKED_VI["FIX"],
        "message_vi": LOCKED_VI["LOCKED_PERIOD_EDITED"].format(
            subject=subject_name(r["subject"]),
            term=LOCKED_VI["TERM"].get(r["term"], r["term"]),
            year=r["school_year"],
            name=name,
            klass=klass,
            changes=described,
        ),
    }
