"""How the pages say things: schools by name and code, evidence as labelled tables, record
columns headed in words. Every word comes from the glossary (:mod:`doisoat.glossary`); the JSON
API keeps its codes and never passes through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import reports
from doisoat import glossary
from doisoat.model import REGISTRY_SOURCE

# Evidence keys that hold school codes: read as «Trường THCS Lê Lợi (79760101)» (one list,
# shared with the Excel worklist and the CSV).
SCHOOL_KEYS = reports.SCHOOL_KEYS
# Internal ids a person has no use for (the comparison table shows the records themselves).
SKIPPED_KEYS = frozenset({"record_id", "registry_record", "snapshot_id", "local_id"})


def key_label(key: str) -> str:
    """The words for an evidence key: a field, else a subject or a term code (the glossary's
    words, as the Excel worklist and the CSV read them)."""
    for kind in ("field", "subject", "term"):
        words = glossary.label(kind, key)
        if words != key:
            return words
    return key


def school_name(code: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """«Trường THCS Lê Lợi (79760101)»; the code alone for a school the directory lacks."""
    if code in (None, ""):
        return glossary.EMPTY
    entry = directory.get(str(code))
    return f"{entry['name']} ({code})" if entry and entry.get("name") else str(code)


class _Names(Mapping[str, str]):
    """The directory read as code → name, for :func:`reports.name_schools`."""

    def __init__(self, directory: Mapping[str, Mapping[str, Any]]) -> None:
        self._directory = directory

    def __getitem__(self, code: str) -> str:
        name = (self._directory.get(code) or {}).get("name")
        if not name:
            raise KeyError(code)
        return str(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._directory)

    def __len__(self) -> int:
        return len(self._directory)


def name_schools(text: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """A sentence with every known school code replaced by the school's name and code («trường
    79000001» → «Trường THCS Hai Bà Trưng (79000001)»): the one way of
    :func:`reports.name_schools`, which the Excel worklist, the CSV and the report use too."""
    return reports.name_schools(text, _Names(directory))


def value(key: str, raw: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """One value as a person reads it, given its field."""
    if key in SCHOOL_KEYS and raw not in (None, ""):
        codes = raw if isinstance(raw, list) else [raw]
        return "; ".join(school_name(c, directory) for c in codes)
    if isinstance(raw, Mapping):
        return "; ".join(f"{key_label(str(k))}: {value(str(k), v, directory)}"
                         for k, v in raw.items())  # fmt: skip
    if key in ("subject_averages", "term_averages") or glossary.label("subject", key) != key:
        return glossary.fmt_decimal(raw) if isinstance(raw, int | float) else str(raw)
    return glossary.fmt_value(key, raw)


def _is_table(items: Any) -> bool:
    return isinstance(items, list) and bool(items) and all(isinstance(i, Mapping) for i in items)


def evidence_sections(
    evidence: Any, directory: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The evidence as sections a page shows as tables: first the plain facts (label, value),
    then one table per nested record (label, value) and per list of records (a column per
    field, a row per item)."""
    if not isinstance(evidence, Mapping):
        return [{"title": "", "rows": [(glossary.label("field", "evidence"), str(evidence))]}]
    facts: list[tuple[str, str]] = []
    sections: list[dict[str, Any]] = []
    for key, raw in evidence.items():
        key = str(key)
        if key in SKIPPED_KEYS:
            continue
        title = key_label(key)
        if isinstance(raw, Mapping) and raw:
            rows = [
                (key_label(str(k)), value(str(k), v, directory))
                for k, v in raw.items()
                if str(k) not in SKIPPED_KEYS
            ]
            sections.append({"title": title, "rows": rows})
        elif _is_table(raw):
            columns = [c for c in dict.fromkeys(k for item in raw for k in item)
                       if c not in SKIPPED_KEYS]  # fmt: skip
            sections.append({
                "title": title,
                "head": [key_label(c) for c in columns],
                "table": [[value(c, item.get(c), directory) for c in columns] for item in raw],
            })  # fmt: skip
        else:
            facts.append((title, value(key, raw, directory)))
    return ([{"title": "", "rows": facts}] if facts else []) + sections


def record_head(record: Mapping[str, Any], records: list[Mapping[str, Any]]) -> str:
    """A comparison column's head: «CSDL ngành · 7403455370» for the registry, «SMAS» for a
    vendor (with its own number when two records come from the same software)."""
    source = str(record.get("source") or "")
    words = glossary.label("source", source)
    if source == REGISTRY_SOURCE:
        return f"{words} · {record.get('moet_code') or glossary.EMPTY}"
    same = [r for r in records if r.get("source") == source]
    return f"{words} · {record.get('local_id')}" if len(same) > 1 else words


_VALUE_KEYS = {"gender": "gender", "status": "status", "source": "source"}


def comparison_value(field: str, raw: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    if raw in (None, ""):
        return ""
    if field in SCHOOL_KEYS:
        return school_name(raw, directory)
    if field in ("dob", "status_date"):
        return glossary.fmt_date(raw)
    return glossary.fmt_value(_VALUE_KEYS.get(field, field), raw)


def changes(values: Any) -> str:
    """An audit event's before/after as «Trạng thái: Đã xác nhận; Lý do: …»."""
    if not isinstance(values, Mapping):
        return "" if values in (None, "") else str(values)
    parts = []
    for key, raw in values.items():
        if key == "status" and raw in glossary.labels("status"):
            shown = glossary.label("status", raw)
        else:
            shown = glossary.fmt_value(str(key), raw)
        parts.append(f"{glossary.label('field', str(key))}: {shown}")
    return "; ".join(parts)
