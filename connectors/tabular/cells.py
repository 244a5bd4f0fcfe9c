"""The text of one cell, the same for every reader of a table.

Header detection, the quarantine's copy of a row and the value parsers all see a cell through
:func:`cell_text`, so a cell cannot be blank to one of them and ``"nan"`` to another.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

# Only ASCII blanks are trimmed: a trailing U+00A0 can be half of a mojibake letter (``à`` is
# ``Ã`` + U+00A0 when UTF-8 is read as cp1252), which the repair still has to read.
_BLANKS = " \t\r\n"


def cell_text(value: Any) -> str:
    """A cell as text: ``""`` for an empty cell (None, NaN, blank); whole Excel numbers as
    integers (codes, years: ``7901234567.0`` → ``7901234567``); dates as ``dd/mm/yyyy``."""
    if value.__class__ is str:  # most cells: the fast path
        return value.strip(_BLANKS)
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().strftime("%d/%m/%Y") if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip(_BLANKS)
