"""Accuracy against a simulated district's ground truth (used by the tests and the benchmark).

Identity links are judged per vendor record: right if linked to a registry record of the same
person, wrong if linked to someone else, missed if the person is in the registry but no link was
made. A conflict is right if it names a record the truth names for that type.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from reconcile.conflicts.identity import IDENTITY_TYPES


def link_accuracy(
    matches: pl.DataFrame, persons: pl.DataFrame, vendor_ids: pl.Series, registry_ids: pl.Series
) -> dict[str, float]:
    """``matches``: left_id (vendor) → right_id (registry) accepted links."""
    who = persons.select(pl.col("record_id"), pl.col("person_id"))
    registered = who.filter(pl.col("record_id").is_in(registry_ids.implode()))["person_id"]
    vendor = who.filter(pl.col("record_id").is_in(vendor_ids.implode())).with_columns(
        pl.col("person_id").is_in(registered.implode()).alias("in_registry")
    )
    judged = (
        matches.select("left_id", "right_id")
        .join(who.rename({"record_id": "left_id", "person_id": "p_left"}), on="left_id", how="left")
        .join(
            who.rename({"record_id": "right_id", "person_id": "p_right"}), on="right_id", how="left"
        )
    )
    right = judged.filter(pl.col("p_left") == pl.col("p_right"))
    correct = right.height
    wrong = judged.height - correct
    should = vendor.filter(pl.col("in_registry")).height
    precision = correct / max(correct + wrong, 1)
    recall = right["left_id"].n_unique() / max(should, 1)
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(2 * precision * recall / max(precision + recall, 1e-12), 5),
        "links": judged.height,
        "correct": correct,
        "wrong": wrong,
        "linkable": should,
    }


def conflict_accuracy(conflicts: pl.DataFrame, problems: pl.DataFrame) -> dict[str, Any]:
    """Per identity conflict type: precision, recall and counts."""
    out: dict[str, Any] = {}
    for kind in IDENTITY_TYPES:
        truth = problems.filter(pl.col("problem") == kind)
        found = conflicts.filter(pl.col("type") == kind)
        truth_ids = set(truth["record_id"].drop_nulls().to_list()) | set(
            truth["other_record_id"].drop_nulls().to_list()
        )
        found_sets = [set(ids) for ids in found["record_ids"].to_list()]
        found_ids = set().union(*found_sets) if found_sets else set()
        tp = sum(1 for ids in found_sets if ids & truth_ids)
        hit = sum(1 for rid in truth["record_id"].to_list() if rid in found_ids)
        out[kind] = {
            "truth": truth.height,
            "found": found.height,
            "precision": round(tp / found.height, 4) if found.height else None,
            "recall": round(hit / truth.height, 4) if truth.height else None,
        }
    return out
