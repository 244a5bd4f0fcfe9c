"""The student profile takes what a source gives: without classes, parents' names, national IDs
or gender, records still link (those fields are unknown); without the identity itself, it says
so in Vietnamese."""

from __future__ import annotations

import polars as pl
import pytest

from doisoat.errors import ReconcileError
from reconcile import dedupe, link, registry_profile, student_profile
from reconcile.evaluate import link_accuracy
from reconcile.student import OPTIONAL_COLUMNS, with_keys
from simulate import generate

CLASS_AND_PARENTS = ["class_name", "grade", "father_name", "mother_name"]


@pytest.fixture(scope="module")
def district():
    return generate(600, seed=11)


@pytest.fixture(scope="module")
def sides(district):
    keyed = with_keys(district.records)
    return keyed.filter(pl.col("source") != "moet"), keyed.filter(pl.col("source") == "moet")


def _accuracy(district, vendor, registry) -> dict:
    result = link(vendor, registry, student_profile())
    return link_accuracy(
        result.matches, district.persons, vendor["record_id"], registry["record_id"]
    ) | {"result": result}


def test_vendor_records_without_class_and_parents_still_link(district, sides):
    vendor, registry = sides
    acc = _accuracy(district, vendor.drop(CLASS_AND_PARENTS), registry)
    assert acc["links"] > 0.95 * vendor.height
    assert acc["precision"] >= 0.999 and acc["recall"] >= 0.99, acc
    record_id = vendor["record_id"][0]
    fields = {f["comparison"]: f for f in acc["result"].explain(record_id)[0]["fields"]}
    # unknown, not disagreement: the missing fields weigh nothing either way
    for comparison in ("class", "father_name", "mother_name"):
        assert fields[comparison]["level"] == "missing"
        assert fields[comparison]["weight"] == 0.0


def test_both_sides_without_any_optional_column_still_link(district):
    records = district.records.drop(
        [c for c in OPTIONAL_COLUMNS if c in district.records.columns]
    )
    keyed = with_keys(records)  # no personal_id column: no pid_key either, and no error
    assert keyed["pid_key"].null_count() == keyed.height
    vendor = keyed.filter(pl.col("source") != "moet")
    registry = keyed.filter(pl.col("source") == "moet")
    acc = _accuracy(district, vendor, registry)
    assert acc["precision"] >= 0.999 and acc["recall"] >= 0.99, acc
    found = dedupe(registry, registry_profile())  # the registry's own dedupe too
    assert found.clusters.height > 0


@pytest.mark.parametrize(
    ("side", "columns", "words"),
    [
        ("left", ["dob"], ["Ngày sinh"]),
        ("left", ["given_name"], ["Tên"]),
        ("right", ["dob", "family_name"], ["Ngày sinh", "Họ"]),
    ],
)
def test_a_frame_without_the_identity_itself_names_the_column_in_vietnamese(
    sides, side, columns, words
):
    vendor, registry = sides
    if side == "left":
        vendor = vendor.drop(columns)
    else:
        registry = registry.drop(columns)
    with pytest.raises(ReconcileError) as caught:
        link(vendor, registry, student_profile())
    error = caught.value
    assert error.details["missing"] == sorted(columns)
    assert error.details["table"] == side
    for column, word in zip(columns, words, strict=True):
        assert f"«{column}» ({word})" in error.message_vi, error.message_vi
    assert ("bên trái" if side == "left" else "bên phải") in error.message_vi
