"""Transfer conflicts: students in limbo between schools, or carried over wrongly.

A transfer is followed by *identity* (the linkage engine's clusters: one person's records across
schools, vendors, districts and provinces), never by identity code, because a changed code is one
of the problems we look for. Registry rows (``REGISTRY_SOURCE``) take part like any school's
record: the sector database is where a school outside our district shows up.

Pure functions over polars frames; ``night`` is passed in. Only the (few) conflicting groups are
formatted one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

from doisoat.model import REGISTRY_SOURCE, stable_key, stable_key_expr
from reconcile.conflicts.base import conflict, frame
from reconcile.conflicts.grades import subject_name
from reconcile.conflicts.locked import FIELDS as GRADE_FIELDS
from reconcile.conflicts.locked import field_differs, side_grades
from reconcile.messages import TRANSFERS_VI
from reconcile.student import repair_codes

DEFAULT_GRACE_DAYS = 15
SubjectsOf = Callable[[pl.Series], pl.DataFrame]  # record ids → their subject results
KIND_UNRECEIVED, KIND_DUAL = "TRANSFER_UNRECEIVED", "DUAL_ENROLLMENT"
KIND_CODE, KIND_RECORDS = "TRANSFER_CODE_CHANGED", "TRANSFER_RECORD_MISMATCH"
ACTIVE_STATUSES = ("studying", "transferred_in", "repeating")
MAX_DIFFERENCES = 40


def _row(
    kind: str,
    keys: list[str],
    school: str | None,
    record_ids: list[str],
    evidence: dict[str, Any],
    fix: str,
    message: str,
) -> dict[str, Any]:
    """One conflict row (``reconcile.conflicts.base.conflict``)."""
    return conflict(kind, keys, school, record_ids, evidence, fix, message)


def _date_vi(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else TRANSFERS_VI["NO_DATE"]


# -- preparation ---------------------------------------------------------------------------------
def prepare(records: pl.DataFrame, identities: pl.DataFrame) -> pl.DataFrame:
    """Records with ``identity_id`` (a record the linkage left alone is its own identity),
    ``code_key`` (the repaired identity code), ``person_key`` (what names the person in conflict
    ids: the registry codes of the identity, else the records' stable keys) and ``active``."""
    ids = identities.select(
        pl.col("record_id").cast(pl.Utf8), pl.col("identity_id").cast(pl.Utf8)
    ).unique(subset="record_id", keep="first")
    out = records.join(ids, on="record_id", how="left").with_columns(
        pl.col("identity_id").fill_null(pl.col("record_id")),
        repair_codes(records["moet_code"])["code_key"],
        stable_key_expr().alias("stable"),
        pl.col("status").is_in(list(ACTIVE_STATUSES)).alias("active"),
        (pl.col("source") == REGISTRY_SOURCE).alias("is_registry"),
    )
    registry_codes = (
        out.filter(pl.col("is_registry") & pl.col("code_key").is_not_null())
        .group_by("identity_id")
        .agg(pl.col("code_key").unique().sort().alias("registry_codes"))
    )
    vendor_keys = (
        out.filter(~pl.col("is_registry"))
        .group_by("identity_id")
        .agg(pl.col("stable").unique().sort().alias("vendor_keys"))
    )
    out = out.join(registry_codes, on="identity_id", how="left").join(
        vendor_keys, on="identity_id", how="left"
    )
    person_key = (
        pl.when(pl.col("registry_codes").list.len() > 0)
        .then(pl.col("registry_codes").list.join(","))
        .otherwise(pl.col("vendor_keys").list.join(","))
    )
    return out.with_columns(person_key.fill_null(pl.col("stable")).alias("person_key"))


def _name_of(rows: list[dict[str, Any]]) -> str:
    """The vendor's spelling first (what the school sees), else the registry's."""
    for row in sorted(rows, key=lambda r: r["source"] == REGISTRY_SOURCE):
        if row.get("full_name"):
            return str(row["full_name"])
    return TRANSFERS_VI["NO_NAME"]


_VIEW = (
    "record_id",
    "source",
    "school_code",
    "local_id",
    "moet_code",
    "class_name",
    "status",
    "status_date",
    "transfer_school_code",
)


def _record_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in _VIEW}


