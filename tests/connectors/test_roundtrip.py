"""simulate → export (each vendor's real format) → import → compare with the ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import NIGHT

from connectors import ingest_paths, read_export
from doisoat import store

# Fields each vendor's export carries (Vietschool's CSV has no parents' names, by design).
FIELDS = {
    "smas": ["moet_code", "full_name", "family_name", "middle_name", "given_name", "dob",
             "gender", "class_name", "status", "status_date", "transfer_school_code",
             "personal_id", "ethnicity", "birthplace", "father_name", "mother_name"],
    "vnedu": ["moet_code", "full_name", "family_name", "given_name", "dob", "gender",
              "class_name", "status", "status_date", "transfer_school_code", "personal_id",
              "father_name", "mother_name"],
    "vietschool": ["moet_code", "full_name", "given_name", "dob", "gender", "class_name",
                   "grade", "status", "status_date", "transfer_school_code", "personal_id"],
    "quangich": ["moet_code", "full_name", "dob", "gender", "class_name", "status",
                 "status_date", "transfer_school_code", "personal_id", "father_name"],
    "moet": ["full_name", "dob", "gender", "class_name", "grade", "status", "personal_id",
             "ethnicity", "mother_name"],
}


def _read_all(folder: Path) -> dict[str, list]:
    reads: dict[str, list] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            read = read_export(path, night=NIGHT)
            reads.setdefault(read.source, []).append(read)
    return reads


@pytest.fixture(scope="module")
def reads(exported: Path) -> dict[str, list]:
    return _read_all(exported)


@pytest.mark.parametrize("source", ["smas", "vnedu", "vietschool", "quangich", "moet"])
def test_students_survive_the_round_trip(district, reads, source):
    truth = district.records.filter(pl.col("source") == source)
    got = pl.concat([r.students for r in reads[source] if r.students.height])
    assert got.height == truth.height
    key = ["moet_code"] if source == "moet" else ["school_code", "local_id"]
    joined = truth.join(got, on=key, how="inner", suffix="_got")
    assert joined.height == truth.height
    for name in FIELDS[source]:
        if name in key:
            continue
        differs = joined.filter(~pl.col(name).eq_missing(pl.col(f"{name}_got")))
        assert differs.height == 0, (name, differs.select(name, f"{name}_got").head(5).rows())
    # provenance: every accepted row says where it came from
    assert got["src_file"].null_count() == 0 and got["src_row"].min() > 1


def test_damaged_text_is_repaired(district, reads):
    """Records written in NFD, with 'Ð' for 'Đ', in TCVN3 or as mojibake come back clean."""
    marked = district.problems.filter(pl.col("problem").str.starts_with("TEXT_"))
    damaged_schools = district.schools.filter(pl.col("export_text") != "unicode")["school_code"]
    truth = district.records.filter(
        pl.col("record_id").is_in(marked["record_id"].implode())
        | (pl.col("school_code").is_in(damaged_schools.implode()) & (pl.col("source") != "moet"))
    )
    assert truth.height > 100
    got = pl.concat([r.students for src, rs in reads.items() if src != "moet" for r in rs
                     if r.students.height])
    joined = truth.join(got, on=["school_code", "local_id"], suffix="_got")
    assert joined.height == truth.height
    wrong = joined.filter(pl.col("full_name") != pl.col("full_name_got"))
    assert wrong.height == 0, wrong.select("full_name", "full_name_got").head().rows()


@pytest.mark.parametrize("source", ["smas", "vnedu", "vietschool", "quangich"])
def test_subject_results_survive_the_round_trip(district, reads, source):
    ids = district.records.filter(pl.col("source") == source).select(
        "record_id", "school_code", "local_id")
    truth = district.subject_results.join(ids, on="record_id").with_columns(
        pl.col("regular_scores").str.json_decode(pl.List(pl.Float64)))
    got = pl.concat([r.subject_results for r in reads[source] if r.subject_results.height])
    assert got.height == truth.height
    got = got.with_columns(  # JSON text, as the store keeps it
        pl.col("regular_scores").str.json_decode(pl.List(pl.Float64)))
    joined = truth.join(got, on=["local_id", "term", "subject"], suffix="_got")
    assert joined.height == truth.height
    for name in ("regular_scores", "midterm", "final", "average", "rating"):
        differs = joined.filter(~pl.col(name).eq_missing(pl.col(f"{name}_got")))
        assert differs.height == 0, (name, differs.select(name, f"{name}_got").head(3).rows())


@pytest.mark.parametrize("source", ["smas", "quangich"])
def test_term_results_survive_the_round_trip(district, reads, source):
    ids = district.records.filter(pl.col("source") == source).select("record_id", "local_id")
    truth = district.term_results.join(ids, on="record_id")
    got = pl.concat([r.term_results for r in reads[source] if r.term_results.height])
    joined = truth.join(got, on=["local_id", "term"], suffix="_got")
    assert joined.height == truth.height == got.height
    for name in ("academic", "conduct", "absent_excused", "absent_unexcused", "title",
                 "homeroom_comment"):
        differs = joined.filter(~pl.col(name).eq_missing(pl.col(f"{name}_got")))
        assert differs.height == 0, (name, differs.select(name, f"{name}_got").head(3).rows())


def test_ingest_stores_everything_once(district, exported, engine):
    summary = ingest_paths([exported], engine=engine, night=NIGHT)
    assert not summary.refused, [f.message_vi for f in summary.refused]
    assert summary.rows_read == summary.rows_accepted + summary.rows_quarantined
    assert "Đã đọc" in summary.message_vi()
    records = store.read_table(engine, "student_record")
    assert records.height == district.records.height
    assert records["record_id"].n_unique() == records.height
    subjects = store.read_table(engine, "subject_result")
    assert subjects.height == district.subject_results.height
    # grades of Vietschool's separate grade file point at the students of its roster file
    assert subjects.join(records, on="record_id", how="anti").height == 0
    stored = json.loads(subjects["regular_scores"][0])
    assert isinstance(stored, list)
    again = ingest_paths([exported], engine=engine, night=NIGHT)
    assert len(again.skipped) == len(summary.files) and again.rows_read == 0
    assert store.read_table(engine, "student_record").height == records.height
