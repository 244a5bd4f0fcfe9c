"""Worklist items: one row per open conflict, with the student it is about and the evidence.

The student shown is the conflict's own school's vendor record when there is one (that is the
record the school can fix), else any vendor record, else the registry's. Items are in roster
order (given name, middle name, family name, Vietnamese collation), so a school officer finds a
student where the class list has them.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from doisoat.vn import roster_sort_key
from reports import catalog, evidence, messages
from reports.build import NO_SCHOOL, open_conflicts
from reports.inputs import ReportInputs

ITEM_COLUMNS = (
    "conflict_id",
    "type",
    "family",
    "severity",
    "status",
    "school_code",
    "record_ids",
    "family_name",
    "middle_name",
    "given_name",
    "full_name",
    "class_name",
    "dob",
    "moet_code",
    "person_record_id",
    "message_vi",
    "evidence",
    "evidence_text",
    "suggested_fix",
    "first_seen",
    "nights_open",
    "acknowledged_by",
    "acknowledged_reason",
)


def _primary_people(opened: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    ids = (
        opened.select(
            "conflict_id",
            pl.col("school_code").alias("_conflict_school"),
            pl.col("record_ids").str.json_decode(pl.List(pl.String)).alias("record_id"),
        )
        .explode("record_id")
        .with_columns(pl.int_range(pl.len()).over("conflict_id").alias("_pos"))
        .drop_nulls("record_id")
    )
    joined = ids.join(people.unique("record_id"), on="record_id", how="inner")
    # The student shown is the conflict's own school's: its record, else the registry's
    # (about this school or none), and only then another school's (a school's worklist hides
    # that one, see reports.school_view).
    own_school = pl.col("school_code") == pl.col("_conflict_school")
    registry = pl.col("source") == REGISTRY_SOURCE
    rank = (
        pl.when(~registry & own_school)
        .then(0)
        .when(registry & (own_school | pl.col("school_code").is_null()))
        .then(1)
        .when(registry)
        .then(2)
        .otherwise(3)
    )
    return (
        joined.with_columns(rank.alias("_rank"))
        .sort("conflict_id", "_rank", "_pos")
        .unique("conflict_id", keep="first")
        .select(
            "conflict_id",
            "family_name",
            "middle_name",
            "given_name",
            "full_name",
            "class_name",
            "dob",
            "moet_code",
            pl.col("record_id").alias("person_record_id"),
        )
    )


def worklist_items(inputs: ReportInputs) -> pl.DataFrame:
    """Every open conflict as a worklist row, sorted by school, family, then roster order."""
    opened = open_conflicts(inputs)
    people = _primary_people(opened, inputs.people)
    items = opened.join(people, on="conflict_id", how="left").with_columns(
        pl.col("school_code").fill_null(NO_SCHOOL),
        pl.col("type").replace_strict(catalog.TYPE_FAMILY, default="other").alias("family"),
        ((pl.lit(inputs.night) - pl.col("first_seen")).dt.total_days() + 1)
        .fill_null(1)
        .cast(pl.Int64)
        .alias("nights_open"),
        pl.col("evidence")
        .map_elements(evidence.text, return_dtype=pl.String, skip_nulls=False)
        .alias("evidence_text"),
    )
    keys = [
        (
            catalog.FAMILY_ORDER.index(fam) if fam in catalog.FAMILY_ORDER else 99,
            not (given or family),  # items without a student (school-level) go last
            roster_sort_key(family or "", middle or "", given or ""),
            class_name or "",
            catalog.severity_rank(sev),
            catalog.type_rank(kind),
            cid,
        )
        for fam, given, family, middle, class_name, sev, kind, cid in zip(
            items["family"],
            items["given_name"],
            items["family_name"],
            items["middle_name"],
            items["class_name"],
            items["severity"],
            items["type"],
            items["conflict_id"],
            strict=True,
        )
    ]
    codes = items["school_code"].to_list()
    order = sorted(range(items.height), key=lambda i: (codes[i], keys[i]))
    return items[order].select(ITEM_COLUMNS)


def item_records(items: pl.DataFrame) -> list[dict[str, Any]]:
    """Items as the JSON report lists them."""
    out = []
    for r in items.iter_rows(named=True):
        out.append(
            {
                "conflict_id": r["conflict_id"],
                "type": r["type"],
                "label": messages.CONFLICT_TYPES.get(r["type"], r["type"]),
                "family": r["family"],
                "severity": r["severity"],
                "status": r["status"],
                "record_ids": json.loads(r["record_ids"] or "[]"),
                "student": {
                    "full_name": r["full_name"],
                    "class_name": r["class_name"],
                    "dob": r["dob"].isoformat() if r["dob"] else None,
                    "moet_code": r["moet_code"],
                },
                "message_vi": r["message_vi"] or "",
                "evidence": evidence.parse(r["evidence"]),
                "suggested_fix": r["suggested_fix"] or "",
                "first_seen": r["first_seen"].isoformat() if r["first_seen"] else None,
                "nights_open": int(r["nights_open"]),
                "acknowledged_by": r["acknowledged_by"],
                "acknowledged_reason": r["acknowledged_reason"],
            }
        )
    return out
