"""How the pages say things: schools by name and code, evidence as labelled tables, record
columns headed in words. Every word comes from the glossary (:mod:`doisoat.glossary`); the JSON
API keeps its codes and never passes through here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from doisoat import glossary
from doisoat.model import REGISTRY_SOURCE

# Evidence keys that hold school codes: read as «Trường THCS Lê Lợi (79760101)».
SCHOOL_KEYS = frozenset({
    "school_code", "transfer_school_code", "receiving_school", "sending_school", "schools",
    "destination_schools", "previous_schools", "other_school", "school",
})  # fmt: skip
# Internal ids a person has no use for (the comparison table shows the records themselves).
SKIPPED_KEYS = frozenset({"record_id", "registry_record", "snapshot_id", "local_id"})
# Evidence words the glossary does not list yet (rules' keys seen in the demo district); the
# glossary wins as soon as it has one. Keys that are subject or term codes read as such.
_MORE_KEYS = {
    "formula": "Công thức",
    "keep": "Mã nên giữ",
    "kind": "Loại sai lệch",
    "problem": "Vấn đề",
    "receiving": "Trường tiếp nhận ghi",
    "sending": "Trường cũ ghi",
    "registry_personal_id": "Số định danh cá nhân trong CSDL ngành",
    "registry_records": "Hồ sơ trong CSDL ngành",
    "student": "Học sinh (theo phần mềm của trường)",
    "subject_averages": "Điểm trung bình các môn",
    "term_averages": "Điểm trung bình học kỳ",
    "used_by_school": "Trường đang dùng mã này",
    "failed_comment_subjects": "Môn đánh giá bằng nhận xét chưa đạt",
    "year": "Năm sinh",
}
_MORE_VALUES = {
    "kind": {"gender_digit": "Chữ số giới tính/thế kỷ không khớp",
             "birth_year": "Năm sinh không khớp", "shared": "Dùng cho nhiều học sinh"},
    "rules": {"tt22": "Thông tư 22/2021", "tt58": "Thông tư 58/2011 (sửa đổi bởi 26/2020)"},
}  # fmt: skip


def key_label(key: str) -> str:
    """The words for an evidence key: a field, else a subject or a term code."""
    for kind in ("field", "subject", "term"):
        words = glossary.label(kind, key)
        if words != key:
            return words
    return _MORE_KEYS.get(key, key)


_SCHOOL_CODE = re.compile(r"(?:([Tt]rường)\s+)?\b(\d{8})\b")


def school_name(code: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """«Trường THCS Lê Lợi (79760101)»; the code alone for a school the directory lacks."""
    if code in (None, ""):
        return glossary.EMPTY
    entry = directory.get(str(code))
    return f"{entry['name']} ({code})" if entry and entry.get("name") else str(code)


def name_schools(text: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """A sentence with every known school code replaced by the school's name and code («trường
    79000001» → «Trường THCS Hai Bà Trưng (79000001)»). Other digits (identity codes, ten or
    twelve digits long) are left alone."""
    if not text:
        return "" if text is None else str(text)

    def named(match: re.Match[str]) -> str:
        word, code = match.group(1), match.group(2)
        if code not in directory:
            return match.group(0)
        name = school_name(code, directory)
        return f"{word} {name}" if word and not name.lower().startswith("trường") else name

    return _SCHOOL_CODE.sub(named, str(text))


def value(key: str, raw: Any, directory: Mapping[str, Mapping[str, Any]]) -> str:
    """One value as a person reads it, given its field."""
    if key in SCHOOL_KEYS and raw not in (None, ""):
        codes = raw if isinstance(raw, list) else [raw]
        return "; ".join(school_name(c, directory) for c in codes)
    if isinstance(raw, str) and raw in _MORE_VALUES.get(key, {}):
        return _MORE_VALUES[key][raw]
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
