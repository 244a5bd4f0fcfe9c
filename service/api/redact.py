"""What a school user may read of a conflict that involves another school.

A conflict of school A may carry records of school B: the same student enrolled at both
(``DUAL_ENROLLMENT``), a transfer whose receiving school gave a new code, a code shared with a
student of B. School A's administrator must read everything about *their own* student (name,
code, class, date of birth): that is what they fix. What belongs to school B stays with B:

* B's records themselves: their record ids, local ids, classes, source files;
* a *different* student of B (a code shared across schools, the registry owner of a code): name,
  date of birth, codes, parents' names;
* the student's data as B holds it when it differs from A's (a name spelled otherwise at B).

The student's identity code is the student's own, whichever school's record carries it: a
transfer's fix reads «use the old code 79… again», and hiding it would leave the school nothing to
do. So for the same student (a transfer, or a record of B with A's student's name and date of
birth) the codes stay; the rest of B's record goes.

The rule works on the stored conflict (message, fix, evidence, record ids) before any page, list
or CSV sees it, so every output says the same: the Excel worklist follows the same rule in
``reports``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from doisoat.conflict_types import family_of
from doisoat.model import SOURCES
from doisoat.vn.text import fold
from service.api import messages

# Fields of a record that say who a student is; hidden for a different student of another school.
PERSON_FIELDS = ("full_name", "dob", "moet_code", "personal_id", "father_name", "mother_name")
# Fields of a record that are the other school's own bookkeeping; always hidden.
SCHOOL_FIELDS = ("record_id", "local_id", "class_name", "src_file")
# What anyone may read of the other school's record: where the student is, and since when.
KEPT_FIELDS = ("source", "school_code", "status", "status_date", "transfer_school_code")
# Identity fields a transfer keeps: they are the student's, not the other school's.
IDENTITY_FIELDS = ("moet_code", "personal_id", "full_name", "dob")

_RECORD_ID = re.compile(rf"^(?:{'|'.join(SOURCES)}):\d+:\S+$")
_MIN_SECRET = 3  # shorter strings (a class "6A", a grade) would be replaced inside other words


def _person_key(record: dict[str, Any]) -> tuple[str, str]:
    return fold(str(record.get("full_name") or "")), str(record.get("dob") or "")


def same_student(ctype: str, hidden: dict[str, Any], visible: list[dict[str, Any]]) -> bool:
    """Whether another school's record is the viewer's own student as that school holds it."""
    if family_of(ctype) == "transfers":
        return True
    return bool(hidden.get("full_name")) and _person_key(hidden) in {
        _person_key(r) for r in visible
    }


def secrets_of(
    ctype: str, hidden: list[dict[str, Any]], visible: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The strings of the other schools' records that must not be read, longest first, each
    with what stands in its place. A value the viewer's own records carry too (the student's
    name at both schools) is not secret."""
    own = {str(r.get(f)) for r in visible for f in (*PERSON_FIELDS, *SCHOOL_FIELDS) if r.get(f)}
    found: dict[str, str] = {}
    for record in hidden:
        fields = list(SCHOOL_FIELDS)
        if not same_student(ctype, record, visible):
            fields += PERSON_FIELDS
        else:  # the same student: hide how B writes them only where it differs from A
            fields += [f for f in IDENTITY_FIELDS if f not in ("moet_code", "personal_id")]
        for field in fields:
            value = record.get(field)
            if value in (None, "") or str(value) in own:
                continue
            if len(str(value)) >= _MIN_SECRET or field == "record_id":
                found[str(value)] = _MARKER[field]
    return sorted(found.items(), key=lambda item: len(item[0]), reverse=True)


_MARKER = {
    **{f: "other_school" for f in PERSON_FIELDS},
    "record_id": "other_record",
    "local_id": "other_detail",
    "class_name": "other_detail",
    "src_file": "other_detail",
}


def redact(
    out: dict[str, Any],
    hidden: list[dict[str, Any]],
    visible: list[dict[str, Any]],
    *,
    visible_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """``out`` (a conflict) with the other schools' details removed from its text, evidence and
    record ids; ``hidden_records`` says how many records were left out."""
    ctype = str(out.get("type") or "")
    secrets = secrets_of(ctype, hidden, visible)
    hidden_by_id = {str(r["record_id"]): r for r in hidden}
    shown_ids = {str(i) for i in visible_ids} | {str(r["record_id"]) for r in visible}
    hidden_schools = {r.get("school_code") for r in hidden}

    def clean_text(value: str) -> str:
        if _RECORD_ID.match(value) and value not in shown_ids:
            return messages.LABELS["other_record"]
        for secret, marker in secrets:
            if secret in value:
                value = value.replace(secret, messages.LABELS[marker])
        return value

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            rid = str(value.get("record_id") or "")
            school = value.get("school_code")
            if rid in hidden_by_id or (rid and rid not in shown_ids and school in hidden_schools):
                record = hidden_by_id.get(rid, value)
                kept = KEPT_FIELDS
                if same_student(ctype, record, visible):
                    kept = (*KEPT_FIELDS, "moet_code")
                return {k: clean(v) for k, v in value.items() if k in kept}
            return {k: clean(v) for k, v in value.items()}
        return value

    out["evidence"] = clean(out.get("evidence") or {})
    out["message_vi"] = clean_text(str(out.get("message_vi") or ""))
    out["suggested_fix"] = clean_text(str(out.get("suggested_fix") or ""))
    ids = [str(i) for i in out.get("record_ids") or []]
    out["record_ids"] = [i for i in ids if i not in hidden_by_id]
    out["hidden_records"] = len(ids) - len(out["record_ids"])
    return out


def other_schools(out: dict[str, Any], hidden: list[dict[str, Any]], own: str | None) -> list[str]:
    """The codes of the other schools a conflict names (its hidden records', and the schools its
    evidence names: where a student went, where they came from), the viewer's own left out."""
    codes: list[str] = [str(r["school_code"]) for r in hidden if r.get("school_code")]
    evidence = out.get("evidence") or {}
    if isinstance(evidence, dict):
        for key in ("receiving_school", "sending_school", "schools", "destination_schools",
                    "previous_schools", "other_school"):  # fmt: skip
            value = evidence.get(key)
            for code in value if isinstance(value, list) else [value]:
                if isinstance(code, str) and code:
                    codes.append(code)
    return [c for c in dict.fromkeys(codes) if c != own]