def _groups(
    frame_: pl.DataFrame, by: list[str], then: tuple[str, ...] | list[str] = ("record_id",)
) -> list[tuple[tuple, list[dict]]]:
    """Group the (few) conflicting rows in Python, in a stable order."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in frame_.sort([*by, *then], nulls_last=True).iter_rows(named=True):
        groups.setdefault(tuple(row[c] for c in by), []).append(row)
    return list(groups.items())


# -- TRANSFER_UNRECEIVED --------------------------------------------------------------------------
def unreceived_transfers(
    prepared: pl.DataFrame, *, night: dt.date, grace_days: int = DEFAULT_GRACE_DAYS
) -> pl.DataFrame:
    """Transferred out more than ``grace_days`` before ``night`` and active at no other school.

    A transfer without a date cannot be timed: it is reported (the school must fill the date in).
    """
    out = prepared.filter(pl.col("status") == "transferred_out")
    active = prepared.filter(pl.col("active")).select(
        "identity_id", pl.col("school_code").alias("active_school")
    )
    received = (
        out.select("record_id", "identity_id", "school_code")
        .join(active, on="identity_id", how="inner")
        .filter(pl.col("active_school") != pl.col("school_code"))
        .select("record_id")
        .unique()
    )
    deadline = pl.lit(night) - pl.duration(days=grace_days)
    waiting = out.join(received, on="record_id", how="anti").filter(
        pl.col("status_date").is_null() | (pl.col("status_date") < deadline)
    )
    rows = []
    for (person_key, school), group in _groups(waiting, ["person_key", "school_code"]):
        dates = [r["status_date"] for r in group if r["status_date"] is not None]
        when = min(dates) if dates else None
        targets = sorted({r["transfer_school_code"] for r in group if r["transfer_school_code"]})
        to = ", ".join(targets) or TRANSFERS_VI["UNKNOWN_SCHOOL"]
        days = (night - when).days if when else None
        name = _name_of(group)
        evidence = {
            "status_date": when,
            "days_since_transfer": days,
            "grace_days": grace_days,
            "destination_schools": targets,
            "enrolled_elsewhere": False,
            "records": [_record_view(r) for r in group],
        }
        fix = TRANSFERS_VI["TRANSFER_UNRECEIVED_FIX"].format(to=to, name=name, school=school)
        message = TRANSFERS_VI["TRANSFER_UNRECEIVED"].format(
            name=name, school=school, date=_date_vi(when), to=to, days=days or "?"
        )
        ids = [r["record_id"] for r in group]
        rows.append(
            _row(KIND_UNRECEIVED, [person_key, school], school, ids, evidence, fix, message)
        )
    return frame(rows)


# -- DUAL_ENROLLMENT ------------------------------------------------------------------------------
def _sending_school(group: list[dict[str, Any]], schools: list[str]) -> tuple[str | None, ...]:
    """(sending, receiving): the receiving school's transferred-in row names where it came from."""
    for row in group:
        origin = row["transfer_school_code"]
        if row["status"] == "transferred_in" and origin in schools and origin != row["school_code"]:
            return origin, row["school_code"]
    return None, None


def dual_enrollments(prepared: pl.DataFrame) -> pl.DataFrame:
    """One person active (studying, transferred in, repeating) at two or more schools."""
    active = prepared.filter(pl.col("active"))
    multi = (
        active.group_by("identity_id")
        .agg(pl.col("school_code").n_unique().alias("n_schools"))
        .filter(pl.col("n_schools") >= 2)
    )
    rows = []
    involved = active.join(multi.select("identity_id"), on="identity_id", how="semi")
    for (_identity,), group in _groups(involved, ["identity_id"]):
        schools = sorted({r["school_code"] for r in group})
        sending, receiving = _sending_school(group, schools)
        name = _name_of(group)
        evidence = {
            "schools": schools,
            "sending_school": sending,
            "receiving_school": receiving,
            "records": [_record_view(r) for r in group],
        }
        fix = (
            TRANSFERS_VI["DUAL_ENROLLMENT_FIX"].format(
                sending=sending, receiving=receiving, name=name
            )
            if sending
            else TRANSFERS_VI["DUAL_ENROLLMENT_FIX_UNKNOWN"].format(name=name)
        )
        message = TRANSFERS_VI["DUAL_ENROLLMENT"].format(
            name=name, count=len(schools), schools=", ".join(schools)
        )
        keys, ids = [group[0]["person_key"], *schools], [r["record_id"] for r in group]
        rows.append(_row(KIND_DUAL, keys, sending or schools[0], ids, evidence, fix, message))
    return frame(rows)


