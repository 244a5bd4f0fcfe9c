"""The student profile and the identity conflicts, measured against a simulated district."""

from __future__ import annotations

import json

import polars as pl
import pytest

from reconcile.conflicts import identity_conflicts
from reconcile.evaluate import IDENTITY_TYPES, conflict_accuracy, link_accuracy
from reconcile.service import split_and_link
from reconcile.student import repair_codes
from simulate import generate


@pytest.fixture(scope="module")
def district():
    return generate(3000, seed=5)


@pytest.fixture(scope="module")
def outcome(district):
    return split_and_link(district.records)


def test_vendor_records_link_to_the_right_registry_student(district, outcome):
    vendor, registry, links, _, _ = outcome
    acc = link_accuracy(links.matches, district.persons, vendor["record_id"], registry["record_id"])
    assert acc["precision"] >= 0.999, acc
    assert acc["recall"] >= 0.995, acc


@pytest.mark.parametrize("kind", IDENTITY_TYPES)
def test_each_identity_conflict_type_is_found_precisely(district, outcome, kind):
    conflicts = outcome[4]
    acc = conflict_accuracy(conflicts, district.problems)[kind]
    assert acc["truth"] > 0, f"the simulation injected no {kind}"
    assert acc["precision"] >= 0.98, acc
    assert acc["recall"] >= 0.95, acc


def test_a_mismatched_code_gets_the_right_code_suggested(district, outcome):
    conflicts = outcome[4]
    truth = district.problems.filter(pl.col("problem") == "ID_MISMATCH").row(0, named=True)
    detail = json.loads(truth["detail"])
    found = conflicts.filter(
        (pl.col("type") == "ID_MISMATCH") & pl.col("record_ids").list.contains(truth["record_id"])
    ).row(0, named=True)
    assert f"Đổi mã định danh {detail['given']} thành {detail['right']}" in found["suggested_fix"]
    evidence = json.loads(found["evidence"])
    assert evidence["code_owner"]["record_id"] == truth["other_record_id"]
    assert found["severity"] == "critical"
    assert "thuộc về học sinh khác" in found["message_vi"]


def test_drift_evidence_lists_each_differing_field(district, outcome):
    conflicts = outcome[4]
    truth = district.problems.filter(pl.col("problem") == "DEMOGRAPHIC_DRIFT")
    for row in truth.head(10).iter_rows(named=True):
        fields = set(json.loads(row["detail"])["fields"])
        found = conflicts.filter(
            (pl.col("type") == "DEMOGRAPHIC_DRIFT")
            & pl.col("record_ids").list.contains(row["record_id"])
        ).row(0, named=True)
        listed = {f["field"] for f in json.loads(found["evidence"])["fields"]}
        assert listed == fields


def _tomorrow(records: pl.DataFrame) -> pl.DataFrame:
    """The next night's snapshots: new snapshot numbers (so new record ids), another row order."""
    return (
        records.with_columns((pl.col("snapshot_id") + 100).alias("snapshot_id"))
        .with_columns(
            pl.concat_str(
                [pl.col("source"), pl.col("snapshot_id").cast(pl.Utf8), pl.col("local_id")],
                separator=":",
            ).alias("record_id")
        )
        .sample(fraction=1.0, shuffle=True, seed=3)
    )


def test_conflict_ids_stay_the_same_on_the_next_night(district, outcome):
    again = split_and_link(_tomorrow(district.records))[4]
    today = outcome[4]
    assert set(today["record_ids"].explode()) != set(again["record_ids"].explode())
    same = set(today["conflict_id"]) & set(again["conflict_id"])
    assert len(same) >= 0.98 * today.height


def test_clusters_name_each_identity_by_its_registry_code(outcome):
    vendor, registry, links, _, _ = outcome
    row = links.matches.row(0, named=True)
    code = registry.filter(pl.col("record_id") == row["right_id"])["code_key"][0]
    assert links.cluster_map()[row["left_id"]] == code


def test_codes_are_repaired_before_they_are_judged():
    got = repair_codes(pl.Series(["7912345678", " 7912345678 ", "7912345678.0", "79123", None, ""]))
    assert got["code_status"].to_list() == [
        "valid",
        "valid",
        "valid",
        "invalid",
        "missing",
        "missing",
    ]
    assert got["code_key"].to_list()[:3] == ["7912345678"] * 3


def test_without_registry_dedupe_no_duplicate_is_claimed(outcome):
    vendor, registry, links, _, _ = outcome
    conflicts = identity_conflicts(vendor, registry, links)
    assert conflicts.filter(pl.col("type") == "ID_DUPLICATE").height == 0
    assert conflicts.filter(pl.col("type") == "ID_MISMATCH").height > 0
