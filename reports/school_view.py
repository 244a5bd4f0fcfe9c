"""A conflict as one school may read it: all of its own student, nothing of another school's.

Why a rule of its own: the first worklists hid too little (another school's record ids in the
Excel file) and the pages too much (the school's own student, in its own class, read «học sinh
trường khác»). The rule, the same for the Excel worklist and the CSV:

- everything about the viewer's own students is shown: name, identity code, class, date of
  birth, their record ids;
- of another school, only its name and code are shown, with how to reach it; its record ids,
  its class and the student's data *as that school holds it* (a name spelt otherwise, another
  code, its local number) are not;
- the sector database's data about the student is not another school's, and stays (an old
  identity code that the registry holds for this very student is what the fix asks to reuse).

Pure: item dicts and the people they name in, item dicts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from doisoat.glossary import evidence_rows
from doisoat.model import REGISTRY_SOURCE
from reports import messages

# Fields of a record that say who the student is, as a school holds them.
IDENTIFYING = (
    "record_id", "local_id", "moet_code", "personal_id", "full_name", "dob", "class_name",
    "father_name", "mother_name",
)  # fmt: skip
# Evidence keys that hold school codes: shown as «name (code)».
SCHOOL_KEYS = frozenset(
    {"school_code", "schools", "sending_school", "receiving_school", "previous_schools",
     "destination_schools", "transfer_school_code"}
)  # fmt: skip
# Evidence keys that hold codes the registry gives this very student (the fix reuses them).
REGISTRY_CODE_KEYS = frozenset({"old_codes", "new_codes", "suggested_code"})


def school_label(code: str | None, names: Mapping[str, str]) -> str:
    """«THCS Lê Lợi (79002)»: a name alone is ambiguous (two schools share one), a code alone
    means nothing to a person."""
    if not code:
        return messages.LABELS["other_school"]
    name = names.get(code)
    return f"{name} ({code})" if name and name != code else str(code)


def owner(record: Mapping[str, Any], school: str) -> str:
    """'own', 'registry' (the sector database's view, not another school's) or 'other'."""
    if record.get("source") == REGISTRY_SOURCE:
        rec_school = record.get("school_code")
        return "registry" if not rec_school or rec_school == school else "other"
    return "own" if record.get("school_code") == school else "other"


def _values(records: Iterable[Mapping[str, Any]]) -> set[str]:
    out: set[str] = set()
    for r in records:
        for field in IDENTIFYING:
            value = r.get(field)
            if value not in (None, ""):
                out.add(str(value))
                if hasattr(value, "isoformat"):
                    out.add(value.isoformat())
    return out


def _registry_codes(evidence: Any) -> set[str]:
    codes: set[str] = set()
    if isinstance(evidence, Mapping):
        for key, value in evidence.items():
            if key in REGISTRY_CODE_KEYS:
                items = value if isinstance(value, list | tuple) else [value]
                codes.update(str(v) for v in items if v not in (None, ""))
            else:
                codes |= _registry_codes(value)
    elif isinstance(evidence, list):
        for value in evidence:
            codes |= _registry_codes(value)
    return codes


_TOKEN = re.compile(
    r"(?<![\w(.:-])([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])(?![\w).:-])"
)
"""A word that may be a school code; it is named only if the directory knows it (a lookup per
word is fast for a province's thousands of schools, where one regex of every code is not)."""


class _Scrubber:
    """Replaces another school's values in text with words that say a value is withheld, and
    names other schools' codes with their names."""

    def __init__(
        self, secrets: set[str], names: Mapping[str, str], school: str, hidden_ids: set[str]
    ) -> None:
        self.hidden_ids = hidden_ids
        self.secrets = sorted((s for s in secrets if len(s) >= 2), key=len, reverse=True)
        self.names = names
        self.school = school

        self._withheld = re.compile(
            "|".join(re.escape(s) for s in self.secrets) if self.secrets else r"(?!)"
        )

    def text(self, value: str) -> str:
        if self.secrets:
            value = self._withheld.sub(messages.WITHHELD, value)
        names = self.names

        def named(match: re.Match[str]) -> str:
            word = match.group(1)
            return school_label(word, names) if word in names else word

        return _TOKEN.sub(named, value)

    def evidence(self, value: Any, key: str = "") -> Any:
        if isinstance(value, Mapping):
            holder = value.get("school_code")
            if str(value.get("record_id")) in self.hidden_ids or (
                holder and holder != self.school and value.get("source") != REGISTRY_SOURCE
            ):
                return None  # another school's record as it holds it
            kept = {k: self.evidence(v, str(k)) for k, v in value.items()}
            return {k: v for k, v in kept.items() if v is not None or value.get(k) is None}
        if isinstance(value, list | tuple):
            kept_items = [self.evidence(v, key) for v in value]
            return [v for v in kept_items if v is not None]
        if key in SCHOOL_KEYS and isinstance(value, str):
            return school_label(value, self.names)
        if isinstance(value, str):
            return self.text(value)
        if value is not None and str(value) in self.secrets:
            return messages.WITHHELD
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
    (any of ``IDENTIFYING`` plus ``source`` and ``school_code``).

    Adds ``other_schools`` (labels of the other schools involved), ``contact`` (how to reach
    them) and ``evidence_rows`` (labelled rows, the glossary's words)."""
    records = list(records)
    mine = [r for r in records if owner(r, school) != "other"]
    others = [r for r in records if owner(r, school) == "other"]
    evidence = item.get("evidence") or {}
    secrets = _values(others) - _values(mine) - _registry_codes(evidence)
    secrets -= {school, *names}  # school codes are named, never withheld
    hidden_ids = {str(r["record_id"]) for r in others if r.get("record_id")}
    scrub = _Scrubber(secrets, names, school, hidden_ids)
    other_codes = {str(r["school_code"]) for r in others if r.get("school_code")}
    other_codes |= {c for c in _school_codes(evidence) if c != school}
    out = dict(item)
    own_ids = {str(r["record_id"]) for r in mine if r.get("record_id")}
    out["record_ids"] = [i for i in (str(x) for x in item.get("record_ids") or []) if i in own_ids]
    out["evidence"] = scrub.evidence(evidence)
    out["message_vi"] = scrub.text(str(item.get("message_vi") or ""))
    out["suggested_fix"] = scrub.text(str(item.get("suggested_fix") or ""))
    out["other_schools"] = [school_label(c, names) for c in sorted(other_codes)]
    out["contact"] = contact_text(sorted(other_codes), names, contacts or {})
    out["evidence_rows"] = evidence_rows(out["evidence"])
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


def _school_codes(evidence: Any, key: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(evidence, Mapping):
        for k, v in evidence.items():
            found |= _school_codes(v, str(k))
    elif isinstance(evidence, list | tuple):
        for v in evidence:
            found |= _school_codes(v, key)
    elif key in SCHOOL_KEYS and isinstance(evidence, str) and evidence:
        found.add(evidence)
    return found


def evidence_text(rows: list[tuple[str, str]], separator: str = "\n") -> str:
    """Labelled rows as the lines of one cell: «Ngày sinh: 18/06/2012»."""
    text = separator.join(f"{label}: {value}" for label, value in rows)
    return text if len(text) <= 2000 else text[:1999] + "…"
