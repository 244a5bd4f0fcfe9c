"""Identity linkage on the hard simulation (issue 19): twins, namesakes, students missing from
the registry and records damaged twice, measured against the truth."""

from __future__ import annotations

import polars as pl
import pytest

from reconcile.evaluate import IDENTITY_TYPES, conflict_accuracy, link_accuracy
from reconcile.service import split_and_link
from simulate import generate


@pytest.fixture(scope="module")
def district():
    return generate(6000, seed=5, hard=True)


@pytest.fixture(scope="module")
def outcome(district):
    return split_and_link(district.records)


def _person(district) -> dict[str, int]:
    return dict(district.persons.iter_rows())


def test_links_stay_precise_and_complete_on_a_hard_province(district, outcome):
    vendor, registry, links, _, _ = outcome
    acc = link_accuracy(links.matches, district.persons, vendor["record_id"], registry["record_id"])
    assert acc["precision"] >= 0.999, acc
    assert acc["recall"] >= 0.995, acc


def test_the_engine_promises_no_more_precision_than_it_delivers(district, outcome):
    vendor, registry, links, _, _ = outcome
    acc = link_accuracy(links.matches, district.persons, vendor["record_id"], registry["record_id"])
    estimated = links.matches["match_probability"].mean()
    assert abs(estimated - acc["precision"]) <= 0.0005, (estimated, acc)


def test_pairs_the_engine_calls_likely_are_right_as_often_as_it_says(district, outcome):
    """Not only the accepted links: every scored pair the engine gives ≥ 0.5 (twins, siblings
    and namesakes among them, whatever the rules later decided). Scored alone, the wrong ones
    among them had 0.999 and the estimate was 0.9998 for 0.981 measured; weighed against
    their rivals (reconcile.compete) they fall out of the band."""
    vendor, registry, links, _, _ = outcome
    who = dict(district.persons.select("record_id", "person_id").iter_rows())
    likely = links.pairs.filter(pl.col("match_probability") >= 0.5)
    same = [who[a] == who[b] for a, b in likely.select("left_id", "right_id").iter_rows()]
    measured = sum(same) / len(same)
    estimated = likely["match_probability"].mean()
    assert likely.height > 0.9 * vendor.height
    assert abs(estimated - measured) <= 0.0005, (estimated, measured, likely.height)


def test_a_twin_missing_from_the_registry_is_not_given_the_other_twin(district, outcome):
    vendor, registry, links, _, _ = outcome
    person = _person(district)
    registered = {person[r] for r in registry["record_id"].to_list()}
    twins = district.relations.filter(pl.col("relation") == "twin")
    twin_of = {}
    for a, b in twins.select("person_id", "of_person_id").iter_rows():
        twin_of[a], twin_of[b] = b, a
    absent_twins = {p for p in twin_of if p not in registered}
    assert absent_twins, "the simulation should have twins the registry lacks"
    for left, right in links.matches.select("left_id", "right_id").iter_rows():
        if person[left] in absent_twins:
            assert person[right] != twin_of[person[left]], (left, right)


def test_twins_in_the_registry_are_not_merged_as_one_student(district, outcome):
    registry_links = outcome[3]
    person = _person(district)
    twins = set(
        map(
            tuple,
            district.relations.filter(pl.col("relation") == "twin")
            .select("person_id", "of_person_id")
            .rows(),
        )
    )
    merged = {
        tuple(sorted((person[a], person[b])))
        for a, b in registry_links.matches.select("left_id", "right_id").iter_rows()
    }
    assert not merged & {tuple(sorted(t)) for t in twins}


@pytest.mark.parametrize(
    "kind", [k for k in IDENTITY_TYPES if k not in ("ID_SHARED", "ID_NOT_IN_REGISTRY")]
)
def test_identity_conflict_types_hold_on_a_hard_province(district, outcome, kind):
    acc = conflict_accuracy(outcome[4], district.problems)[kind]
    assert acc["truth"] > 0, f"the simulation injected no {kind}"
    assert acc["precision"] >= 0.98, acc
    assert acc["recall"] >= 0.95, acc
