"""Evidence, as a school officer reads it: the glossary's labelled rows, one line each.

Conflict rules write evidence as JSON of any reasonable shape (``{"dob": {"vendor": …,
"registry": …}}``, ``{"codes": [...]}``, plain values); :func:`doisoat.glossary.evidence_rows`
turns any of them into labelled rows (Vietnamese labels, dates dd/mm/yyyy, decimal commas, the
match probability in words). This module only parses the stored JSON and joins rows into lines.
"""

from __future__ import annotations

import json
from typing import Any

from doisoat.glossary import evidence_rows, fmt_value

MAX_CHARS = 2000


def parse(raw: str | dict | list | None) -> Any:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict | list):
        return raw
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def format_value(value: Any, key: str = "") -> str:
    """One value as a person reads it (the glossary's :func:`~doisoat.glossary.fmt_value`)."""
    return fmt_value(key, value)


def lines(raw: str | dict | list | None) -> list[str]:
    """One line per field of the evidence: «Ngày sinh: 18/06/2012»."""
    data = parse(raw)
    if isinstance(data, list):
        return [format_value(v) for v in data]
    return [f"{label}: {value}" for label, value in evidence_rows(data)]


def text(raw: str | dict | list | None, separator: str = "\n") -> str:
    out = separator.join(lines(raw))
    return out if len(out) <= MAX_CHARS else out[: MAX_CHARS - 1] + "…"
