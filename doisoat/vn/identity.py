"""Identity codes and gender: the student identity code, the personal identity code (CCCD), Nam/Nữ.

The student identity code (mã định danh Bộ GD&ĐT) is 10 digits whose structure is not
published; in real data its first two digits are the issuing province's code, so an unknown
prefix is a *warning* with evidence, never proof of invalidity.

The personal identity code (số định danh cá nhân, printed on the CCCD) is 12 digits: the
3-digit code of the province of birth registration, one digit for century and sex (0 male /
1 female born 1900–1999, 2/3 for 2000–2099, 4/5 for 2100–2199), two digits of the birth year
and six serial digits. There is no public check digit.

Excel damages both: it stores them as numbers (``7405537946.0``, ``7.405537946E+09``), drops
a leading zero (``79212001234`` for ``079212001234``), or rounds long numbers. The checkers
undo what can be undone and say what cannot.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Literal, NamedTuple

from . import messages
from .provinces import KNOWN_PREFIXES, PROVINCES_2024, province_name
from .text import fold

Gender = Literal["M", "F"]


class Problem(NamedTuple):
    code: str
    message: str  # Vietnamese


class CodeCheck(NamedTuple):
    code: str | None  # the 10-digit code, when one could be read
    valid: bool
    problem: str | None = None  # Vietnamese, when not valid
    province_warning: str | None = None  # Vietnamese, with the prefix as evidence
    problem_code: str | None = None
    repair: str | None = None  # Vietnamese note when Excel damage was undone


class PersonalIdCheck(NamedTuple):
    code: str | None  # the 12-digit code, when one could be read
    valid: bool  # well formed: 12 digits, known province, century digit 0–5
    problems: tuple[Problem, ...] = ()
    province_code: str | None = None  # 3 digits, e.g. "079"
    province_name: str | None = None
    gender: Gender | None = None  # as the code says
    birth_year: int | None = None  # as the code says
    repair: str | None = None

    @property
    def consistent(self) -> bool:
        """Well formed and in agreement with the date of birth and gender it was checked with."""
        return self.valid and not self.problems


_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_TRAILING_ZERO_FRACTION = re.compile(r"(\d+)[.,]0+")
_SCIENTIFIC = re.compile(r"(\d)(?:[.,](\d*))?[eE]\+?(\d{1,2})")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\-]+")


def _digits(raw: object) -> tuple[str | None, str | None]:
    """(digits, problem code) from a cell as a source gave it."""
    if raw is None or isinstance(raw, bool):
        return (None, "MISSING") if raw is None else (None, "NOT_DIGITS")
    if isinstance(raw, float):
        if math.isnan(raw):
            return None, "MISSING"
        if not raw.is_integer() or raw < 0:
            return None, "NOT_DIGITS"
        raw = int(raw)
    if isinstance(raw, int | Decimal):
        try:
            value = int(raw)
        except (ValueError, InvalidOperation):
            return None, "NOT_DIGITS"
        return (str(value), None) if value >= 0 and value == raw else (None, "NOT_DIGITS")
    text = _SPACES.sub("", str(raw)).lstrip("'’`")
    if not text:
        return None, "MISSING"
    if text.isdigit():
        return text, None
    if _THOUSANDS.fullmatch(text):
        return re.sub(r"[.,]", "", text), None
    if m := _TRAILING_ZERO_FRACTION.fullmatch(text):
        return m[1], None
    if m := _SCIENTIFIC.fullmatch(text):
        mantissa, exponent = m[1] + (m[2] or ""), int(m[3])
        if len(mantissa) > exponent + 1:  # digits after the decimal point must be zeros
            extra = mantissa[exponent + 1 :]
            if extra.strip("0"):
                return None, "NOT_DIGITS"
            mantissa = mantissa[: exponent + 1]
        if len(mantissa) < exponent + 1:
            return None, "PRECISION_LOST"
        return mantissa, None
    return None, "NOT_DIGITS"


def check_moet_code(raw: object) -> CodeCheck:
    """Read and check a student identity code (mã định danh Bộ GD&ĐT).

    Valid means 10 digits after undoing Excel damage; a 9-digit code whose zero-padded prefix
    is a province code (``105537946`` → ``0105537946``) is re-padded.
    """
    digits, failure = _digits(raw)
    if digits is None:
        code = f"MOET_{failure}"
        return CodeCheck(None, False, messages.text(code, raw=raw), None, code)
    repair = None
    if len(digits) == 9 and ("0" + digits)[:2] in KNOWN_PREFIXES:
        digits = "0" + digits
        repair = messages.text("MOET_REPADDED", raw=raw, code=digits)
    if len(digits) != 10:
        problem = messages.text("MOET_WRONG_LENGTH", raw=raw, length=len(digits))
        return CodeCheck(None, False, problem, None, "MOET_WRONG_LENGTH")
    warning = None
    if digits[:2] not in KNOWN_PREFIXES:
        warning = messages.text("MOET_PROVINCE_UNKNOWN", prefix=digits[:2], code=digits)
    return CodeCheck(digits, True, None, warning, None, repair)


_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}
_PID_PROVINCES = frozenset("0" + code for code in PROVINCES_2024)


def check_personal_id(
    raw: object, dob: dt.date | None = None, gender: object = None
) -> PersonalIdCheck:
    """Read and check a personal identity code, and whether it agrees with ``dob`` and ``gender``.

    ``gender`` may be ``"M"``/``"F"`` or anything :func:`parse_gender` reads.
    """
    digits, failure = _digits(raw)
    if digits is None:
        code = f"PID_{failure}"
        return PersonalIdCheck(None, False, (Problem(code, messages.text(code, raw=raw)),))
    repair = None
    if len(digits) == 11 and ("0" + digits)[:3] in _PID_PROVINCES:
        digits = "0" + digits
        repair = messages.text("PID_REPADDED", raw=raw, code=digits)
    if len(digits) != 12:
        message = messages.text("PID_WRONG_LENGTH", raw=raw, length=len(digits))
        return PersonalIdCheck(None, False, (Problem("PID_WRONG_LENGTH", message),))
    problems: list[Problem] = []
    province3, century_digit, yy = digits[:3], int(digits[3]), int(digits[4:6])
    valid = True
    if province3 not in _PID_PROVINCES:
        valid = False
        problems.append(
            Problem(
                "PID_PROVINCE_UNKNOWN",
                messages.text("PID_PROVINCE_UNKNOWN", prefix=province3, code=digits),
            )
        )
    pid_gender: Gender | None = None
    birth_year = None
    if century_digit in _CENTURY:
        pid_gender = "F" if century_digit % 2 else "M"
        birth_year = _CENTURY[century_digit] + yy
    else:
        valid = False
        problems.append(
            Problem(
                "PID_CENTURY_INVALID",
                messages.text("PID_CENTURY_INVALID", digit=century_digit, code=digits),
            )
        )
    if birth_year is not None and dob is not None and dob.year != birth_year:
        problems.append(
            Problem(
                "PID_YEAR_MISMATCH",
                messages.text(
                    "PID_YEAR_MISMATCH",
                    code=digits,
                    pid_year=birth_year,
                    dob=f"{dob.day:02d}/{dob.month:02d}/{dob.year}",
                    dob_year=dob.year,
                ),
            )
        )
    stated = gender if gender in ("M", "F") else parse_gender(gender)
    if pid_gender is not None and stated is not None and stated != pid_gender:
        problems.append(
            Problem(
                "PID_GENDER_MISMATCH",
                messages.text(
                    "PID_GENDER_MISMATCH",
                    code=digits,
                    pid_gender=messages.GENDER_WORDS[pid_gender],
                    gender=messages.GENDER_WORDS[stated],
                ),
            )
        )
    return PersonalIdCheck(
        digits,
        valid,
        tuple(problems),
        province3,
        province_name(province3),
        pid_gender,
        birth_year,
        repair,
    )


def make_personal_id(
    province3: str | int, dob: dt.date | int, gender: Gender, serial6: int | str
) -> str:
    """Build a well-formed personal identity code (for the simulator and tests)."""
    province = str(province3).zfill(3)
    if province not in _PID_PROVINCES:
        raise ValueError(f"unknown province code for a personal ID: {province3!r}")
    year = dob if isinstance(dob, int) else dob.year
    if not 1900 <= year <= 2199:
        raise ValueError(f"birth year {year} has no century digit")
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be 'M' or 'F', not {gender!r}")
    serial = str(serial6).zfill(6)
    if len(serial) != 6 or not serial.isdigit():
        raise ValueError(f"serial must be at most 6 digits, not {serial6!r}")
    century_digit = (year // 100 - 19) * 2 + (1 if gender == "F" else 0)
    return f"{province}{century_digit}{year % 100:02d}{serial}"


_MALE = frozenset({"nam", "m", "male", "trai", "con trai", "boy"})
_FEMALE = frozenset({"nu", "f", "female", "gai", "con gai", "girl"})
_TICKED = frozenset({"1", "x", "true", "co", "yes", "v", "\u2713", "\u2714", "nu", "f"})
_UNTICKED = frozenset({"", "0", "false", "khong", "no"})


def parse_gender(raw: object, column_means_female: bool = False) -> Gender | None:
    """``"M"``, ``"F"`` or ``None`` (unknown) from a gender cell.

    Read in any case, with or without diacritics: Nam / M / male / trai → ``M``;
    Nữ / nu / F / female / gái → ``F``. A bare ``1``, ``0`` or ``x`` means nothing on its own and
    gives ``None`` — except in a column headed "Nữ" (a tick box, as vendor exports have), read
    with ``column_means_female=True``: then ``1``/``x``/``true``/``có``/✓ mean female and an
    empty cell, ``0`` or ``false`` mean male.
    """
    if isinstance(raw, bool):
        key = "1" if raw else "0"
    elif isinstance(raw, float) and math.isnan(raw):
        key = ""
    elif isinstance(raw, int | float) and float(raw).is_integer():
        key = str(int(raw))
    else:
        key = fold("" if raw is None else str(raw)).strip(" .")
    if column_means_female:
        if key in _TICKED or key in _FEMALE:
            return "F"
        if key in _UNTICKED or key in _MALE:
            return "M"
        return None
    if key in _MALE:
        return "M"
    if key in _FEMALE:
        return "F"
    return None
