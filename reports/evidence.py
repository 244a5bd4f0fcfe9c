"""Evidence, as a school officer reads it: field by field, Vietnamese labels, dates dd/mm/yyyy.

Conflict rules write evidence as JSON of any reasonable shape (``{"dob": {"vendor": …,
"registry": …}}``, ``{"codes": [...]}``, plain values); this turns any of them into short lines.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reports import messages

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+)?$")
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
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return messages.LABELS["yes"] if value else messages.LABELS["no"]
    if isinstance(value, str):
        match = _ISO_DATE.match(value)
        if match:
            return f"{match.group(3)}/{match.group(2)}/{match.group(1)}"
        if key == "gender" and value in messages.GENDERS:
            return messages.GENDERS[value]
        return value if value else "(trống)"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return " / ".join(format_value(v, key) for v in value) or "(trống)"
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)}: {format_value(v, key)}" for k, v in value.items())
    return str(value)


def _label(key: str) -> str:
    return messages.FIELDS.get(key, key)


def lines(raw: str | dict | list | None) -> list[str]:
    """One line per field of the evidence."""
    data = parse(raw)
    if isinstance(data, dict):
        return [f"{_label(k)}: {format_value(v, k)}" for k, v in data.items()]
    if isinstance(data, list):
        return [format_value(v) for v in data]
    return [format_value(data)]


def text(raw: str | dict | list | None, separator: str = "\n") -> str:
    out = separator.join(lines(raw))
    return out if len(out) <= MAX_CHARS else out[: MAX_CHARS - 1] + "…"
