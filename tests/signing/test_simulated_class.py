"""A simulated district's class: every student gets a valid transcript that agrees with the data."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import simulate
from signing import build_class, from_xml, to_xml
from signing.build import format_score
from signing.issue import LEFT_THE_CLASS


@pytest.fixture(scope="module")
def district():
    return simulate.generate(600, seed=11)


def test_every_student_of_a_class_gets_a_schema_valid_transcript(district):
    vendor = district.records.filter(
        (pl.col("source") != "moet")
        & (pl.col("grade") >= 6)
        & pl.col("moet_code").str.contains(r"^\d{10}$")
    )
    klass = (  # the largest class; ties broken by name, so every run takes the same one
        vendor.group_by("school_code", "class_name", "school_year")
        .len()
        .sort(["len", "school_code", "class_name", "school_year"],
              descending=[True, False, False, False])
        .row(0, named=True)
    )
    members = vendor.filter(
        (pl.col("school_code") == klass["school_code"])
        & (pl.col("class_name") == klass["class_name"])
        & (pl.col("school_year") == klass["school_year"])
    )
    inputs = {
        "student_records": district.records.filter(
            pl.col("moet_code").is_in(members.get_column("moet_code").to_list())
        ),
        "subject_results": district.subject_results,
        "term_results": district.term_results,
        "schools": district.schools,
    }
    transcripts = build_class(
        inputs,
        school_code=klass["school_code"],
        class_name=klass["class_name"],
        school_year=klass["school_year"],
        issued_on=dt.date(2026, 6, 1),
    )
    # a student who left the class has their transcript issued on its own, not with the class
    staying = members.filter(~pl.col("status").is_in(list(LEFT_THE_CLASS)))
    codes = sorted(set(staying.get_column("moet_code").to_list()))
    assert [t.student.identity_code for t in transcripts] == codes
    level = "THPT" if members.get_column("grade").max() >= 10 else "THCS"
    assert all(t.number == f"{t.student.identity_code}/{level}" for t in transcripts)
    for t in transcripts:
        assert from_xml(to_xml(t)) == t
    # the marks printed are the exported averages, rounded half up to one decimal
    first = transcripts[0]
    year = first.current_year
    record_ids = (
        members.filter(pl.col("moet_code") == first.student.identity_code)
        .get_column("record_id")
        .to_list()
    )
    exported = district.subject_results.filter(
        pl.col("record_id").is_in(record_ids)
        & (pl.col("term") == "year")
        & pl.col("average").is_not_null()
    )
    printed = {s.code: s.year for s in year.subjects}
    assert exported.height > 0
    for row in exported.iter_rows(named=True):
        assert printed[row["subject"]] == format_score(row["average"])
    assert {s.name for s in year.subjects} >= {"Toán", "Ngữ văn"}
