"""Transcript building from canonical data, and its XML/JSON forms against our schema."""

from __future__ import annotations

import datetime as dt

import pytest
from hocba_data import ISSUED, SUBJECT_NAMES, canonical_frames
from lxml import etree

from doisoat.errors import SigningError
from signing import build_transcript, from_json, from_xml, to_json, to_xml
from signing.xmlio import NS


def test_number_level_and_personal_details_come_from_the_registry(transcript):
    assert transcript.number == "7912345678/THCS"
    assert transcript.level == "THCS"
    # only the registry row carries the personal ID and the father's name
    assert transcript.student.personal_id == "079210001234"
    assert transcript.student.father_name == "Nguyễn Văn Bố"
    assert transcript.issuing_school_name == "Trường THCS Nguyễn Du"
    assert [y.school_year for y in transcript.years] == ["2023-2024", "2024-2025"]
    assert [y.class_name for y in transcript.years] == ["8A1", "9A1"]


def test_marks_are_rounded_half_up_and_comment_subjects_keep_ratings(transcript):
    year = transcript.years[-1]
    marks = {s.code: s for s in year.subjects}
    assert marks["TOAN"].term2 == "8.3"  # 8.25 → 8.3, never banker's 8.2
    assert marks["NGU_VAN"].year == "6.7"  # 6.65 → 6.7
    assert marks["GDTC"].assessment == "comment"
    assert (marks["GDTC"].term1, marks["GDTC"].year) == ("D", "D")
    assert marks["LSDL"].name == "Lịch sử và Địa lí"
    assert year.outcome("year").academic == "T"
    assert year.promotion == "promoted"


def test_rules_follow_the_tt22_roll_out():
    frames = canonical_frames()
    t = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345678",
        issued_on=ISSUED,
    )
    # grade 8 in 2023-24 and grade 9 in 2024-25 are both under TT22
    assert [y.rules for y in t.years] == ["TT22", "TT22"]
    from signing.build import rules_for

    assert rules_for(9, "2023-2024") == "TT58"
    assert rules_for(12, "2024-2025") == "TT22"


def test_transfer_out_is_recorded_with_the_receiving_school(frames):
    t = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345680",
        issued_on=ISSUED,
    )
    assert len(t.transfers) == 1
    tr = t.transfers[0]
    assert (tr.direction, tr.date, tr.other_school_name) == (
        "out",
        dt.date(2025, 1, 15),
        "Trường THCS Lê Lợi",
    )


def test_unknown_student_and_primary_pupil_are_refused_in_vietnamese(frames):
    with pytest.raises(SigningError) as err:
        build_transcript(
            frames["student_records"],
            frames["subject_results"],
            frames["term_results"],
            frames["schools"],
            "0000000000",
            issued_on=ISSUED,
        )
    assert "Không tìm thấy học sinh" in err.value.message_vi
    records = frames["student_records"].with_columns(grade=3)
    with pytest.raises(SigningError) as err:
        build_transcript(
            records,
            frames["subject_results"],
            frames["term_results"],
            frames["schools"],
            "7912345678",
            issued_on=ISSUED,
        )
    assert "THCS hoặc THPT" in err.value.message_vi


def test_a_year_appears_once_and_transfers_round_trip(frames, transcript):
    moved = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345680",
        issued_on=ISSUED,
    )
    assert from_xml(to_xml(moved)).transfers == moved.transfers
    xml = to_xml(transcript)
    year = xml[xml.index(b"<Year ") : xml.index(b"</Year>") + 7]
    with pytest.raises(SigningError):
        from_xml(xml.replace(b"</Years>", year + b"</Years>"))


def test_xml_round_trip_and_json_carry_the_same_content(transcript):
    xml = to_xml(transcript)
    assert from_xml(xml) == transcript
    assert from_json(to_json(transcript)) == transcript
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS}}}HocBa"
    assert root.get("number") == "7912345678/THCS"
    # Vietnamese text survives as NFC UTF-8
    assert "Nguyễn Thị Ánh Tuyết".encode() in xml


@pytest.mark.parametrize(
    "mutate",
    [
        lambda x: x.replace(b'number="7912345678/THCS"', b'number="7912345678/THPX"'),
        lambda x: x.replace(b"<Term1>8.0</Term1>", b"<Term1>80</Term1>", 1),
        lambda x: x.replace(b"<Years>", b"<Years><Unexpected/>", 1),
        lambda x: x.replace(b'schemaVersion="1.0"', b'schemaVersion="2.0"'),
    ],
    ids=["bad-number", "bad-mark", "unknown-element", "other-version"],
)
def test_xml_that_breaks_the_schema_is_rejected(transcript, mutate):
    xml = to_xml(transcript)
    bad = mutate(xml)
    assert bad != xml
    with pytest.raises(SigningError) as err:
        from_xml(bad)
    assert "lược đồ" in err.value.message_vi


def test_xml_with_entities_is_not_expanded(transcript):
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + to_xml(
        transcript
    ).split(b"?>", 1)[1].replace(b"<FullName>", b"<FullName>&e;", 1)
    with pytest.raises(SigningError):
        from_xml(evil)


def test_subject_names_default_to_codes_when_unknown(frames):
    t = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345678",
        issued_on=ISSUED,
        subject_names={},
    )
    assert {s.name for s in t.years[-1].subjects} == set(SUBJECT_NAMES)


def test_the_year_of_a_transfer_is_the_issuing_schools_own():
    """Both schools hold 2024-2025 for a student who moved: each issues with its own year."""
    import polars as pl
    from hocba_data import _record, _subject

    frames = canonical_frames()
    moved = _record("vnedu:3:c9", "7912345680", "2024-2025", 9, "9C", snapshot=3,
                    source="vnedu", name=("Lê", "Thu", "Hà"), status="transferred_in")
    moved["school_code"] = "79THCS02"
    records = pl.concat([frames["student_records"],
                         pl.DataFrame([moved], schema=frames["student_records"].schema)])
    extra = [_subject("vnedu:3:c9", code, term, 9.0) for code in ("TOAN", "NGU_VAN", "GDTC")
             for term in ("1", "2", "year")]  # the receiving school's book is the fuller one
    subjects = pl.concat([frames["subject_results"],
                          pl.DataFrame(extra, schema=frames["subject_results"].schema)])
    schools = frames["schools"]
    for issuer, want in (("79THCS01", "9B"), ("79THCS02", "9C")):
        transcript = build_transcript(records, subjects, frames["term_results"], schools,
                                      "7912345680", issued_on=ISSUED,
                                      issuing_school_code=issuer, subject_names=SUBJECT_NAMES)
        assert transcript.current_year.class_name == want, issuer
        assert transcript.current_year.school_code == issuer
