"""The hard simulation (issue 19): what a real province has, each in the ground truth."""

from __future__ import annotations

import json

import polars as pl
import pytest

from doisoat.model import REGISTRY_SOURCE
from simulate import generate

STUDENTS = 6_000


@pytest.fixture(scope="module")
def hard():
    return generate(STUDENTS, seed=7, hard=True)


@pytest.fixture(scope="module")
def plain():
    return generate(STUDENTS, seed=7)


def _people(district) -> pl.DataFrame:
    """One row per record with the person behind it."""
    return district.records.join(district.persons, on="record_id")


def test_the_default_simulation_is_not_changed_by_the_option(plain):
    again = generate(STUDENTS, seed=7, hard=False)
    assert again.records.equals(plain.records)
    assert again.problems.equals(plain.problems)
    assert plain.relations.height == 0


def test_same_seed_same_hard_district(hard):
    again = generate(STUDENTS, seed=7, hard=True)
    assert again.records.equals(hard.records)
    assert again.problems.equals(hard.problems)
    assert again.relations.equals(hard.relations)


def test_three_to_five_percent_are_in_no_registry_snapshot_in_every_school(hard):
    people = _people(hard)
    registered = people.filter(pl.col("source") == REGISTRY_SOURCE)["person_id"].implode()
    vendor = people.filter(pl.col("source") != REGISTRY_SOURCE).with_columns(
        (~pl.col("person_id").is_in(registered)).alias("absent")
    )
    absent_share = vendor["absent"].mean()
    assert 0.03 <= absent_share <= 0.06, absent_share
    per_school = vendor.group_by("school_code").agg(pl.col("absent").sum())
    assert (per_school["absent"] > 0).all(), "every school has students the registry lacks"
    # each of them is in the truth as UNREGISTERED
    truth = set(hard.problems.filter(pl.col("problem") == "UNREGISTERED")["record_id"].to_list())
    missing = vendor.filter(pl.col("absent") & ~pl.col("record_id").is_in(list(truth)))
    assert missing.height == 0


def test_twins_share_family_middle_name_and_birth_date_but_not_the_given_name(hard):
    persons = _people(hard).filter(pl.col("source") == REGISTRY_SOURCE)
    by_person = {r["person_id"]: r for r in persons.iter_rows(named=True)}
    twins = hard.relations.filter(pl.col("relation") == "twin")
    assert twins.height >= STUDENTS * 0.005
    checked = 0
    for pair in twins.iter_rows(named=True):
        a, b = by_person.get(pair["person_id"]), by_person.get(pair["of_person_id"])
        if a is None or b is None:  # one of them is missing from the registry
            continue
        checked += 1
        assert (a["family_name"], a["middle_name"], a["dob"]) == (
            b["family_name"],
            b["middle_name"],
            b["dob"],
        )
        assert a["given_name"] != b["given_name"]
        assert a["mother_name"] == b["mother_name"]  # (a twin may have moved school since)
    assert checked > 0


def test_strangers_share_a_full_name_and_birth_date_across_the_province(hard):
    reg = hard.records.filter(pl.col("source") == REGISTRY_SOURCE)
    shared = reg.group_by("full_name", "dob").agg(
        pl.col("school_code").n_unique().alias("schools"), pl.len()
    )
    assert shared.filter(pl.col("schools") > 1).height >= STUDENTS * 0.003
    assert hard.relations.filter(pl.col("relation") == "namesake").height > 0
    assert hard.relations.filter(pl.col("relation") == "sibling").height > 0


def test_common_names_are_as_common_as_in_a_province(hard):
    reg = hard.records.filter(pl.col("source") == REGISTRY_SOURCE)
    nguyen = (reg["family_name"] == "Nguyễn").mean()
    assert 0.33 <= nguyen <= 0.42, nguyen
    top_given = reg["given_name"].value_counts(sort=True)["count"][0] / reg.height
    assert top_given >= 0.03, "the commonest given name is far commoner than a uniform draw"


def test_records_with_two_damages_and_without_birth_date_and_code(hard):
    problems = hard.problems
    kinds = [
        json.loads(d).get("kind")
        for d in problems.filter(pl.col("problem") == "DEMOGRAPHIC_DRIFT")["detail"].to_list()
    ]
    assert {"given_and_family_typo", "swapped_and_typo", "typo_and_no_dob"} <= set(kinds)
    no_dob = problems.filter(
        (pl.col("problem") == "ID_MISSING") & pl.col("detail").str.contains("no_dob")
    )
    assert no_dob.height > 0
    records = hard.records.filter(pl.col("record_id").is_in(no_dob["record_id"].implode()))
    assert records["dob"].is_null().all() and records["moet_code"].is_null().all()
