"""A conflict as one school may read it: all of its own student, nothing of another school's,
and every school by its name.

What is withheld is decided once, by :func:`reports.withhold.withhold` (the same rule the
pages follow through the service); this module words the result for a person: schools as «name
(code)» in the message, the fix and the evidence (:func:`name_schools`, which the pages use
too), the other schools named with how to reach them, and the evidence as labelled rows.

Pure: item dicts and the people they name in, item dicts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from doisoat.glossary import evidence_rows
from reports import messages
from reports.withhold import SCHOOL_KEYS, other_school_codes, owner, split_records, withhold

__all__ = [
    "contact_text",
    "evidence_text",
    "name_schools",
    "named_item",
    "owner",
    "school_item",
    "school_label",
]


def school_label(code: str | None, names: Mapping[str, str]) -> str:
    """«THCS Lê Lợi (79002)»: a name alone is ambiguous (two schools share one), a code alone
    means nothing to a person."""
    if not code:
        return messages.LABELS["other_school"]
    name = names.get(code)
    return f"{name} ({code})" if name and name != code else str(code)


_SCHOOL_WORD = re.compile(r"(?:\b([Tt]rường)\s+)?(?<![\w:/.-])(\w[\w-]*\w|\w)(?![\w/-]|[.:]\w)")
"""A word that may be a school code (with the word «trường» before it, if any). It is named
only if the directory knows it: a lookup per word stays fast for a province's thousands of
schools, where one pattern of every code would not."""


def name_schools(text: Any, names: Mapping[str, str]) -> str:
    """A sentence with every known school code read as its name and code («trường 79000001» →
    «Trường THCS Hai Bà Trưng (79000001)»). Identity codes (ten or twelve digits), record ids
    and dates are left alone, and so is a code already named (safe to apply twice)."""
    if not text:
        return "" if text is None else str(text)

    def named(match: re.Match[str]) -> str:
        word, code = match.group(1), match.group(2)
        name = names.get(code)
        if not name:
            return match.group(0)
        whole = match.string
        start, end = match.start(2), match.end(2)
        if (
            whole[start - 1 : start] == "("
            and whole[end : end + 1] == ")"
            and whole[: start - 1].rstrip().endswith(name)
        ):
            return match.group(0)  # already «name (code)»
        label = school_label(code, names)
        if not word:
            return label
        return label if name.lower().startswith("trường") else f"{word} {label}"

    return _SCHOOL_WORD.sub(named, str(text))


def _named_evidence(value: Any, names: Mapping[str, str], key: str = "") -> Any:
    if isinstance(value, Mapping):
        return {k: _named_evidence(v, names, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_named_evidence(v, names, key) for v in value]
    if key in SCHOOL_KEYS and isinstance(value, str):
        return school_label(value, names)
    if isinstance(value, str):
        return name_schools(value, names)
    return value


def school_item(
    item: Mapping[str, Any],
    school: str,
    records: Iterable[Mapping[str, Any]],
    names: Mapping[str, str],
    contacts: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """``item`` (a conflict with ``record_ids``, ``evidence`` as a mapping, ``message_vi``,
    ``suggested_fix``) as ``school`` may read it; ``records`` are the records it names
    (with ``source`` and ``school_code``).

    Adds ``other_schools`` (labels of the other schools involved), ``contact`` (how to reach
    them) and ``evidence_rows`` (labelled rows, the glossary's words)."""
    hidden, visible = split_records(records, school)
    out = withhold(item, hidden, visible, school=school)
    others = other_school_codes(item, hidden, school)
    out["evidence"] = _named_evidence(out["evidence"], names)
    out["message_vi"] = name_schools(out["message_vi"], names)
    out["suggested_fix"] = name_schools(out["suggested_fix"], names)
    out["other_schools"] = [school_label(c, names) for c in sorted(others)]
    out["contact"] = contact_text(sorted(others), names, contacts or {})
    out["evidence_rows"] = evidence_rows(out["evidence"])
    return out


def named_item(item: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A conflict as the district reads it (nothing withheld): its schools named."""
    out = dict(item)
    out["message_vi"] = name_schools(item.get("message_vi"), names)
    out["suggested_fix"] = name_schools(item.get("suggested_fix"), names)
    return out


def contact_text(
    codes: list[str], names: Mapping[str, str], contacts: Mapping[str, list[str]]
) -> str:
    """How to reach the other schools: their administrators when the store knows them, else
    through the district office."""
    if not codes:
        return ""
    known = [
        messages.CONTACT_PEOPLE.format(school=school_label(c, names), people=", ".join(contacts[c]))
        for c in codes
        if contacts.get(c)
    ]
    if len(known) == len(codes):
        return " ".join(known)
    return " ".join([*known, messages.CONTACT_DISTRICT])


def evidence_text(rows: list[tuple[str, str]], separator: str = "\n") -> str:
    """Labelled rows as the lines of one cell: «Ngày sinh: 18/06/2012»."""
    text = separator.join(f"{label}: {value}" for label, value in rows)
    return text if len(text) <= 2000 else text[:1999] + "…"
