"""Parsers for single cell values: scores, terms, ratings, statuses, codes.

Pure functions of one raw value; the mapping applies them to the unique values of a column,
so they run once per distinct value, not once per row.
"""

from __future__ import annotations

import math
import re
from typing import Any

from connectors.tabular.cells import cell_text
from connectors.tabular.header import fold_label

TERM_WORDS = {
    "1": "1", "i": "1", "hk1": "1", "hk i": "1", "hoc ky 1": "1", "hoc ky i": "1", "ky 1": "1",
    "ky i": "1", "2": "2", "ii": "2", "hk2": "2", "hk ii": "2", "hoc ky 2": "2",
    "hoc ky ii": "2", "ky 2": "2", "ky ii": "2", "year": "year", "cn": "year",
    "ca nam": "year", "nam": "year", "3": "year",
}

RESULT_WORDS = {
    "t": "T", "tot": "T", "k": "K", "kha": "K", "d": "D", "dat": "D", "cd": "CD",
    "chua dat": "CD", "g": "G", "gioi": "G", "tb": "TB", "trung binh": "TB", "y": "Y",
    "yeu": "Y", "kem": "Kem",
}

RATING_WORDS = {"d": "D", "dat": "D", "cd": "CD", "chua dat": "CD", "cđ": "CD"}

STATUS_WORDS = {
    "dang hoc": "studying",
    "chuyen den ky 1": "transferred_in",
    "chuyen den ky 2": "transferred_in",
    "chuyen den trong he": "transferred_in",
    "chuyen den": "transferred_in",
    "thoi hoc": "dropped_out",
    "bo hoc": "dropped_out",
    "chuyen di": "transferred_out",
    "da tot nghiep": "graduated",
    "tot nghiep": "graduated",
    "luu ban": "repeating",
    "o lai lop": "repeating",
}
STATUSES = {"studying", "transferred_out", "transferred_in", "dropped_out", "graduated",
            "repeating"}

_SCORE_SPLIT = re.compile(r"[;|\s]+")


def parse_score(value: Any) -> float | None:
    """A 0–10 score; decimal comma accepted. Raises ValueError when not a score."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        if not text:
            return None
        number = float(text)
    if math.isnan(number) or not 0 <= number <= 10:
        raise ValueError(f"score out of range: {value!r}")
    return round(number, 2)


def parse_scores(value: Any) -> list[float]:
    """Regular scores written in one cell: '8;7,5;9' or '8 7,5 9'."""
    text = cell_text(value)
    if not text:
        return []
    return [s for s in (parse_score(part) for part in _SCORE_SPLIT.split(text) if part)
            if s is not None]


def parse_term(value: Any) -> str | None:
    return TERM_WORDS.get(fold_label(cell_text(value)))


def parse_result(value: Any) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    return RESULT_WORDS.get(fold_label(text), text)


def parse_rating(value: Any) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    return RATING_WORDS.get(fold_label(text), text)


def parse_count(value: Any) -> int | None:
    """A count of sessions (absences): a whole number, 0 or more; ``3,0`` accepted.

    Raises ValueError otherwise: ``2,5`` or ``-1`` absences is a typing error to show the
    school, not a number to round."""
    text = cell_text(value)
    if not text:
        return None
    number = float(text.replace(",", "."))
    if not number.is_integer() or number < 0:
        raise ValueError(f"not a count: {value!r}")
    return int(number)


def status_table(extra: dict[str, list[str]]) -> dict[str, str]:
    """Folded status label -> canonical status, the profile's labels over the defaults."""
    table = dict(STATUS_WORDS)
    for status, labels in extra.items():
        for label in labels:
            table[fold_label(label)] = status
    for status in STATUSES:
        table[status] = status
    return table


def parse_status(value: Any, table: dict[str, str]) -> str | None:
    text = cell_text(value)
    if not text:
        return "studying"
    return table.get(fold_label(text))


_GRADE_CELL = re.compile(r"(?:khoi\s*)?(\d{1,2})(?:[.,]0+)?")


def parse_grade(value: Any) -> int | None:
    """A grade (khối) written in a column of its own: a whole number from 1 to 12 (``7``,
    ``7,0``, ``Khối 7``); None otherwise, for the caller to quarantine.

    Unlike :func:`grade_of` it does not read the leading digits of a longer text: ``6.5`` or
    ``1e9`` in a «Khối» column is a typing error to show the school, not khối 6 or 1."""
    found = _GRADE_CELL.fullmatch(fold_label(cell_text(value)))
    if not found:
        return None
    grade = int(found.group(1))
    return grade if 1 <= grade <= 12 else None


def grade_of(class_name: str | None) -> int | None:
    """The grade (khối) a class name starts with: '6A1' -> 6, '12.6' -> 12."""
    if not class_name:
        return None
    found = re.match(r"\s*(\d{1,2})", class_name)
    if not found:
        return None
    grade = int(found.group(1))
    return grade if 1 <= grade <= 12 else None


