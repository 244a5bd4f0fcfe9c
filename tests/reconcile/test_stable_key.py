"""A record's stable key names its school: vendors number students per school, so two schools of
one vendor both have a student ``HS0001``, and their problems must stay two conflicts."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from doisoat.model import STUDENT_COLUMNS, SUBJECT_RESULT_COLUMNS, TERM_RESULT_COLUMNS
from reconcile.conflicts import identity_conflicts
from reconcile.conflicts.grades import grade_conflicts
from reconcile.conflicts.transfers import prepare
from reconcile.result import LinkResult
from reconcile.student import with_keys

SCHEMA = {c: pl.Utf8 for c in STUDENT_COLUMNS} | {
    "snapshot_id": pl.Int64,
    "grade": pl.Int64,
    "src_row": pl.Int64,
    "dob": pl.Date,
    "status_date": pl.Date,
}
SCHOOL_A, SCHOOL_B = "79000001", "79000002"  # two SMAS schools, one snapshot each


def record(record_id: str, school: str, **values) -> dict:
    source, snapshot, local = record_id.split(":")
    row = dict.fromkeys(STUDENT_COLUMNS)
    row.update(
        record_id=record_id,
        source=source,
        snapshot_id=int(snapshot),
        school_code=school,
        local_id=local,
        family_name="Nguyễn",
        middle_name="Văn",
        given_name="An",
        full_name="Nguyễn Văn An",
        dob=dt.date(2012, 3, 4),
        gender="M",
        class_name="7A1",
        grade=7,
        school_year="2025-2026",
        status="studying",
    )
    row.update(values)
    return row


def frame(*rows: dict) -> pl.DataFrame:
    return with_keys(pl.DataFrame(list(rows), schema=SCHEMA))


def links(*pairs: tuple[str, str]) -> LinkResult:
    """The engine's word, given: each vendor record matches its registry record."""
    found = pl.DataFrame(
        {
            "left_id": [a for a, _ in pairs],
            "right_id": [b for _, b in pairs],
            "match_weight": [20.0] * len(pairs),
            "match_probability": [0.999] * len(pairs),
            "decision": ["match"] * len(pairs),
        },
        schema={
            "left_id": pl.Utf8,
            "right_id": pl.Utf8,
            "match_weight": pl.Float64,
            "match_probability": pl.Float64,
            "decision": pl.Utf8,
        },
    )
    clusters = pl.DataFrame(schema={"id": pl.Utf8, "cluster_id": pl.Utf8, "cluster_size": pl.Int64})
    return LinkResult(pairs=found, clusters=clusters, model=None)  # type: ignore[arg-type]


def of_type(conflicts: pl.DataFrame, kind: str) -> pl.DataFrame:
    return conflicts.filter(pl.col("type") == kind)


def test_two_schools_students_without_a_code_are_two_conflicts():
    """Both schools number a student HS0001; neither typed the identity code."""
    vendor = frame(
        record("smas:2:HS0001", SCHOOL_A),
        record("smas:3:HS0001", SCHOOL_B, given_name="Bình", full_name="Nguyễn Văn Bình"),
    )
    registry = frame(
        record("moet:1:7900000001", SCHOOL_A, source="moet", moet_code="7900000001"),
        record(
            "moet:1:7900000002", SCHOOL_B, source="moet", moet_code="7900000002",
            given_name="Bình", full_name="Nguyễn Văn Bình",
        ),
    )  # fmt: skip
    found = identity_conflicts(
        vendor, registry, links(("smas:2:HS0001", "moet:1:7900000001"),
                                ("smas:3:HS0001", "moet:1:7900000002"))
    )  # fmt: skip
    missing = of_type(found, "ID_MISSING")
    assert missing.height == 2
    assert missing["conflict_id"].n_unique() == 2
    assert sorted(missing["school_code"].to_list()) == [SCHOOL_A, SCHOOL_B]
    suggested = {
        r["school_code"]: json.loads(r["evidence"])["registry_match"]["moet_code"]
        for r in missing.iter_rows(named=True)
    }
    assert suggested == {SCHOOL_A: "7900000001", SCHOOL_B: "7900000002"}


