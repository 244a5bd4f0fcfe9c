"""The simulated district: deterministic, internally consistent, and its truth is complete."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from doisoat import grading, vn
from doisoat.model import (
    REGISTRY_SOURCE,
    STABLE_KEY,
    STUDENT_COLUMNS,
    SUBJECT_RESULT_COLUMNS,
    TERM_RESULT_COLUMNS,
)
from simulate import generate
from simulate.population import personal_ids


@pytest.fixture(scope="module")
def district():
    return generate(3_000, seed=11)


def test_same_seed_same_district():
    a = generate(800, seed=3)
    b = generate(800, seed=3)
    assert a.records.equals(b.records)
    assert a.problems.equals(b.problems)
    assert a.subject_results.equals(b.subject_results)
    assert a.term_results.equals(b.term_results)
    assert not generate(800, seed=4).records.equals(a.records)


def test_canonical_columns(district):
    assert tuple(district.records.columns) == STUDENT_COLUMNS
    assert tuple(district.subject_results.columns) == SUBJECT_RESULT_COLUMNS
    assert tuple(district.term_results.columns) == TERM_RESULT_COLUMNS
    assert district.records["record_id"].is_unique().all()


def test_vendors_number_students_per_school(district):
    """Like the vendors, every school numbers its students from HS0001: a local id is unique in
    its school (the stable key), not across the schools of a vendor."""
    vendor = district.records.filter(pl.col("source") != REGISTRY_SOURCE)
    assert vendor.select(STABLE_KEY).is_unique().all()
    firsts = vendor.filter(pl.col("local_id") == "HS0001")
    assert firsts["school_code"].n_unique() == district.schools.height


def test_every_record_belongs_to_a_person_and_every_problem_to_real_records(district):
    ids = set(district.records["record_id"].to_list())
    assert set(district.persons["record_id"].to_list()) == ids
    for row in district.problems.iter_rows(named=True):
        if row["problem"] == "SYNC_OVERDUE":
            assert row["school_code"] in set(district.schools["school_code"].to_list())
            continue
        assert row["record_id"] in ids, row
        if row["other_record_id"] and row["problem"] not in ("ID_MISMATCH", "ID_MISSING"):
            assert row["other_record_id"] in ids, row


def test_registry_holds_one_code_per_record_and_codes_are_well_formed(district):
    registry = district.records.filter(pl.col("source") == "moet")
    assert registry["moet_code"].is_unique().all()
    assert all(vn.check_moet_code(c).valid for c in registry["moet_code"].to_list())


def test_every_problem_type_is_injected(district):
    kinds = set(district.problems["problem"].to_list())
    expected = {
        "ID_MISSING",
        "ID_INVALID",
        "ID_NOT_IN_REGISTRY",
        "ID_MISMATCH",
        "ID_DUPLICATE",
        "ID_SHARED",
        "UNREGISTERED",
        "DEMOGRAPHIC_DRIFT",
        "PERSONAL_ID_INCONSISTENT",
        "TRANSFER_UNRECEIVED",
        "DUAL_ENROLLMENT",
        "TRANSFER_CODE_CHANGED",
        "TRANSFER_RECORD_MISMATCH",
        "GRADE_AVERAGE_MISMATCH",
        "TEXT_NFD",
    }
    assert expected <= kinds


def test_invalid_codes_are_really_invalid_and_mismatches_point_at_other_people(district):
    recs = {r["record_id"]: r for r in district.records.iter_rows(named=True)}
    person = dict(zip(district.persons["record_id"], district.persons["person_id"], strict=True))
    for row in district.problems.filter(pl.col("problem") == "ID_INVALID").iter_rows(named=True):
        assert not vn.check_moet_code(recs[row["record_id"]]["moet_code"]).valid
    registry_owner = {
        r["moet_code"]: person[r["record_id"]] for r in recs.values() if r["source"] == "moet"
    }
    for row in district.problems.filter(pl.col("problem") == "ID_MISMATCH").iter_rows(named=True):
        code = recs[row["record_id"]]["moet_code"]
        assert registry_owner[code] != person[row["record_id"]]
    for row in district.problems.filter(pl.col("problem") == "ID_NOT_IN_REGISTRY").iter_rows(
        named=True
    ):
        code = recs[row["record_id"]]["moet_code"]
        assert vn.check_moet_code(code).valid and code not in registry_owner


def test_transfers_leave_the_traces_the_truth_describes(district):
    recs = {r["record_id"]: r for r in district.records.iter_rows(named=True)}
    for row in district.problems.filter(pl.col("problem") == "TRANSFER_UNRECEIVED").iter_rows(
        named=True
    ):
        sending = recs[row["record_id"]]
        assert sending["status"] == "transferred_out"
        assert (district.night - sending["status_date"]).days > 15
    for row in district.problems.filter(pl.col("problem") == "DUAL_ENROLLMENT").iter_rows(
        named=True
    ):
        a, b = recs[row["record_id"]], recs[row["other_record_id"]]
        assert a["status"] == "studying" and b["status"] == "transferred_in"
        assert a["school_code"] != b["school_code"]
    for row in district.problems.filter(pl.col("problem") == "TRANSFER_CODE_CHANGED").iter_rows(
        named=True
    ):
        a, b = recs[row["record_id"]], recs[row["other_record_id"]]
        assert a["moet_code"] != b["moet_code"]


def test_exported_averages_follow_tt22_except_where_injected(district):
    subjects = district.subject_results.filter(
        pl.col("term").is_in(["1", "2"]) & pl.col("average").is_not_null()
    )
    scores = [json.loads(s) for s in subjects["regular_scores"].to_list()]
    recomputed = grading.term_average(
        np.array([sum(s) for s in scores]),
        np.array([len(s) for s in scores]),
        subjects["midterm"].to_numpy(),
        subjects["final"].to_numpy(),
    )
    wrong = subjects.filter(pl.Series(recomputed != subjects["average"].to_numpy()))
    injected = {
        (r["record_id"], json.loads(r["detail"]).get("subject"), json.loads(r["detail"])["term"])
        for r in district.problems.filter(pl.col("problem") == "GRADE_AVERAGE_MISMATCH").iter_rows(
            named=True
        )
    }
    found = {(r["record_id"], r["subject"], r["term"]) for r in wrong.iter_rows(named=True)}
    assert found and found <= injected


def test_regular_score_counts_follow_the_periods(district):
    one = district.subject_results.filter((pl.col("term") == "1") & (pl.col("subject") == "toan"))
    counts = {len(json.loads(s)) for s in one["regular_scores"].to_list()}
    assert counts == {4}  # Toán: 140 / 105 periods a year → four regular assessments
    gdcd = district.subject_results.filter((pl.col("term") == "1") & (pl.col("subject") == "gdcd"))
    assert {len(json.loads(s)) for s in gdcd["regular_scores"].to_list()} == {2}


def test_vectorised_personal_ids_agree_with_the_rules():
    years = np.array([2012, 2009, 1999])
    genders = np.array(["M", "F", "F"])
    ids = personal_ids(np.array(["079", "001", "074"]), years, genders, np.array([1, 22, 333]))
    for pid, year, gender in zip(ids, years, genders, strict=True):
        dob = dt.date(int(year), 5, 5)
        assert pid == vn.make_personal_id(pid[:3], dob, gender, int(pid[-6:]))
        assert vn.check_personal_id(pid, dob, gender).valid


def test_names_look_vietnamese(district):
    vendor = district.records.filter(pl.col("source") == "moet")
    share = (vendor["family_name"] == "Nguyễn").mean()
    assert 0.3 < share < 0.46
    assert vendor["full_name"].str.contains("Thị").any()


def test_an_invalid_code_is_invalid_whatever_its_province():
    """9 digits read as a code Excel stripped of its zero where 0 + the first digit is a
    province (a code of 11… loses a digit: 011… is Hà Nội's): the truth may only call invalid
    what no repair saves."""
    from simulate.identity_mess import invalid_code

    rng = np.random.default_rng(7)
    for prefix in vn.PROVINCES_2025:
        code = f"{prefix}12345678"
        for _ in range(30):
            damaged = invalid_code(rng, code)
            assert not vn.check_moet_code(damaged).valid, (code, damaged)
