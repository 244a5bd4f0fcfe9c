"""Precision and recall per conflict type (transfers, grades, locked grades, sync) against the
simulator's ground truth, with the seconds each family of rules takes; prints JSON.

Target (issue 5): precision ≥ 0.98 and recall ≥ 0.95 per type.

    .venv/bin/python -m bench.bench_conflicts                 # 10 k and 100 k students
    .venv/bin/python -m bench.bench_conflicts 10000           # chosen sizes
    .venv/bin/python -m bench.bench_conflicts 10000 --linkage # identities from the linkage engine

Identities are the simulator's truth (``District.persons``) unless ``--linkage`` asks for the
linkage engine's clusters (``reconcile.service.split_and_link``: vendor→registry links joined
with the registry's own duplicate clusters), which measures the transfer rules on top of the
engine's own errors. The second night for LOCKED_PERIOD_EDITED comes from
``simulate.next_night`` when it runs, otherwise from an edited copy of the first night.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import numpy as np
import polars as pl

import simulate
from bench._measure import peak_rss_mib
from reconcile.conflicts.grades import grade_conflicts
from reconcile.conflicts.locked import GradeSnapshot, locked_period_edits
from reconcile.conflicts.sync import SchoolCalendar, sync_overdue
from reconcile.conflicts.transfers import transfer_conflicts

QUICK_ARGS = [10_000]
SEED = 1
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.95
TRANSFER_TYPES = (
    "TRANSFER_UNRECEIVED",
    "DUAL_ENROLLMENT",
    "TRANSFER_CODE_CHANGED",
    "TRANSFER_RECORD_MISMATCH",
)


def score(found: pl.DataFrame, truth: pl.DataFrame, kind: str) -> dict:
    """A conflict is right when it names a record (or, for school-level types, the school) of a
    true problem of its type; a problem is found when some conflict of its type names it."""
    mine = found.filter(pl.col("type") == kind)
    real = truth.filter(pl.col("problem") == kind)
    if kind == "SYNC_OVERDUE":
        named = [{s} for s in mine["school_code"].to_list()]
        wanted = [{s} for s in real["school_code"].to_list()]
    else:
        named = [set(ids) for ids in mine["record_ids"].to_list()]
        pairs = real.select("record_id", "other_record_id").rows()
        wanted = [{r, o} - {None, ""} for r, o in pairs]
    true_ids = set().union(*wanted) if wanted else set()
    listed = set().union(*named) if named else set()
    right = sum(1 for ids in named if ids & true_ids)
    found_n = sum(1 for ids in wanted if ids & listed)
    precision = right / len(named) if named else (1.0 if not wanted else 0.0)
    recall = found_n / len(wanted) if wanted else 1.0
    return {
        "conflicts": len(named),
        "truth": len(wanted),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "meets_target": precision >= TARGET_PRECISION and recall >= TARGET_RECALL,
    }


def _identities(district: simulate.District, linkage: bool) -> pl.DataFrame:
    if not linkage:
        return district.persons.select(
            "record_id", pl.col("person_id").cast(pl.Utf8).alias("identity_id")
        )
    from reconcile.cluster import clusters
    from reconcile.service import split_and_link

    _vendor, _registry, links, registry_links, _conflicts = split_and_link(district.records)
    # a person's identity = vendor→registry links joined with the registry's own duplicates
    # (a transfer that got a new code leaves two registry rows of one person)
    groups = pl.concat(
        [
            links.clusters.select("id", ("L:" + pl.col("cluster_id")).alias("group")),
            registry_links.clusters.select("id", ("R:" + pl.col("cluster_id")).alias("group")),
        ]
    )
    nodes = pl.concat([groups["id"], groups["group"]]).unique(maintain_order=True)
    index = {name: i for i, name in enumerate(nodes.to_list())}
    left = [index[i] for i in groups["id"].to_list()]
    right = [index[g] for g in groups["group"].to_list()]
    merged = clusters(nodes, np.array(left), np.array(right))
    return merged.filter(~pl.col("id").str.contains(r"^[LR]:")).select(
        pl.col("id").alias("record_id"), pl.col("cluster_id").alias("identity_id")
    )


def _second_night(district: simulate.District) -> tuple[simulate.District | None, str]:
    try:
        return simulate.next_night(district), "simulate.next_night"
    except Exception as exc:  # noqa: BLE001 - the simulator's night is optional for this bench
        return None, f"edited copy (simulate.next_night failed: {type(exc).__name__})"


def _edited_copy(district: simulate.District) -> tuple[GradeSnapshot, pl.DataFrame, pl.DataFrame]:
    """Re-keyed records and grades; every 997th term-1 final changed, half with an approval."""

    def renumber(col: str) -> pl.Expr:
        return pl.col(col).str.replace(r"^(\w+):(\d+):", "${1}:9${2}:")

    vendor = district.records.filter(pl.col("source") != "moet")
    edit = (pl.int_range(pl.len()) % 997 == 0) & (pl.col("term") == "1")
    results = district.subject_results.with_columns(renumber("record_id"), edit.alias("edited"))
    results = results.with_columns(
        pl.when("edited").then(10.0 - pl.col("final")).otherwise(pl.col("final")).alias("final")
    )
    edited = results.filter(pl.col("edited") & pl.col("final").is_not_null()).filter(
        pl.col("final") != 5.0
    )
    local = vendor.select(renumber("record_id"), "school_code", "local_id")
    marked = edited.join(local, on="record_id").with_row_index()
    approvals = marked.filter(pl.col("index") % 2 == 0).select(
        "school_code", "local_id", "subject", "term",
        pl.lit(district.night + dt.timedelta(days=1)).alias("approved_at"),
    )  # fmt: skip
    truth = marked.filter(pl.col("index") % 2 == 1).select(
        pl.lit("LOCKED_PERIOD_EDITED").alias("problem"), "record_id",
        pl.lit(None, dtype=pl.Utf8).alias("other_record_id"),
    )  # fmt: skip
    after = GradeSnapshot(
        district.night + dt.timedelta(days=1),
        vendor.with_columns(renumber("record_id")),
        results.drop("edited"),
    )
    return after, approvals, truth


def run(students: int, linkage: bool = False) -> dict:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    district = simulate.generate(students, SEED)
    subjects, terms = district.subject_results, district.term_results
    timings["simulate"] = time.perf_counter() - started

    started = time.perf_counter()
    identities = _identities(district, linkage)
    timings["identities"] = time.perf_counter() - started

    started = time.perf_counter()
    transfers = transfer_conflicts(
        district.records, identities, night=district.night, subject_results=subjects
    )
    timings["transfers"] = time.perf_counter() - started

    started = time.perf_counter()
    grades = grade_conflicts(subjects, terms, district.records)
    timings["grades"] = time.perf_counter() - started

    calendar = SchoolCalendar.from_mapping(simulate.school_calendar(district.night))
    started = time.perf_counter()
    sync = sync_overdue(district.schools, night=district.night, calendar=calendar)
    timings["sync"] = time.perf_counter() - started

    later, locked_source = _second_night(district)
    vendor = district.records.filter(pl.col("source") != "moet")
    before = GradeSnapshot(district.night, vendor, subjects)
    if later is not None:
        after = GradeSnapshot(
            later.night, later.records.filter(pl.col("source") != "moet"), later.subject_results
        )
        approvals = later.approvals
        locked_truth = later.problems.filter(pl.col("problem") == "LOCKED_PERIOD_EDITED")
    else:
        after, approvals, locked_truth = _edited_copy(district)
    started = time.perf_counter()
    locked = locked_period_edits(before, after, calendar=calendar, approvals=approvals)
    timings["locked"] = time.perf_counter() - started

    found = pl.concat([transfers, grades, sync, locked], how="vertical")
    truth = pl.concat(
        [district.problems.select("problem", "record_id", "other_record_id", "school_code"),
         locked_truth.select("problem", "record_id", "other_record_id").with_columns(
             pl.lit(None, dtype=pl.Utf8).alias("school_code"))],
        how="vertical_relaxed",
    )  # fmt: skip
    kinds = [*TRANSFER_TYPES, "GRADE_AVERAGE_MISMATCH", "LOCKED_PERIOD_EDITED", "SYNC_OVERDUE"]
    per_type = {kind: score(found, truth, kind) for kind in kinds}
    return {
        "students": students,
        "seed": SEED,
        "records": district.records.height,
        "subject_results": subjects.height,
        "identities": "linkage engine" if linkage else "simulator truth",
        "locked_second_night": locked_source,
        "per_type": per_type,
        "not_in_truth": {
            "GRADE_ASSESSMENTS_MISSING": grades.filter(
                pl.col("type") == "GRADE_ASSESSMENTS_MISSING"
            ).height
        },
        "all_meet_target": all(v["meets_target"] for v in per_type.values()),
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "peak_rss_mib": peak_rss_mib(),
    }


def main(args: list) -> None:
    linkage = "--linkage" in args
    sizes = [int(a) for a in args if str(a) != "--linkage"] or [10_000, 100_000]
    runs = [run(n, linkage) for n in sizes]
    print(json.dumps({"benchmark": "conflict rules vs ground truth", "runs": runs}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
