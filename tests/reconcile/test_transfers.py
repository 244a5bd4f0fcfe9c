"""Transfer conflicts: small hand-built districts, then the simulator's ground truth.

Identities come from the simulator's truth (``District.persons``) or are written by hand; the
linkage engine's clusters take their place in the nightly pipeline.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

import simulate
from doisoat.model import STUDENT_COLUMNS, SUBJECT_RESULT_COLUMNS
from reconcile.conflicts.transfers import transfer_conflicts

NIGHT = dt.date(2026, 6, 10)
TYPES = (
    "TRANSFER_UNRECEIVED",
    "DUAL_ENROLLMENT",
    "TRANSFER_CODE_CHANGED",
    "TRANSFER_RECORD_MISMATCH",
)


def record(record_id: str, school: str, **values) -> dict:
    source, snapshot, local = record_id.split(":")
    row = {c: None for c in STUDENT_COLUMNS}
    row.update(
        record_id=record_id,
        source=source,
        snapshot_id=int(snapshot),
        school_code=school,
        local_id=local,
        full_name="Nguyễn Thị Hà",
        class_name="7A1",
        grade=7,
        school_year="2025-2026",
        status="studying",
    )
    row.update(values)
    return row


def frame(*rows: dict) -> pl.DataFrame:
    schema = {c: pl.Utf8 for c in STUDENT_COLUMNS} | {
        "snapshot_id": pl.Int64,
        "grade": pl.Int64,
        "src_row": pl.Int64,
        "dob": pl.Date,
        "status_date": pl.Date,
    }
    return pl.DataFrame(list(rows), schema=schema)


def same_person(*record_ids: str, identity: str = "P1") -> pl.DataFrame:
    ids = list(record_ids)
    return pl.DataFrame({"record_id": ids, "identity_id": [identity] * len(ids)})


def of_type(out: pl.DataFrame, kind: str) -> list[dict]:
    return out.filter(pl.col("type") == kind).to_dicts()


def test_a_transfer_nobody_received_after_the_grace_period():
    out_date = NIGHT - dt.timedelta(days=20)
    records = frame(
        record(
            "smas:2:SM1",
            "79000001",
            moet_code="7900000001",
            status="transferred_out",
            status_date=out_date,
            transfer_school_code="74000009",
        ),
        record(
            "moet:1:7900000001",
            "79000001",
            moet_code="7900000001",
            status="transferred_out",
            status_date=out_date,
            transfer_school_code="74000009",
        ),
    )
    ids = same_person("smas:2:SM1", "moet:1:7900000001")
    (found,) = of_type(transfer_conflicts(records, ids, night=NIGHT), "TRANSFER_UNRECEIVED")
    assert found["school_code"] == "79000001"
    assert found["record_ids"] == ["moet:1:7900000001", "smas:2:SM1"]
    evidence = json.loads(found["evidence"])
    assert evidence["days_since_transfer"] == 20 and evidence["destination_schools"] == ["74000009"]
    assert "21/05/2026" in found["message_vi"] and "74000009" in found["suggested_fix"]

    # within the grace period: not yet a problem; a shorter grace makes it one
    assert (
        of_type(
            transfer_conflicts(records, ids, night=out_date + dt.timedelta(days=15)),
            "TRANSFER_UNRECEIVED",
        )
        == []
    )
    assert (
        len(
            of_type(
                transfer_conflicts(
                    records, ids, night=out_date + dt.timedelta(days=6), grace_days=5
                ),
                "TRANSFER_UNRECEIVED",
            )
        )
        == 1
    )


def test_enrolment_in_another_province_seen_in_the_registry_receives_the_student():
    out_date = NIGHT - dt.timedelta(days=40)
    records = frame(
        record(
            "vnedu:3:VE1",
            "79000001",
            moet_code="7900000001",
            status="transferred_out",
            status_date=out_date,
            transfer_school_code="01000042",
        ),
        record(
            "moet:1:7900000001",
            "01000042",
            moet_code="7900000001",
            status="transferred_in",
            status_date=out_date,
            transfer_school_code="79000001",
        ),
    )
    out = transfer_conflicts(records, same_person("vnedu:3:VE1", "moet:1:7900000001"), night=NIGHT)
    assert out.height == 0


def test_a_student_studying_at_two_schools_is_released_by_the_sending_school():
    records = frame(
        record("vietschool:4:VS1", "74000002", moet_code="7400000007"),
        record(
            "quangich:5:QI9",
            "79000003",
            moet_code="7400000007",
            status="transferred_in",
            status_date=NIGHT - dt.timedelta(days=30),
            transfer_school_code="74000002",
        ),
        record("moet:1:7400000007", "79000003", moet_code="7400000007", status="transferred_in"),
    )
    ids = same_person("vietschool:4:VS1", "quangich:5:QI9", "moet:1:7400000007")
    out = transfer_conflicts(records, ids, night=NIGHT)
    assert out["type"].to_list() == ["DUAL_ENROLLMENT"]
    found = out.row(0, named=True)
    assert found["school_code"] == "74000002"
    assert json.loads(found["evidence"])["schools"] == ["74000002", "79000003"]
    assert found["suggested_fix"].startswith("Trường 74000002 thực hiện «Chuyển đi»")
    # two records of one student at the same school are not dual enrolment
    alone = transfer_conflicts(
        frame(record("smas:2:A", "79000001"), record("smas:2:B", "79000001")),
        same_person("smas:2:A", "smas:2:B"),
        night=NIGHT,
    )
    assert alone.height == 0


def test_a_new_code_given_by_the_receiving_school_is_a_conflict():
    when = NIGHT - dt.timedelta(days=60)
    records = frame(
        record(
            "smas:2:SM1",
            "79000001",
            moet_code="7912345678",
            status="transferred_out",
            status_date=when,
            transfer_school_code="79000002",
        ),
        record(
            "vnedu:3:VE5",
            "79000002",
            moet_code="7900000042",
            status="transferred_in",
            status_date=when,
            transfer_school_code="79000001",
        ),
        record("moet:1:7912345678", "79000001", moet_code="7912345678", status="transferred_out"),
        record("moet:1:7900000042", "79000002", moet_code="7900000042", status="transferred_in"),
    )
    ids = same_person("smas:2:SM1", "vnedu:3:VE5", "moet:1:7912345678", "moet:1:7900000042")
    out = transfer_conflicts(records, ids, night=NIGHT)
    assert out["type"].to_list() == ["TRANSFER_CODE_CHANGED"]
    found = out.row(0, named=True)
    evidence = json.loads(found["evidence"])
    assert (evidence["old_codes"], evidence["new_codes"]) == (["7912345678"], ["7900000042"])
    assert found["school_code"] == "79000002"
    assert "Dùng lại mã định danh 7912345678" in found["suggested_fix"]


def test_a_code_that_belongs_to_someone_else_is_not_a_changed_code():
    """The receiving school typed a classmate's code: an identity conflict, not a transfer one."""
    when = NIGHT - dt.timedelta(days=60)
    records = frame(
        record(
            "smas:2:SM1",
            "79000001",
            moet_code="7912345678",
            status="transferred_out",
            status_date=when,
            transfer_school_code="79000002",
        ),
        record(
            "vnedu:3:VE5",
            "79000002",
            moet_code="7900000099",
            status="transferred_in",
            status_date=when,
            transfer_school_code="79000001",
        ),
        record("moet:1:7912345678", "79000002", moet_code="7912345678", status="transferred_in"),
        record("moet:1:7900000099", "79000002", moet_code="7900000099"),
    )
    ids = pl.concat(
        [
            same_person("smas:2:SM1", "vnedu:3:VE5", "moet:1:7912345678"),
            same_person("moet:1:7900000099", identity="P2"),
        ]
    )
    assert of_type(transfer_conflicts(records, ids, night=NIGHT), "TRANSFER_CODE_CHANGED") == []


