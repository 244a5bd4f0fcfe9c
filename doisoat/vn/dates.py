"""Dates as Vietnamese sources write them: day first, dd/mm/yyyy, and whatever Excel did to them.

Accepted: ``05/03/2012``, ``5/3/12``, ``05-03-2012``, ``05.03.2012``, ``2012-03-05`` (ISO, with
or without a time), ``ngày 05 tháng 03 năm 2012``, Excel serial numbers (1900 date system, as
int, float or numeric text), and ``date``/``datetime`` objects. Two-digit years 00–49 are
20xx and 50–99 are 19xx. Four digits alone between 1900 and 2100 are a year without day and
month (a problem), not an Excel serial.

Vietnamese sources write the day first, so ``05/03/2012`` is 5 March and not ambiguous. For a
source whose order is not known, ``order="unknown"`` reads day first but flags a date whose day
and month could be swapped; a first number above 12 settles the order either way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal, NamedTuple

from . import messages

Order = Literal["dmy", "mdy", "unknown"]

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100
_MAX_SERIAL = (dt.date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days


class DateParse(NamedTuple):
    value: dt.date | None
    ambiguous: bool = False
    problem: str | None = None  # Vietnamese, for the person who fixes the file
    problem_code: str | None = None  # stable code, e.g. DATE_IMPOSSIBLE


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_DMY = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})" + _TIME)
_WORDS = re.compile(
    r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm|,)?\s*(\d{4})", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _fail(code: str, raw: object) -> DateParse:
    return DateParse(None, False, messages.text(code, raw=raw), code)


def _build(year: int, month: int, day: int, raw: object) -> DateParse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _fail("DATE_OUT_OF_RANGE", raw)
    try:
        return DateParse(dt.date(year, month, day))
    except ValueError:
        return _fail("DATE_IMPOSSIBLE", raw)


def _from_serial(serial: float, raw: object) -> DateParse:
    if math.isnan(serial) or serial < 1 or serial > _MAX_SERIAL:
        return _fail("DATE_OUT_OF_RANGE", raw)
    days = int(serial)
    if days == 60:  # Excel's 29/02/1900, a day that never was
        return _fail("DATE_IMPOSSIBLE", raw)
    if days < 60:
        days += 1  # before the phantom leap day the epoch is one day later
    return DateParse(EXCEL_EPOCH + dt.timedelta(days=days))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def parse_date(raw: object, order: Order = "dmy") -> DateParse:
    """Read a date of birth (or any date) from what a source gave; never raises.

    ``value`` is ``None`` with a Vietnamese ``problem`` when the input is empty, unreadable,
    impossible (31/02) or out of range (before 1900, after 2100).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _fail("DATE_MISSING", raw)
    if isinstance(raw, dt.datetime):
        return _build(raw.year, raw.month, raw.day, raw)
    if isinstance(raw, dt.date):
        return _build(raw.year, raw.month, raw.day, raw)
    if isinstance(raw, bool):
        return _fail("DATE_UNREADABLE", raw)
    if isinstance(raw, int | float):
        return _from_serial(float(raw), raw)
    text = " ".join(str(raw).split()).strip().lstrip("'")
    if m := _YMD.fullmatch(text):
        return _build(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _DMY.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        if order == "mdy":
            return _build(year, first, second, raw)
        if order == "unknown":
            if first <= 12 < second:
                return _build(year, first, second, raw)
            parsed = _build(year, second, first, raw)
            if parsed.value is not None and first <= 12 and second <= 12 and first != second:
                return parsed._replace(
                    ambiguous=True,
                    problem=messages.text("DATE_AMBIGUOUS", raw=raw),
                    problem_code="DATE_AMBIGUOUS",
                )
            return parsed
        parsed = _build(year, second, first, raw)
        if parsed.value is None and first <= 12 < second and _build(year, first, second, raw).value:
            return _fail("DATE_MONTH_FIRST", raw)
        return parsed
    if m := _WORDS.fullmatch(text):
        return _build(int(m[3]), int(m[2]), int(m[1]), raw)
    if _NUMBER.fullmatch(text):
        if re.fullmatch(r"\d{4}", text) and MIN_YEAR <= int(text) <= MAX_YEAR:
            return _fail("DATE_YEAR_ONLY", raw)
        if re.fullmatch(r"\d{8}", text):  # yyyymmdd
            return _build(int(text[:4]), int(text[4:6]), int(text[6:]), raw)
        return _from_serial(float(text.replace(",", ".")), raw)
    return _fail("DATE_UNREADABLE", raw)


def format_date_vi(value: dt.date | None) -> str:
    """``dd/mm/yyyy``, the way every Vietnamese document writes a date ('' for None)."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def to_excel_serial(value: dt.date) -> int:
    """The Excel (1900 system) serial number of a date, for writing test files."""
    days = (value - EXCEL_EPOCH).days
    return days - 1 if days <= 60 else days
