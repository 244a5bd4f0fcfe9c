"""What a school may not read of a conflict that names another school's records: the one rule.

A conflict of school A may carry records of school B: the same student enrolled at both
(``DUAL_ENROLLMENT``), a transfer whose receiving school gave a new code, a code shared with a
student of B. School A's administrator must read everything about *their own* student (name,
code, class, date of birth, their record ids): that is what they fix. What belongs to B stays
with B:

- B's records themselves: their record ids, local numbers, classes, source files;
- a *different* student of B (a code shared across schools, the registry's owner of a code):
  name, date of birth, codes, parents' names — read as «(học sinh trường khác)»;
- the same student *as B holds them* where it differs from A's (a name spelt otherwise, another
  code, another date of birth) — read as «(dữ liệu của trường khác)»;
- of B's records in the evidence, only where the student is and since when (``KEPT_FIELDS``).

Two exceptions keep the fix doable: a value A's own records hold too is A's (the student's name
at both schools), and a code the registry gives this very student (``old_codes``, ``new_codes``,
``suggested_code`` in the evidence: «use the old code 79… again») is the student's, not B's.

Why one module: the pages (through the service) and the Excel worklist and CSV (here) each had
their own version of this rule, and they drifted (one hid the school's own student, the other
showed B's record ids). Both now call :func:`withhold`; naming schools and wording evidence are
the readers' business, after it. Pure: dicts in, a new dict out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from doisoat.conflict_types import family_of
from doisoat.glossary import fmt_date
from doisoat.model import REGISTRY_SOURCE, SOURCES
from doisoat.vn.text import fold
from reports import messages

# Fields that say who a student is, as a school holds them.
PERSON_FIELDS = ("full_name", "dob", "moet_code", "personal_id", "father_name", "mother_name")
# Fields that are the other school's own bookkeeping: always withheld.
SCHOOL_FIELDS = ("record_id", "local_id", "class_name", "src_file")
# What anyone may read of another school's record: where the student is, and since when.
KEPT_FIELDS = ("source", "school_code", "status", "status_date", "transfer_school_code")
# Evidence keys that hold codes the registry gives this very student (the fix reuses them).
REGISTRY_CODE_KEYS = frozenset({"old_codes", "new_codes", "suggested_code"})

_MIN_SECRET = 2  # a one-letter value (a gender, a grade) is nobody's secret and is in every word
_RECORD_ID = re.compile(rf"\b(?:{'|'.join(SOURCES)}):\d+:[\w.-]*\w")


def owner(record: Mapping[str, Any], school: str) -> str:
    """'own', 'registry' (the sector database's view of the school's student, not another
    school's) or 'other'."""
    if record.get("source") == REGISTRY_SOURCE:
        holder = record.get("school_code")
        return "registry" if not holder or holder == school else "other"
    return "own" if record.get("school_code") == school else "other"


def _person_key(record: Mapping[str, Any]) -> tuple[str, str]:
    return fold(str(record.get("full_name") or "")), str(record.get("dob") or "")[:10]


def same_student(
    ctype: str, record: Mapping[str, Any], own: Iterable[Mapping[str, Any]]
) -> bool:
    """Whether another school's record is the viewer's own student as that school holds them:
    every transfer conflict is about one student; otherwise the same name and date of birth."""
    if family_of(ctype) == "transfers":
        return True
    return bool(record.get("full_name")) and _person_key(record) in {
        _person_key(r) for r in own
    }


def _spellings(value: Any) -> set[str]:
    """How a value may be written in a message: as stored, and a date also as dd/mm/yyyy."""
    out = {str(value)}
    if hasattr(value, "isoformat"):
        out |= {value.isoformat()[:10], fmt_date(value)}
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        out.add(fmt_date(value))
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
    elif isinstance(evidence, list | tuple):
        for value in evidence:
            codes |= _registry_codes(value)
    return codes


def secrets_of(
    ctype: str,
    hidden: Iterable[Mapping[str, Any]],
    visible: Iterable[Mapping[str, Any]],
    evidence: Any = None,
) -> dict[str, str]:
    """Every text of the other schools' records the viewer may not read, with the words that
    stand in its place."""
    visible = list(visible)
    own: set[str] = set()
    for record in visible:
        for field in (*PERSON_FIELDS, *SCHOOL_FIELDS):
            if record.get(field) not in (None, ""):
                own |= _spellings(record[field])
    kept = own | _registry_codes(evidence)
    found: dict[str, str] = {}
    for record in hidden:
        same = same_student(ctype, record, visible)
        person = messages.WITHHELD if same else messages.WITHHELD_STUDENT
        for field in (*SCHOOL_FIELDS, *PERSON_FIELDS):
            value = record.get(field)
            if value in (None, ""):
                continue
            words = messages.WITHHELD_RECORD if field == "record_id" else (
                person if field in PERSON_FIELDS else messages.WITHHELD
            )  # fmt: skip
            for text in _spellings(value):
                if text not in kept and (len(text) >= _MIN_SECRET or field == "record_id"):
                    found.setdefault(text, words)
    return found


class _Withholder:
    def __init__(
        self, secrets: dict[str, str], shown_ids: set[str], hidden_ids: set[str], school: str
    ) -> None:
        self.secrets = secrets
        self.shown_ids = shown_ids
        self.hidden_ids = hidden_ids
        self.school = school
        ordered = sorted(secrets, key=len, reverse=True)  # «Trần Thi Anh» before «Anh»
        self._secret = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in ordered) + r")(?!\w)")
            if ordered
            else None
        )

    def text(self, value: str) -> str:
        value = _RECORD_ID.sub(
            lambda m: m.group(0) if m.group(0) in self.shown_ids else messages.WITHHELD_RECORD,
            value,
        )
        if self._secret is not None:
            value = self._secret.sub(lambda m: self.secrets[m.group(0)], value)
        return value

    def _is_other_record(self, value: Mapping[str, Any]) -> bool:
        rid = str(value.get("record_id") or "")
        if rid in self.hidden_ids:
            return True
        if rid in self.shown_ids:
            return False
        return bool(value.get("school_code")) and owner(value, self.school) == "other"

    def evidence(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if self._is_other_record(value):
                return {k: self.evidence(value[k]) for k in KEPT_FIELDS if k in value}
            return {k: self.evidence(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.evidence(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if value is not None and str(value) in self.secrets:
            return self.secrets[str(value)]
        return value


def withhold(
    item: Mapping[str, Any],
    hidden: Iterable[Mapping[str, Any]],
    visible: Iterable[Mapping[str, Any]],
    *,
    school: str | None = None,
) -> dict[str, Any]:
    """``item`` (a conflict: ``type``, ``record_ids``, ``evidence`` as a mapping,
    ``message_vi``, ``suggested_fix``) as ``school`` (default: the conflict's own) may read it,
    given the records it names that belong to other schools (``hidden``) and to the school or
    the registry's view of it (``visible``).

    The record ids keep only the visible records'; ``hidden_records`` says how many went."""
    hidden, visible = list(hidden), list(visible)
    school = str(school or item.get("school_code") or "")
    evidence = item.get("evidence") or {}
    hidden_ids = {str(r["record_id"]) for r in hidden if r.get("record_id")}
    shown_ids = {str(r["record_id"]) for r in visible if r.get("record_id")}
    rule = _Withholder(
        secrets_of(str(item.get("type") or ""), hidden, visible, evidence),
        shown_ids, hidden_ids, school,
    )  # fmt: skip
    out = dict(item)
    ids = [str(i) for i in item.get("record_ids") or []]
    out["record_ids"] = [i for i in ids if i in shown_ids]
    out["hidden_records"] = len(ids) - len(out["record_ids"])
    out["evidence"] = rule.evidence(evidence)
    out["message_vi"] = rule.text(str(item.get("message_vi") or ""))
    out["suggested_fix"] = rule.text(str(item.get("suggested_fix") or ""))
    return out


def split_records(
    records: Iterable[Mapping[str, Any]], school: str
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(hidden, visible): the records of other schools, and the school's own and the registry's
    view of them."""
    records = list(records)
    hidden = [r for r in records if owner(r, school) == "other"]
    return hidden, [r for r in records if owner(r, school) != "other"]


def other_school_codes(
    item: Mapping[str, Any], hidden: Iterable[Mapping[str, Any]], school: str | None
) -> list[str]:
    """The other schools a conflict names (its hidden records', and those its evidence names:
    where a student went, where they came from), in order of appearance, the viewer's left out."""
    codes = [str(r["school_code"]) for r in hidden if r.get("school_code")]
    codes += school_codes_in(item.get("evidence"))
    return [c for c in dict.fromkeys(codes) if c and c != school]


SCHOOL_KEYS = frozenset({
    "school_code", "transfer_school_code", "receiving_school", "sending_school", "schools",
    "destination_schools", "previous_schools", "other_school", "school",
})  # fmt: skip
"""Evidence keys whose values are school codes (read as «name (code)» wherever a person reads)."""


def school_codes_in(evidence: Any, key: str = "") -> list[str]:
    """The school codes an evidence holds under ``SCHOOL_KEYS``, in order."""
    found: list[str] = []
    if isinstance(evidence, Mapping):
        for k, v in evidence.items():
            found += school_codes_in(v, str(k))
    elif isinstance(evidence, list | tuple):
        for v in evidence:
            found += school_codes_in(v, key)
    elif key in SCHOOL_KEYS and isinstance(evidence, str) and evidence:
        found.append(evidence)
    return found
