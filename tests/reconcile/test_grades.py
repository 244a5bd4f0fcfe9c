"""Grade conflicts (recomputed averages and results) and edits of locked grades between nights."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

import simulate
from doisoat.model import STUDENT_COLUMNS, SUBJECT_RESULT_COLUMNS, TERM_RESULT_COLUMNS
from reconcile.conflicts.grades import grade_conflicts
from reconcile.conflicts.locked import GradeSnapshot, locked_period_edits
from reconcile.conflicts.sync import SchoolCalendar

CALENDAR = SchoolCalendar("2025-2026", dt.date(2026, 1, 17), dt.date(2026, 5, 30))
STUDENT_SCHEMA = {c: pl.Utf8 for c in STUDENT_COLUMNS} | {
    "snapshot_id": pl.Int64,
    "grade": pl.Int64,
    "src_row": pl.Int64,
    "dob": pl.Date,
    "status_date": pl.Date,
}
SUBJECT_SCHEMA = {c: pl.Utf8 for c in SUBJECT_RESULT_COLUMNS} | {
    "midterm": pl.Float64,
    "final": pl.Float64,
    "average": pl.Float64,
}
TERM_SCHEMA = {c: pl.Utf8 for c in TERM_RESULT_COLUMNS} | {
    "absent_excused": pl.Int64,
    "absent_unexcused": pl.Int64,
}


def student(
    record_id: str = "smas:2:SM1", grade: int = 10, year: str = "2025-2026", **values
) -> pl.DataFrame:
    source, snapshot, local = record_id.split(":")
    row = dict.fromkeys(STUDENT_COLUMNS)
    row.update(
        record_id=record_id,
        source=source,
        snapshot_id=int(snapshot),
        local_id=local,
        school_code="79000001",
        full_name="Trần Minh Khang",
        class_name=f"{grade}A2",
        grade=grade,
        school_year=year,
        status="studying",
        moet_code="7901234567",
    )
    row.update(values)
    return pl.DataFrame([row], schema=STUDENT_SCHEMA)


def subject(
    code: str,
    term: str,
    *,
    regular=(),
    midterm=None,
    final=None,
    average=None,
    rating=None,
    record_id: str = "smas:2:SM1",
    year: str = "2025-2026",
) -> dict:
    return {
        "record_id": record_id,
        "school_year": year,
        "term": term,
        "subject": code,
        "regular_scores": json.dumps(list(regular)),
        "midterm": midterm,
        "final": final,
        "average": average,
        "rating": rating,
    }


def subjects(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SUBJECT_SCHEMA)


def terms(
    *rows: tuple[str, str | None, str | None],
    record_id: str = "smas:2:SM1",
    year: str = "2025-2026",
) -> pl.DataFrame:
    data = [
        {"record_id": record_id, "school_year": year, "term": t, "academic": a, "conduct": c}
        for t, a, c in rows
    ]
    return pl.DataFrame(data, schema=TERM_SCHEMA)


def evidence(row: dict) -> dict:
    return json.loads(row["evidence"])


def test_a_term_average_is_rounded_half_up_not_to_even():
    """(7 + 7 + 7 + 2×8 + 3×7) / 8 = 7.25 → 7.3; a vendor rounding to 7.2 is wrong."""
    physics = dict(regular=(7.0, 7.0, 7.0), midterm=8.0, final=7.0)
    wrong = grade_conflicts(
        subjects(subject("vat_li", "1", average=7.2, **physics)), terms(), student()
    )
    (found,) = wrong.to_dicts()
    assert found["type"] == "GRADE_AVERAGE_MISMATCH"
    ev = evidence(found)
    assert (ev["exported"], ev["recomputed"]) == (7.2, 7.3)
    assert ev["regular_scores"] == [7.0, 7.0, 7.0] and ev["final"] == 7.0
    assert "Vật lí học kỳ I" in found["message_vi"] and "7,2" in found["message_vi"]
    assert "7,3" in found["message_vi"]
    right = grade_conflicts(
        subjects(subject("vat_li", "1", average=7.3, **physics)), terms(), student()
    )
    assert right.height == 0


def test_a_year_average_is_checked_against_the_recomputed_terms():
    rows = [
        subject("vat_li", "1", regular=(7.0, 7.0, 7.0), midterm=8.0, final=7.0, average=7.3),
        subject("vat_li", "2", regular=(8.0, 8.0, 8.0), midterm=8.0, final=8.0, average=8.0),
    ]
    ok = grade_conflicts(
        subjects(*rows, subject("vat_li", "year", average=7.8)), terms(), student()
    )
    assert ok.height == 0  # (7.3 + 2 × 8.0) / 3 = 7.77 → 7.8
    (found,) = grade_conflicts(
        subjects(*rows, subject("vat_li", "year", average=7.7)), terms(), student()
    ).to_dicts()
    ev = evidence(found)
    assert ev["term"] == "year" and ev["recomputed"] == 7.8
    assert ev["term_averages"]["1"]["recomputed"] == 7.3


THPT_SCORED = (
    "toan",
    "ngu_van",
    "ngoai_ngu_1",
    "lich_su",
    "vat_li",
    "hoa_hoc",
    "sinh_hoc",
    "tin_hoc",
    "gdqp_an",
)


def year_book(averages: dict[str, float], ratings: dict[str, str]) -> pl.DataFrame:
    return subjects(
        *[subject(c, "year", average=a) for c, a in averages.items()],
        *[subject(c, "year", rating=r) for c, r in ratings.items()],
    )


def test_tt22_academic_result_and_the_one_subject_rule():
    averages = dict(zip(THPT_SCORED, [8.5] * 6 + [7.0] * 3, strict=True))
    passed = {"gdtc": "D", "hdtn_hn": "D", "gddp": "D"}
    (found,) = grade_conflicts(
        year_book(averages, passed), terms(("year", "K", None)), student()
    ).to_dicts()
    ev = evidence(found)
    assert (ev["field"], ev["exported"], ev["recomputed"], ev["rules"]) == (
        "academic",
        "K",
        "T",
        "tt22",
    )
    assert ev["subject_averages"]["toan"] == 8.5
    assert "«Khá»" in found["message_vi"] and "«Tốt»" in found["message_vi"]
    # one comment subject Chưa đạt alone pulls Tốt down to Đạt: raised one level, to Khá
    one_failed = {**passed, "gdtc": "CD"}
    assert (
        grade_conflicts(
            year_book(averages, one_failed), terms(("year", "K", None)), student()
        ).height
        == 0
    )


def test_older_years_are_judged_by_tt58():
    """Grade 9 in 2023-24 was still under TT58/TT26: Giỏi … Kém."""
    averages = {"toan": 8.5, "ngu_van": 8.0, "vat_li": 7.0, "hoa_hoc": 7.0}
    record = student("smas:2:SM1", grade=9, year="2023-2024")
    (found,) = grade_conflicts(
        subjects(*[subject(c, "year", average=a, year="2023-2024") for c, a in averages.items()]),
        terms(("year", "G", None), year="2023-2024"),
        record,
    ).to_dicts()
    ev = evidence(found)
    assert (ev["exported"], ev["recomputed"], ev["rules"]) == ("G", "K", "tt58")
    assert ev["overall_average"] == 7.6
    assert "Thông tư 58" in found["message_vi"] and "«Giỏi»" in found["message_vi"]


def test_comment_subject_year_rating_is_term_two():
    rows = subjects(
        subject("gdtc", "1", rating="D"),
        subject("gdtc", "2", rating="CD"),
        subject("gdtc", "year", rating="D"),
    )
    (found,) = grade_conflicts(rows, terms(), student()).to_dicts()
    assert (evidence(found)["exported"], evidence(found)["recomputed"]) == ("D", "CD")
    assert "Chưa đạt" in found["message_vi"]


def test_year_conduct_follows_the_two_terms():
    book = terms(("1", None, "K"), ("2", None, "T"), ("year", None, "K"))
    (found,) = grade_conflicts(subjects(), book, student()).to_dicts()
    assert (evidence(found)["field"], evidence(found)["recomputed"]) == ("conduct", "T")
    fine = terms(("1", None, "K"), ("2", None, "T"), ("year", None, "T"))
    assert grade_conflicts(subjects(), fine, student()).height == 0


def test_too_few_regular_assessments_for_the_periods_of_the_subject():
    """Toán has 140 periods a year in grade 7: four regular assessments a term, not three."""
    three = dict(regular=(6.0, 7.0, 8.0), midterm=7.0, final=7.0)
    math = subject("toan", "1", average=7.0, **three)
    (found,) = grade_conflicts(subjects(math), terms(), student(grade=7)).to_dicts()
    assert found["type"] == "GRADE_ASSESSMENTS_MISSING"
    assert (evidence(found)["regular_count"], evidence(found)["regular_required"]) == (3, 4)
    assert "ít nhất 4" in found["message_vi"]
    # Vật lí (70 periods) in grade 10 needs three, and a missing final is reported too
    physics = subject("vat_li", "2", regular=(6.0, 7.0, 8.0), midterm=7.0)
    (missing,) = grade_conflicts(subjects(physics), terms(), student()).to_dicts()
    assert evidence(missing)["missing"] == ["final"] and "cuối kỳ" in missing["message_vi"]


@pytest.fixture(scope="module")
def district() -> simulate.District:
    return simulate.generate(10_000, 1)


def test_every_simulated_grade_mismatch_is_found_and_nothing_else(district):
    found = grade_conflicts(district.subject_results, district.term_results, district.records)
    mine = found.filter(pl.col("type") == "GRADE_AVERAGE_MISMATCH")
    truth = district.problems.filter(pl.col("problem") == "GRADE_AVERAGE_MISMATCH")
    truth_ids = set(truth["record_id"].to_list())
    assert truth.height > 0
    listed = [set(ids) for ids in mine["record_ids"].to_list()]
    assert all(ids & truth_ids for ids in listed)
    assert truth_ids <= set().union(*listed)


# -- LOCKED_PERIOD_EDITED -------------------------------------------------------------------------
BEFORE, AFTER = dt.date(2026, 6, 10), dt.date(2026, 6, 11)


def physics_book(record_id: str, final: float = 7.0, term1_average: float = 7.3) -> pl.DataFrame:
    return subjects(
        subject(
            "vat_li",
            "1",
            regular=(7.0, 7.0, 7.0),
            midterm=8.0,
            final=final,
            average=term1_average,
            record_id=record_id,
        ),
        subject(
            "vat_li", "year", average=7.8 if term1_average == 7.3 else 8.1, record_id=record_id
        ),
        subject(
            "toan",
            "1",
            regular=(8.0, 8.0, 8.0, 8.0),
            midterm=8.0,
            final=8.0,
            average=8.0,
            record_id=record_id,
        ),
    )


def nights(
    after_book: pl.DataFrame, before_night: dt.date = BEFORE, after_night: dt.date = AFTER
) -> tuple[GradeSnapshot, GradeSnapshot]:
    """Two snapshots of one school: the record id changes with the snapshot, the local id not."""
    before = GradeSnapshot(before_night, student("smas:2:SM1"), physics_book("smas:2:SM1"))
    after = GradeSnapshot(after_night, student("smas:7:SM1"), after_book)
    return before, after


def approval(subject_code: str, day: dt.date, **values) -> pl.DataFrame:
    row = {
        "school_code": "79000001",
        "local_id": "SM1",
        "school_year": "2025-2026",
        "term": "1",
        "subject": subject_code,
        "approved_by": "Hiệu trưởng Lê Văn Tâm",
        "approved_at": dt.datetime.combine(day, dt.time(9)),
        "witness": "GVCN",
        "reason": "Nhập nhầm điểm cuối kỳ",
        "record_no": "12/BB-THPT",
    }
    row.update(values)
    return pl.DataFrame([row])


def test_an_unapproved_change_of_a_locked_term_is_reported():
    before, after = nights(physics_book("smas:7:SM1", final=9.0, term1_average=8.0))
    out = locked_period_edits(before, after, calendar=CALENDAR)
    (found,) = out.to_dicts()  # the year average moved with term 1: not an edit of its own
    ev = evidence(found)
    assert (ev["subject"], ev["term"], ev["changed"]) == ("vat_li", "1", ["final", "average"])
    assert ev["fields"]["final"] == {"before": 7.0, "after": 9.0}
    assert found["record_ids"] == ["smas:2:SM1", "smas:7:SM1"]
    assert "Vật lí học kỳ I" in found["message_vi"] and "Hiệu trưởng" in found["message_vi"]
    # the same edit seen against the lock-time snapshot on a later night keeps its id
    later = locked_period_edits(
        before,
        GradeSnapshot(dt.date(2026, 6, 20), after.records, after.subject_results),
        calendar=CALENDAR,
    )
    assert later["conflict_id"].to_list() == out["conflict_id"].to_list()


def test_an_approval_recorded_between_the_nights_covers_the_change():
    before, after = nights(physics_book("smas:7:SM1", final=9.0, term1_average=8.0))
    covered = locked_period_edits(
        before, after, calendar=CALENDAR, approvals=approval("vat_li", AFTER)
    )
    assert covered.height == 0
    wrong_subject = locked_period_edits(
        before, after, calendar=CALENDAR, approvals=approval("toan", AFTER)
    )
    assert wrong_subject.height == 1
    stale = locked_period_edits(
        before, after, calendar=CALENDAR, approvals=approval("vat_li", dt.date(2026, 5, 2))
    )
    assert stale.height == 1
    every_subject = locked_period_edits(
        before, after, calendar=CALENDAR, approvals=approval("", AFTER, term="")
    )
    assert every_subject.height == 0


def test_open_terms_and_departed_students_are_not_edits():
    changed = physics_book("smas:7:SM1", final=9.0, term1_average=8.0)
    before, after = nights(changed, dt.date(2026, 1, 20), dt.date(2026, 1, 21))
    assert locked_period_edits(before, after, calendar=CALENDAR).height == 0  # term 1 still open
    before, after = nights(changed, dt.date(2026, 1, 25), dt.date(2026, 1, 26))
    assert locked_period_edits(before, after, calendar=CALENDAR).height == 1
    gone = GradeSnapshot(AFTER, student("smas:7:SM2", local_id="SM2"), physics_book("smas:7:SM2"))
    assert locked_period_edits(nights(changed)[0], gone, calendar=CALENDAR).height == 0


def test_a_deleted_row_of_a_locked_term_is_an_edit():
    book = physics_book("smas:7:SM1").filter(pl.col("subject") != "toan")
    (found,) = locked_period_edits(*nights(book), calendar=CALENDAR).to_dicts()
    assert evidence(found)["subject"] == "toan" and "bị xóa" in found["message_vi"]


def test_simulated_edits_of_locked_grades_are_found(district):
    """The next night re-keys every record and changes some term-1 finals; half approved."""

    def renumber(col: str) -> pl.Expr:
        return pl.col(col).str.replace(r"^(\w+):(\d+):", "${1}:9${2}:")

    vendor = district.records.filter(pl.col("source") != "moet")
    results = district.subject_results
    edit = (
        (pl.int_range(pl.len()) % 997 == 0)
        & (pl.col("term") == "1")
        & pl.col("final").is_not_null()
    )
    later = results.with_columns(renumber("record_id"), edit.alias("edited")).with_columns(
        pl.when("edited").then(10.0 - pl.col("final")).otherwise(pl.col("final")).alias("final")
    )
    edited = later.filter(pl.col("edited") & (pl.col("final") != 5.0))  # 10 - 5 = 5: unchanged
    local = vendor.select(renumber("record_id"), "school_code", "local_id")
    approvals = (
        edited.join(local, on="record_id")
        .with_row_index()
        .filter(pl.col("index") % 2 == 0)
        .select(
            "school_code",
            "local_id",
            "subject",
            "term",
            pl.lit(dt.datetime(2026, 6, 11, 8)).alias("approved_at"),
        )
    )
    out = locked_period_edits(
        GradeSnapshot(district.night, vendor, results),
        GradeSnapshot(
            district.night + dt.timedelta(days=1),
            vendor.with_columns(renumber("record_id")),
            later.drop("edited"),
        ),
        calendar=SchoolCalendar.from_mapping(simulate.school_calendar(district.night)),
        approvals=approvals,
    )
    assert edited.height > 10
    assert out.height == edited.height - approvals.height
    keys = {(e["subject"], e["student_key"]) for e in map(evidence, out.to_dicts())}
    unapproved = edited.join(local, on="record_id").join(
        approvals, on=["school_code", "local_id", "subject", "term"], how="anti"
    )
    assert keys == set(zip(unapproved["subject"], unapproved["local_id"], strict=True))


def test_scores_written_differently_are_not_an_edit():
    book = physics_book("smas:7:SM1").with_columns(
        pl.when(pl.col("subject") == "vat_li")
        .then(pl.col("regular_scores").str.replace_all(r"\.0", ""))
        .otherwise(pl.col("regular_scores"))
        .alias("regular_scores")
    )
    assert book["regular_scores"][0] == "[7, 7, 7]"
    assert locked_period_edits(*nights(book), calendar=CALENDAR).height == 0
    book = book.with_columns(
        pl.col("regular_scores").str.replace("[7, 7, 7]", "[7, 7, 6]", literal=True)
    )
    (found,) = locked_period_edits(*nights(book), calendar=CALENDAR).to_dicts()
    assert evidence(found)["fields"]["regular_scores"] == {
        "before": [7.0, 7.0, 7.0],
        "after": [7.0, 7.0, 6.0],
    }