def test_same_local_id_in_two_schools_with_other_problems_stays_apart():
    """HS0002 has a malformed code in both schools; HS0003 is unregistered in both; HS0004 is
    missing its code in one school and unregistered in the other."""
    vendor = frame(
        record("smas:2:HS0002", SCHOOL_A, moet_code="79123"),
        record("smas:3:HS0002", SCHOOL_B, moet_code="7912", given_name="Bình"),
        record("smas:2:HS0003", SCHOOL_A, given_name="Chi", gender="F"),
        record("smas:3:HS0003", SCHOOL_B, given_name="Dũng"),
        record("smas:2:HS0004", SCHOOL_A, given_name="Em"),
        record("smas:3:HS0004", SCHOOL_B, given_name="Giang", gender="F"),
    )
    registry = frame(
        record("moet:1:7900000004", SCHOOL_A, source="moet", moet_code="7900000004",
               given_name="Em"),
    )  # fmt: skip
    found = identity_conflicts(vendor, registry, links(("smas:2:HS0004", "moet:1:7900000004")))
    invalid = of_type(found, "ID_INVALID")
    assert sorted(invalid["school_code"].to_list()) == [SCHOOL_A, SCHOOL_B]
    unregistered = of_type(found, "UNREGISTERED")
    assert unregistered.height == 5  # both HS0002, both HS0003, school B's HS0004
    assert unregistered["conflict_id"].n_unique() == 5
    assert of_type(found, "ID_MISSING")["school_code"].to_list() == [SCHOOL_A]
    assert found["conflict_id"].n_unique() == found.height


def test_two_schools_wrong_averages_of_the_same_local_id_are_two_conflicts():
    students = pl.DataFrame(
        [
            record("smas:2:HS0001", SCHOOL_A, grade=10, class_name="10A1"),
            record("smas:3:HS0001", SCHOOL_B, grade=10, class_name="10A2"),
        ],
        schema=SCHEMA,
    )
    physics = {
        "school_year": "2025-2026", "term": "1", "subject": "vat_li",
        "regular_scores": "[7.0, 7.0, 7.0]", "midterm": 8.0, "final": 7.0, "average": 7.2,
        "rating": None,
    }  # fmt: skip
    subjects = pl.DataFrame(
        [{**physics, "record_id": "smas:2:HS0001"}, {**physics, "record_id": "smas:3:HS0001"}],
        schema={c: pl.Utf8 for c in SUBJECT_RESULT_COLUMNS}
        | {"midterm": pl.Float64, "final": pl.Float64, "average": pl.Float64},
    )
    terms = pl.DataFrame(
        schema={c: pl.Utf8 for c in TERM_RESULT_COLUMNS}
        | {"absent_excused": pl.Int64, "absent_unexcused": pl.Int64}
    )
    found = of_type(grade_conflicts(subjects, terms, students), "GRADE_AVERAGE_MISMATCH")
    assert sorted(found["school_code"].to_list()) == [SCHOOL_A, SCHOOL_B]
    assert found["conflict_id"].n_unique() == 2


def test_a_person_known_only_to_schools_is_named_with_the_school():
    """Without a registry code, transfer conflicts name a person by the stable keys of their
    records; two students HS0001 of two schools are two people."""
    records = pl.DataFrame(
        [record("smas:2:HS0001", SCHOOL_A), record("smas:3:HS0001", SCHOOL_B)], schema=SCHEMA
    )
    identities = pl.DataFrame({"record_id": ["smas:2:HS0001", "smas:3:HS0001"],
                               "identity_id": ["P1", "P2"]})  # fmt: skip
    keys = prepare(records, identities)["person_key"].to_list()
    assert keys[0] != keys[1]