# -- TRANSFER_CODE_CHANGED ------------------------------------------------------------------------
def changed_codes(prepared: pl.DataFrame) -> pl.DataFrame:
    """A transferred-in record holds a registry code of the person other than the one the
    person held at another school. Both codes must be the registry's codes *of this person*: a
    code belonging to someone else is an identity conflict (ID_MISMATCH), not a transfer one."""
    own = prepared.filter(
        pl.col("code_key").is_not_null()
        & pl.col("registry_codes").is_not_null()
        & pl.col("registry_codes").list.contains(pl.col("code_key"))
    )
    incoming = own.filter(pl.col("status") == "transferred_in")
    earlier = own.select(
        "identity_id",
        pl.col("record_id").alias("old_record_id"),
        pl.col("school_code").alias("old_school"),
        pl.col("code_key").alias("old_code"),
    )
    pairs = incoming.join(earlier, on="identity_id", how="inner").filter(
        (pl.col("old_school") != pl.col("school_code")) & (pl.col("old_code") != pl.col("code_key"))
    )
    rows = []
    by_record = {
        r["record_id"]: r
        for r in own.filter(
            pl.col("identity_id").is_in(pairs["identity_id"].unique().implode())
        ).iter_rows(named=True)
    }
    for (person_key, school), group in _groups(pairs, ["person_key", "school_code"]):
        new_codes = sorted({r["code_key"] for r in group})
        old_codes = sorted({r["old_code"] for r in group})
        previous = sorted({r["old_school"] for r in group})
        involved = sorted({r["record_id"] for r in group} | {r["old_record_id"] for r in group})
        name = _name_of([by_record[i] for i in involved])
        evidence = {
            "new_codes": new_codes,
            "old_codes": old_codes,
            "receiving_school": school,
            "previous_schools": previous,
            "records": [_record_view(by_record[i]) for i in involved],
        }
        old, new = ", ".join(old_codes), ", ".join(new_codes)
        fix = TRANSFERS_VI["TRANSFER_CODE_CHANGED_FIX"].format(old=old, new=new, name=name)
        message = TRANSFERS_VI["TRANSFER_CODE_CHANGED"].format(
            name=name, school=school, new=new, old=old, previous=", ".join(previous)
        )
        keys = [person_key, school, *new_codes]
        rows.append(_row(KIND_CODE, keys, school, involved, evidence, fix, message))
    return frame(rows)


# -- TRANSFER_RECORD_MISMATCH ---------------------------------------------------------------------
def record_mismatches(
    prepared: pl.DataFrame, subject_results: pl.DataFrame | SubjectsOf
) -> pl.DataFrame:
    """The receiving school's copy of the terms the sending school holds differs from it.

    Compared: the assessments (regular, midterm, final scores; comment ratings) and, where a row
    has no assessments (year rows), the average. An average that alone differs while the scores
    agree is one school's arithmetic, which the grade check reports (GRADE_AVERAGE_MISMATCH).
    Only terms both schools hold are compared: a school that imports no earlier terms holds
    nothing that can disagree.
    """
    vendor = prepared.filter(~pl.col("is_registry"))
    receiving = vendor.filter(pl.col("status") == "transferred_in").select(
        "identity_id",
        "person_key",
        pl.col("record_id").alias("receiving_record_id"),
        pl.col("school_code").alias("receiving_school"),
        "transfer_school_code",
    )
    sending = vendor.select(
        "identity_id",
        pl.col("record_id").alias("sending_record_id"),
        pl.col("school_code").alias("sending_school"),
        pl.col("status").alias("sending_status"),
    )
    pairs = receiving.join(sending, on="identity_id", how="inner").filter(
        (pl.col("sending_school") != pl.col("receiving_school"))
        & (
            (pl.col("sending_school") == pl.col("transfer_school_code"))
            | (pl.col("sending_status") == "transferred_out")
        )
    )
    if pairs.height == 0:
        return frame([])
    if callable(subject_results):
        subject_results = subject_results(
            pl.concat([pairs["sending_record_id"], pairs["receiving_record_id"]])
        )
    send = side_grades(subject_results, "sending", pairs["sending_record_id"])
    recv = side_grades(subject_results, "receiving", pairs["receiving_record_id"])
    terms_both = (
        pairs.select("sending_record_id", "receiving_record_id")
        .join(
            send.select("sending_record_id", "school_year", "term").unique(), on="sending_record_id"
        )
        .join(
            recv.select("receiving_record_id", "school_year", "term").unique(),
            on=["receiving_record_id", "school_year", "term"],
            how="semi",
        )
    )
    keys = ["school_year", "term", "subject"]
    left = terms_both.join(send, on=["sending_record_id", "school_year", "term"], how="left")
    right = terms_both.join(recv, on=["receiving_record_id", "school_year", "term"], how="left")
    both = left.join(
        right, on=["sending_record_id", "receiving_record_id", *keys], how="full", coalesce=True
    )
    assessed = (
        pl.col("sending_midterm").is_not_null()
        | pl.col("receiving_midterm").is_not_null()
        | (pl.col("sending_regular_scores").list.len() > 0)
        | (pl.col("receiving_regular_scores").list.len() > 0)
    )
    flags = [
        (field_differs(f, "sending", "receiving") & (~assessed if f == "average" else True)).alias(
            f"d_{f}"
        )
        for f in GRADE_FIELDS
    ]
    both = both.with_columns(
        pl.col("sending_regular_scores").is_null().alias("no_sending_row"),
        pl.col("receiving_regular_scores").is_null().alias("no_receiving_row"),
    ).with_columns(flags)
    any_diff = pl.any_horizontal([pl.col(f"d_{f}") for f in GRADE_FIELDS])
    diffs = both.filter(any_diff | pl.col("no_sending_row") | pl.col("no_receiving_row"))
    return _mismatch_rows(diffs, prepared)


