"""Small canonical data for the signing tests (a module with a unique name: the test folders
are not packages, and ``signing`` is the name of the package under test)."""

from __future__ import annotations

import datetime as dt

import polars as pl

ISSUED = dt.date(2025, 6, 2)
CREATED = dt.datetime(2025, 6, 2, 8, 0, tzinfo=dt.UTC)


def canonical_frames() -> dict[str, pl.DataFrame]:
    """Two school years of one student (grade 8 and 9), the registry row, and a classmate."""
    students = [
        _record("smas:1:a8", "7912345678", "2023-2024", 8, "8A1", snapshot=1),
        _record("smas:2:a9", "7912345678", "2024-2025", 9, "9A1", snapshot=2),
        _record(
            "moet:3:a",
            "7912345678",
            "2024-2025",
            9,
            "9A1",
            snapshot=3,
            source="moet",
            personal_id="079210001234",
            father="Nguyễn Văn Bố",
        ),
        _record(
            "smas:2:b9",
            "7912345679",
            "2024-2025",
            9,
            "9A1",
            snapshot=2,
            name=("Trần", "Minh", "Khôi"),
            gender="M",
        ),
        _record(
            "smas:2:c9",
            "7912345680",
            "2024-2025",
            9,
            "9B",
            snapshot=2,
            name=("Lê", "Thu", "Hà"),
            status="transferred_out",
            status_date=dt.date(2025, 1, 15),
            transfer="79THCS02",
        ),
    ]
    subjects = []
    for rid in ("smas:1:a8", "smas:2:a9", "smas:2:b9", "smas:2:c9"):
        for code, t1, t2, yr in (("TOAN", 8.0, 8.25, 8.2), ("NGU_VAN", 7.0, 6.5, 6.65)):
            subjects += [
                _subject(rid, code, "1", t1),
                _subject(rid, code, "2", t2),
                _subject(rid, code, "year", yr),
            ]
        subjects += [_subject(rid, "GDTC", term, None, "D") for term in ("1", "2", "year")]
        subjects += [_subject(rid, "LSDL", term, 7.5) for term in ("1", "2", "year")]
    terms = []
    for rid in ("smas:1:a8", "smas:2:a9", "smas:2:b9", "smas:2:c9"):
        terms += [
            _term(rid, "1", "K", "T", 1, 0, None, None),
            _term(rid, "2", "T", "T", 0, 0, None, None),
            _term(rid, "year", "T", "T", 1, 0, "promoted", "Học sinh Giỏi"),
        ]
    schools = pl.DataFrame(
        [
            {
                "school_code": "79THCS01",
                "name": "Trường THCS Nguyễn Du",
                "level": "thcs",
                "province_code": "79",
                "district": "Quận 1",
                "vendor": "smas",
            },
            {
                "school_code": "79THCS02",
                "name": "Trường THCS Lê Lợi",
                "level": "thcs",
                "province_code": "79",
                "district": "Quận 3",
                "vendor": "vnedu",
            },
        ]
    )
    return {
        "student_records": pl.DataFrame(students),
        "subject_results": pl.DataFrame(subjects),
        "term_results": pl.DataFrame(terms),
        "schools": schools,
    }


def _record(
    rid,
    code,
    year,
    grade,
    cls,
    *,
    snapshot,
    source="smas",
    personal_id=None,
    father=None,
    name=("Nguyễn", "Thị Ánh", "Tuyết"),
    gender="F",
    status="studying",
    status_date=None,
    transfer=None,
):
    family, middle, given = name
    return {
        "record_id": rid,
        "source": source,
        "snapshot_id": snapshot,
        "school_code": "79THCS01",
        "local_id": rid.rsplit(":", 1)[-1],
        "moet_code": code,
        "personal_id": personal_id,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "full_name": f"{family} {middle} {given}",
        "dob": dt.date(2010, 3, 4),
        "dob_raw": "04/03/2010",
        "gender": gender,
        "ethnicity": "Kinh",
        "birthplace": "Thành phố Hồ Chí Minh",
        "father_name": father,
        "mother_name": None,
        "school_year": year,
        "grade": grade,
        "class_name": cls,
        "status": status,
        "status_date": status_date,
        "transfer_school_code": transfer,
    }


def _subject(rid, code, term, average, rating=None):
    year = "2023-2024" if rid.startswith("smas:1") else "2024-2025"
    return {
        "record_id": rid,
        "school_year": year,
        "term": term,
        "subject": code,
        "regular_scores": "[]",
        "midterm": None,
        "final": None,
        "average": average,
        "rating": rating,
    }


def _term(rid, term, academic, conduct, excused, unexcused, promotion, title):
    year = "2023-2024" if rid.startswith("smas:1") else "2024-2025"
    return {
        "record_id": rid,
        "school_year": year,
        "term": term,
        "academic": academic,
        "conduct": conduct,
        "absent_excused": excused,
        "absent_unexcused": unexcused,
        "promotion": promotion,
        "title": title,
    }


SUBJECT_NAMES = {
    "TOAN": "Toán",
    "NGU_VAN": "Ngữ văn",
    "LSDL": "Lịch sử và Địa lí",
    "GDTC": "Giáo dục thể chất",
}
