"""Dates: the formats Vietnamese sources use, Excel serials, ambiguity and bad dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doisoat.vn import format_date_vi, parse_date, to_excel_serial

FAST = settings(max_examples=200, deadline=None, derandomize=True)
MARCH_5 = dt.date(2012, 3, 5)


@pytest.mark.parametrize(
    "raw",
    [
        "05/03/2012",
        "5/3/2012",
        "5/3/12",
        "05-03-2012",
        "05.03.2012",
        " 05 / 03 / 2012 ",
        "2012-03-05",
        "2012/03/05",
        "2012-03-05T00:00:00",
        "2012-03-05 07:30:00.000",
        "05/03/2012 00:00:00",
        "'05/03/2012",
        "ngày 05 tháng 03 năm 2012",
        "20120305",
        40973,
        40973.0,
        40973.75,
        "40973",
        "40973,0",
        dt.date(2012, 3, 5),
        dt.datetime(2012, 3, 5, 14, 0),
    ],
)
def test_accepted_forms_of_5_march_2012(raw: object) -> None:
    parsed = parse_date(raw)
    assert parsed.value == MARCH_5
    assert parsed.problem is None
    assert not parsed.ambiguous


def test_day_first_is_not_ambiguous_but_unknown_order_is() -> None:
    assert parse_date("05/03/2012") == (MARCH_5, False, None, None)
    unknown = parse_date("05/03/2012", order="unknown")
    assert unknown.value == MARCH_5 and unknown.ambiguous
    assert unknown.problem_code == "DATE_AMBIGUOUS" and "ngày/tháng" in unknown.problem
    # A number above 12 settles the order; equal day and month are the same either way.
    assert parse_date("25/03/2012", order="unknown") == (dt.date(2012, 3, 25), False, None, None)
    assert parse_date("03/25/2012", order="unknown").value == dt.date(2012, 3, 25)
    assert not parse_date("03/03/2012", order="unknown").ambiguous
    assert parse_date("03/05/2012", order="mdy").value == MARCH_5


def test_two_digit_years_pivot_at_50() -> None:
    assert parse_date("1/2/49").value == dt.date(2049, 2, 1)
    assert parse_date("1/2/50").value == dt.date(1950, 2, 1)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "DATE_MISSING"),
        ("  ", "DATE_MISSING"),
        ("31/02/2012", "DATE_IMPOSSIBLE"),
        ("29/02/2011", "DATE_IMPOSSIBLE"),
        ("13/13/2012", "DATE_IMPOSSIBLE"),
        ("03/25/2012", "DATE_MONTH_FIRST"),
        ("01/01/1850", "DATE_OUT_OF_RANGE"),
        ("2012-03-05 but later", "DATE_UNREADABLE"),
        ("hôm qua", "DATE_UNREADABLE"),
        ("2012", "DATE_YEAR_ONLY"),
        (60, "DATE_IMPOSSIBLE"),  # Excel's 29/02/1900
        (-5, "DATE_OUT_OF_RANGE"),
        (10_000_000, "DATE_OUT_OF_RANGE"),
        (float("nan"), "DATE_OUT_OF_RANGE"),
        (True, "DATE_UNREADABLE"),
    ],
)
def test_bad_dates_say_what_is_wrong_in_vietnamese(raw: object, code: str) -> None:
    parsed = parse_date(raw)
    assert parsed.value is None
    assert parsed.problem_code == code
    assert parsed.problem and parsed.problem[0].isupper()


def test_excel_serials_around_the_phantom_leap_day() -> None:
    assert parse_date(1).value == dt.date(1900, 1, 1)
    assert parse_date(59).value == dt.date(1900, 2, 28)
    assert parse_date(61).value == dt.date(1900, 3, 1)
    assert parse_date(45658).value == dt.date(2025, 1, 1)


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@FAST
@given(dates)
def test_format_then_parse_round_trip(value: dt.date) -> None:
    text = format_date_vi(value)
    assert len(text) == 10 and text[2] == text[5] == "/"
    assert parse_date(text).value == value
    assert parse_date(value.isoformat()).value == value
    assert parse_date(f"{value.day}-{value.month}-{value.year}").value == value


@FAST
@given(dates, st.floats(min_value=0, max_value=0.999))
def test_excel_serial_round_trip(value: dt.date, time_of_day: float) -> None:
    serial = to_excel_serial(value)
    assert parse_date(serial).value == value
    assert parse_date(serial + time_of_day).value == value
    if not 1900 <= serial <= 2100:  # those four digits read as a bare year
        assert parse_date(str(serial)).value == value


def test_format_date_vi_of_nothing_is_empty() -> None:
    assert format_date_vi(None) == ""
    assert format_date_vi(dt.date(2009, 1, 2)) == "02/01/2009"
