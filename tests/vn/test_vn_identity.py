"""Student identity codes, personal identity codes, gender, provinces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doisoat.vn import (
    PROVINCES_2024,
    PROVINCES_2025,
    SUCCESSOR_2025,
    check_moet_code,
    check_personal_id,
    make_personal_id,
    parse_gender,
    province_name,
)

FAST = settings(max_examples=200, deadline=None, derandomize=True)


@pytest.mark.parametrize(
    "raw",
    [
        "7405537946",
        7405537946,
        7405537946.0,
        Decimal("7405537946"),
        "7405537946.0",
        "7405537946,00",
        "7.405537946E+09",
        "7,405537946e9",
        "'7405537946",
        " 7405537946\u00a0",
        "740 553 7946",
        "7.405.537.946",
        "7,405,537,946",
    ],
)
def test_excel_damage_to_a_student_code_is_undone(raw: object) -> None:
    check = check_moet_code(raw)
    assert check == ("7405537946", True, None, None, None, None)


def test_lost_leading_zero_is_restored_only_for_a_province_prefix() -> None:
    hanoi = check_moet_code(105537946)
    assert hanoi.code == "0105537946" and hanoi.valid
    assert "0105537946" in hanoi.repair
    # 07… is no province: the 9 digits cannot be trusted to be a code that lost its zero.
    assert check_moet_code("705537946").valid is False
    assert check_moet_code("705537946").problem_code == "MOET_WRONG_LENGTH"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "MOET_MISSING"),
        ("", "MOET_MISSING"),
        (float("nan"), "MOET_MISSING"),
        ("7.41E+09", "MOET_PRECISION_LOST"),
        ("74055379", "MOET_WRONG_LENGTH"),
        ("74055379461", "MOET_WRONG_LENGTH"),
        ("74O5537946", "MOET_NOT_DIGITS"),
        (7405537946.5, "MOET_NOT_DIGITS"),
    ],
)
def test_invalid_student_codes(raw: object, code: str) -> None:
    check = check_moet_code(raw)
    assert check.valid is False and check.code is None
    assert check.problem_code == code and check.problem


def test_unknown_province_prefix_is_a_warning_with_evidence_not_invalidity() -> None:
    check = check_moet_code("0305537946")
    assert check.valid and check.code == "0305537946"
    assert check.province_warning and "«03»" in check.province_warning
    # Codes of merged-away provinces (74 Bình Dương) stay valid and unwarned.
    assert check_moet_code("7405537946").province_warning is None


@FAST
@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_any_ten_digit_code_survives_excel(code: str) -> None:
    forms: list[object] = [code, f"'{code}", f" {code[:4]} {code[4:]} "]
    if code[0] != "0":
        forms += [int(code), float(code), f"{int(code)}.0", f"{float(code):.9E}"]
    for form in forms:
        assert check_moet_code(form).code == code, form


def test_a_real_cccd() -> None:
    check = check_personal_id("079212001234", dt.date(2012, 8, 1), "M")
    assert check.valid and check.consistent
    assert check.province_code == "079" and check.province_name == "Hồ Chí Minh"
    assert check.gender == "M" and check.birth_year == 2012


def test_cccd_disagreeing_with_dob_and_gender_lists_each_problem() -> None:
    check = check_personal_id("079212001234", dt.date(2011, 8, 1), "Nữ")
    assert check.valid and not check.consistent
    assert [p.code for p in check.problems] == ["PID_YEAR_MISMATCH", "PID_GENDER_MISMATCH"]
    assert "2012" in check.problems[0].message and "01/08/2011" in check.problems[0].message
    assert "nữ" in check.problems[1].message


def test_cccd_repairs_and_failures() -> None:
    stripped = check_personal_id(79212001234)
    assert stripped.code == "079212001234" and stripped.repair
    assert check_personal_id("7921200123").problems[0].code == "PID_WRONG_LENGTH"
    assert check_personal_id(None).problems[0].code == "PID_MISSING"
    unknown = check_personal_id("003212001234")
    assert not unknown.valid and unknown.problems[0].code == "PID_PROVINCE_UNKNOWN"
    century = check_personal_id("079712001234")
    assert not century.valid and century.problems[0].code == "PID_CENTURY_INVALID"


@FAST
@given(
    st.sampled_from(sorted(PROVINCES_2024)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
    st.sampled_from(["M", "F"]),
    st.integers(min_value=0, max_value=999_999),
)
def test_made_personal_ids_check_out(province: str, dob: dt.date, gender: str, serial: int):
    code = make_personal_id("0" + province, dob, gender, serial)  # type: ignore[arg-type]
    check = check_personal_id(code, dob, gender)
    assert check.consistent
    assert (check.gender, check.birth_year, check.province_code) == (gender, dob.year, code[:3])
    other = "F" if gender == "M" else "M"
    assert not check_personal_id(code, dob, other).consistent


def test_make_personal_id_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        make_personal_id("003", 2012, "M", 1)
    with pytest.raises(ValueError):
        make_personal_id("079", 1850, "M", 1)
    with pytest.raises(ValueError):
        make_personal_id("079", 2012, "M", 1_000_000)


@pytest.mark.parametrize(
    ("raw", "plain", "female_column"),
    [
        ("Nam", "M", "M"),
        ("nam", "M", "M"),
        ("NAM", "M", "M"),
        ("Nữ", "F", "F"),
        ("NỮ", "F", "F"),
        ("nu", "F", "F"),
        ("M", "M", "M"),
        ("F", "F", "F"),
        ("male", "M", "M"),
        ("Female", "F", "F"),
        ("1", None, "F"),
        (1, None, "F"),
        ("x", None, "F"),
        ("X", None, "F"),
        (True, None, "F"),
        ("0", None, "M"),
        ("", None, "M"),
        (None, None, "M"),
        ("?", None, None),
    ],
)
def test_parse_gender(raw: object, plain: str | None, female_column: str | None) -> None:
    assert parse_gender(raw) == plain
    assert parse_gender(raw, column_means_female=True) == female_column


def test_province_tables() -> None:
    assert len(PROVINCES_2024) == 63 and len(PROVINCES_2025) == 34
    assert PROVINCES_2024["01"] == "Hà Nội" and PROVINCES_2024["96"] == "Cà Mau"
    # Every old province went to exactly one new one, which keeps a predecessor's code.
    assert sorted(SUCCESSOR_2025) == sorted(PROVINCES_2024)
    assert all(code in p.predecessors for code, p in PROVINCES_2025.items())
    assert {SUCCESSOR_2025[c] for c in ("74", "77", "79")} == {"79"}
    assert province_name("079") == "Hồ Chí Minh"
    assert province_name(74) == "Bình Dương"
    assert province_name(74, when="2025") == "Hồ Chí Minh"
    assert province_name("03") is None