def grades(record_id: str, final: float, average: float, term: str = "1") -> dict:
    row = dict.fromkeys(SUBJECT_RESULT_COLUMNS)
    row.update(
        record_id=record_id,
        school_year="2025-2026",
        term=term,
        subject="toan",
        regular_scores="[7.0, 8.0, 6.5, 9.0]",
        midterm=7.0,
        final=final,
        average=average,
    )
    return row


def transfer_pair() -> tuple[pl.DataFrame, pl.DataFrame]:
    when = NIGHT - dt.timedelta(days=60)
    records = frame(
        record(
            "smas:2:SM1",
            "79000001",
            moet_code="7912345678",
            status="transferred_out",
            status_date=when,
            transfer_school_code="77000002",
        ),
        record(
            "vnedu:3:VE5",
            "77000002",
            moet_code="7912345678",
            status="transferred_in",
            status_date=when,
            transfer_school_code="79000001",
        ),
    )
    return records, same_person("smas:2:SM1", "vnedu:3:VE5")


def test_the_receiving_school_holding_other_term_one_grades_is_a_conflict():
    records, ids = transfer_pair()
    results = pl.DataFrame(
        [
            grades("smas:2:SM1", 8.0, 7.7),
            grades("vnedu:3:VE5", 6.0, 7.0),
            grades("vnedu:3:VE5", 9.0, 8.3, term="2"),
        ]
    )
    out = transfer_conflicts(records, ids, night=NIGHT, subject_results=results)
    (found,) = of_type(out, "TRANSFER_RECORD_MISMATCH")
    evidence = json.loads(found["evidence"])
    assert {
        (d["term"], d["field"], d["sending"], d["receiving"]) for d in evidence["differences"]
    } == {("1", "final", 8.0, 6.0)}
    assert found["school_code"] == "77000002"
    assert "Toán" in found["message_vi"] or "toan" in found["message_vi"]


