"""Subjects, periods, assessment kinds and which rules apply to a grade in a year."""

from __future__ import annotations

import pytest

from doisoat.vn import (
    SUBJECTS,
    THPT_ELECTIVES,
    curriculum_subjects,
    level_of,
    periods_per_year,
    regular_scores_required,
    rules_for,
    subject_code,
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Toán", "toan"),
        ("TOÁN HỌC", "toan"),
        ("Môn Toán", "toan"),
        ("Ngữ văn", "ngu_van"),
        ("ngu van", "ngu_van"),
        ("Tiếng Anh", "ngoai_ngu_1"),
        ("Ngoại ngữ 1", "ngoai_ngu_1"),
        ("Tiếng Anh (hệ 10 năm)", "ngoai_ngu_1"),
        ("KHTN", "khtn"),
        ("Khoa học tự nhiên", "khtn"),
        ("LS&ĐL", "ls_dl"),
        ("LS & ĐL", "ls_dl"),
        ("Lịch sử và Địa lí", "ls_dl"),
        ("Lịch sử & Địa lý", "ls_dl"),
        ("lich su - dia li", "ls_dl"),
        ("GDCD", "gdcd"),
        ("Giáo dục công dân", "gdcd"),
        ("GDKT&PL", "gdktpl"),
        ("Giáo dục kinh tế và pháp luật", "gdktpl"),
        ("Công nghệ", "cong_nghe"),
        ("Tin học", "tin_hoc"),
        ("GDTC", "gdtc"),
        ("Thể dục", "gdtc"),
        ("Giáo dục thể chất", "gdtc"),
        ("Nghệ thuật", "nghe_thuat"),
        ("Âm nhạc", "am_nhac"),
        ("Nghệ thuật (Âm nhạc)", "am_nhac"),
        ("Mĩ thuật", "mi_thuat"),
        ("Mỹ thuật", "mi_thuat"),
        ("HĐTN-HN", "hdtn_hn"),
        ("HĐTN, HN", "hdtn_hn"),
        ("Hoạt động trải nghiệm, hướng nghiệp", "hdtn_hn"),
        ("GDĐP", "gddp"),
        ("Nội dung giáo dục của địa phương", "gddp"),
        ("Vật lí", "vat_li"),
        ("Vật lý", "vat_li"),
        ("Hóa học", "hoa_hoc"),
        ("Hoá học", "hoa_hoc"),
        ("Sinh học", "sinh_hoc"),
        ("Lịch sử", "lich_su"),
        ("Địa lí", "dia_li"),
        ("Giáo dục quốc phòng và an ninh", "gdqp_an"),
        ("GDQP-AN", "gdqp_an"),
        ("GDQP&AN", "gdqp_an"),
    ],
)
def test_subject_names_vendors_use(name: str, code: str) -> None:
    assert subject_code(name) == code


@pytest.mark.parametrize("name", ["", "   ", "Bóng đá", "Toán cao cấp"])
def test_unknown_subjects(name: str) -> None:
    assert subject_code(name) is None


def test_every_subject_is_found_by_its_own_name_and_abbreviation() -> None:
    for code, subject in SUBJECTS.items():
        assert subject_code(subject.name_vi) == code
        assert subject_code(subject.short) == code


def test_comment_assessed_subjects_under_tt22() -> None:
    comment = {c for c, s in SUBJECTS.items() if s.assessment == "comment"}
    assert comment == {"gdtc", "nghe_thuat", "am_nhac", "mi_thuat", "hdtn_hn", "gddp"}


@pytest.mark.parametrize(
    ("code", "level", "grade", "periods", "regular"),
    [
        ("toan", "thcs", 6, 140, 4),
        ("toan", "thpt", 10, 105, 4),
        ("ngu_van", "thpt", 11, 105, 4),
        ("ngoai_ngu_1", "thcs", 7, 105, 4),
        ("khtn", "thcs", 8, 140, 4),
        ("ls_dl", "thcs", 6, 105, 4),
        ("gdcd", "thcs", 6, 35, 2),
        ("cong_nghe", "thcs", 8, 35, 2),
        ("cong_nghe", "thcs", 9, 52, 3),
        ("tin_hoc", "thcs", 6, 35, 2),
        ("gddp", "thcs", 6, 35, 2),
        ("hdtn_hn", "thcs", 6, 105, 4),
        ("lich_su", "thpt", 12, 52, 3),
        ("vat_li", "thpt", 10, 70, 3),
        ("gdqp_an", "thpt", 10, 35, 2),
    ],
)
def test_periods_and_regular_scores(
    code: str, level: str, grade: int, periods: int, regular: int
) -> None:
    assert periods_per_year(code, level, grade) == periods  # type: ignore[arg-type]
    assert regular_scores_required(code, level, grade) == regular  # type: ignore[arg-type]


def test_regular_scores_for_a_subject_not_taught_at_that_level() -> None:
    with pytest.raises(ValueError):
        regular_scores_required("khtn", "thpt")


@pytest.mark.parametrize(
    ("grade", "year", "rules"),
    [
        (6, "2020-2021", "tt58"),
        (6, "2021-2022", "tt22"),
        (7, "2021-2022", "tt58"),
        (7, "2022-2023", "tt22"),
        (10, "2022-2023", "tt22"),
        (8, "2022-2023", "tt58"),
        (8, "2023-2024", "tt22"),
        (11, "2023-2024", "tt22"),
        (9, "2023-2024", "tt58"),
        (9, "2024-2025", "tt22"),
        (12, "2023-2024", "tt58"),
        (12, 2024, "tt22"),
        (3, "2024-2025", "tt27"),
    ],
)
def test_rules_in_force(grade: int, year: str | int, rules: str) -> None:
    assert rules_for(grade, year) == rules


def test_levels_and_bad_input() -> None:
    assert [level_of(g) for g in (1, 5, 6, 9, 10, 12)] == [
        "primary", "primary", "thcs", "thcs", "thpt", "thpt",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        level_of(13)
    with pytest.raises(ValueError):
        rules_for(6, "năm nay")


def test_curriculum_subjects() -> None:
    thcs = curriculum_subjects("thcs", 7)
    assert len(thcs) == 13 and {"khtn", "ls_dl", "hdtn_hn", "gddp"} <= set(thcs)
    thpt = curriculum_subjects("thpt", 10, electives=["dia_li", "gdktpl", "vat_li", "tin_hoc"])
    assert {"toan", "ngu_van", "ngoai_ngu_1", "lich_su", "gdqp_an"} <= set(thpt)
    assert {"dia_li", "gdktpl", "vat_li", "tin_hoc"} <= set(thpt)
    assert "hoa_hoc" not in thpt
    assert len(curriculum_subjects("thpt", 11)) == 12
    old = curriculum_subjects("thcs", 7, rules="tt58")
    assert "khtn" not in old and "vat_li" in old and "hoa_hoc" not in old
    assert "hoa_hoc" in curriculum_subjects("thcs", 8, rules="tt58")
    assert curriculum_subjects("primary", 3) == ()
    assert set(THPT_ELECTIVES) >= {"vat_li", "hoa_hoc", "sinh_hoc", "dia_li", "gdktpl"}
    with pytest.raises(ValueError):
        curriculum_subjects("thpt", 10, electives=["khtn"])
    for level, grade in (("thcs", 6), ("thpt", 12)):
        for code in curriculum_subjects(level, grade):  # type: ignore[arg-type]
            assert regular_scores_required(code, level, grade) in (2, 3, 4)  # type: ignore[arg-type]