def _mismatch_rows(diffs: pl.DataFrame, prepared: pl.DataFrame) -> pl.DataFrame:
    if diffs.height == 0:
        return frame([])
    wanted = pl.concat([diffs["sending_record_id"], diffs["receiving_record_id"]]).unique()
    info = {
        r["record_id"]: r
        for r in prepared.filter(pl.col("record_id").is_in(wanted.implode())).iter_rows(named=True)
    }
    rows = []
    for (send_id, recv_id), group in _groups(
        diffs, ["sending_record_id", "receiving_record_id"], then=["school_year", "term", "subject"]
    ):
        sender, receiver = info[send_id], info[recv_id]
        differences = []
        for row in group:
            where = {k: row[k] for k in ("school_year", "term", "subject")}
            if row["no_sending_row"] or row["no_receiving_row"]:
                held = {
                    "sending": not row["no_sending_row"],
                    "receiving": not row["no_receiving_row"],
                }
                differences.append({**where, "field": "subject", **held})
                continue
            differences += [
                {
                    **where,
                    "field": f,
                    "sending": row[f"sending_{f}"],
                    "receiving": row[f"receiving_{f}"],
                }
                for f in GRADE_FIELDS
                if row[f"d_{f}"]
            ]
        subjects = sorted({d["subject"] for d in differences})
        name = _name_of([receiver, sender])
        evidence = {
            "sending_school": sender["school_code"],
            "receiving_school": receiver["school_code"],
            "sending_record": _record_view(sender),
            "receiving_record": _record_view(receiver),
            "differences": differences[:MAX_DIFFERENCES],
            "difference_count": len(differences),
        }
        keys = [
            receiver["person_key"],
            receiver["school_code"],
            sender["school_code"],
            stable_key(sender["source"], sender["school_code"], sender["local_id"]),
            stable_key(receiver["source"], receiver["school_code"], receiver["local_id"]),
        ]
        sending, receiving = sender["school_code"], receiver["school_code"]
        fix = TRANSFERS_VI["TRANSFER_RECORD_MISMATCH_FIX"].format(
            sending=sending, receiving=receiving
        )
        message = TRANSFERS_VI["TRANSFER_RECORD_MISMATCH"].format(
            name=name,
            receiving=receiving,
            sending=sending,
            count=len(differences),
            subjects=", ".join(subject_name(c) for c in subjects),
        )
        rows.append(_row(KIND_RECORDS, keys, receiving, [send_id, recv_id], evidence, fix, message))
    return frame(rows)


def transfer_conflicts(
    records: pl.DataFrame,
    identities: pl.DataFrame,
    *,
    night: dt.date,
    subject_results: pl.DataFrame | SubjectsOf | None = None,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> pl.DataFrame:
    """Every transfer conflict of a night.

    ``records``: canonical student records of every source, the registry's included;
    ``identities``: ``record_id`` → ``identity_id`` from the linkage engine; ``subject_results``:
    canonical subject results (needed for TRANSFER_RECORD_MISMATCH only), or a function that
    reads those of the records it is given (a province's grades need not all be in memory).
    """
    prepared = prepare(records, identities)
    parts = [
        unreceived_transfers(prepared, night=night, grace_days=grace_days),
        dual_enrollments(prepared),
        changed_codes(prepared),
    ]
    if subject_results is not None:
        parts.append(record_mismatches(prepared, subject_results))
    return pl.concat(parts, how="vertical")