def test_same_scores_with_a_different_average_is_not_a_record_mismatch():
    records, ids = transfer_pair()
    results = pl.DataFrame([grades("smas:2:SM1", 8.0, 7.7), grades("vnedu:3:VE5", 8.0, 7.8)])
    out = transfer_conflicts(records, ids, night=NIGHT, subject_results=results)
    assert of_type(out, "TRANSFER_RECORD_MISMATCH") == []
    # a receiving school that imported no earlier term holds nothing that can disagree
    only_later = pl.DataFrame(
        [grades("smas:2:SM1", 8.0, 7.7), grades("vnedu:3:VE5", 5.0, 6.0, term="2")]
    )
    out = transfer_conflicts(records, ids, night=NIGHT, subject_results=only_later)
    assert of_type(out, "TRANSFER_RECORD_MISMATCH") == []


@pytest.fixture(scope="module")
def district() -> simulate.District:
    return simulate.generate(10_000, 1)


@pytest.fixture(scope="module")
def found(district) -> pl.DataFrame:
    ids = district.persons.select(
        "record_id", pl.col("person_id").cast(pl.Utf8).alias("identity_id")
    )
    return transfer_conflicts(
        district.records, ids, night=district.night, subject_results=district.subject_results
    )


@pytest.mark.parametrize("kind", TYPES)
def test_every_simulated_transfer_problem_is_found_and_nothing_else(district, found, kind):
    truth = district.problems.filter(pl.col("problem") == kind)
    assert truth.height > 0
    mine = found.filter(pl.col("type") == kind)
    truth_ids = set(truth["record_id"].to_list())
    listed = [set(ids) for ids in mine["record_ids"].to_list()]
    assert all(ids & truth_ids for ids in listed)  # precision 1
    assert truth_ids <= set().union(*listed)  # recall 1
    assert mine.height == truth.height
    assert mine["message_vi"].str.len_chars().min() > 20


def test_conflict_ids_survive_new_snapshot_numbers(district, found):
    """The next night's records carry new snapshot ids: the same problems keep their ids."""

    def renumber(col: str) -> pl.Expr:
        return pl.col(col).str.replace(r"^(\w+):(\d+):", "${1}:9${2}:")

    records = district.records.with_columns(renumber("record_id"))
    ids = district.persons.select(
        renumber("record_id"), pl.col("person_id").cast(pl.Utf8).alias("identity_id")
    )
    results = district.subject_results.with_columns(renumber("record_id"))
    later = transfer_conflicts(
        records, ids, night=district.night + dt.timedelta(days=1), subject_results=results
    )
    assert sorted(later["conflict_id"].to_list()) == sorted(found["conflict_id"].to_list())
