"""The worklist as a person uses it: searched by a student's name, code or class, sorted by any
column, paged, each row naming the student, their class and the fix.

Why in Python rather than SQL: the student's name and class live in the records a conflict names
(a JSON list), not in the conflict row, and a school's list is a few hundred rows, a district's a
few thousand. One pass over the open conflicts of the scope and the records they name answers
every search and sort alike, with the same redaction as the API (:mod:`service.api.redact`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from doisoat.conflict_types import SEVERITY_ORDER, label_of
from doisoat.model import REGISTRY_SOURCE, AuditEvent, Conflict
from doisoat.vn.text import fold
from service.api import services
from service.api.auth import Principal

_conflict = Conflict.__table__
_audit = AuditEvent.__table__
NOTE_ACTION = "conflict.noted"  # a school's answer that changes no status (worklist_answers)
SORTS = ("severity", "type", "student", "class", "status", "first_seen", "school")
STUDENT_FIELDS = ("full_name", "given_name", "family_name", "middle_name", "class_name",
                  "moet_code", "dob", "local_id")  # fmt: skip


@dataclass(frozen=True)
class WorklistQuery:
    school: str | None = None
    type: str | None = None
    severity: str | None = None
    status: str | None = "open"
    q: str = ""
    sort: str = "severity"
    descending: bool = False
    page: int = 1
    page_size: int = 50


@dataclass
class WorklistPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    first: int  # 1-based position of the first row shown (0 when none)
    last: int
    counts: dict[str, int] = field(default_factory=dict)  # open conflicts by type, this scope


def _student_of(records: list[dict[str, Any]], school: str | None) -> dict[str, Any]:
    """The student a row is about: the school's own vendor record first, then its registry
    record; another school's records are never candidates (they were filtered before)."""
    own = [r for r in records if school is None or r.get("school_code") == school]
    own.sort(key=lambda r: (r.get("source") == REGISTRY_SOURCE, r.get("record_id")))
    return own[0] if own else {}


def _name_key(student: dict[str, Any]) -> tuple[str, str, str]:
    """Vietnamese name order: by given name, then family name, then middle name."""
    return (fold(str(student.get("given_name") or "")), fold(str(student.get("family_name") or "")),
            fold(str(student.get("middle_name") or "")))  # fmt: skip


def _sort_key(sort: str):
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}

    def key(item: dict[str, Any]) -> tuple[Any, ...]:
        student = item["student"]
        severity = rank.get(item["severity"], 9)
        by = {
            "severity": (severity,),
            "type": (fold(label_of(item["type"])),),
            "student": (not student, *_name_key(student)),
            "class": (not student.get("class_name"), str(student.get("class_name") or "")),
            "status": (str(item["status"]),),
            "first_seen": (str(item["first_seen"]),),
            "school": (str(item.get("school_code") or ""),),
        }[sort]
        return (*by, severity, *_name_key(student), item["conflict_id"])

    return key


def _matches(item: dict[str, Any], needle: str) -> bool:
    student = item["student"]
    haystack = " ".join(
        str(student.get(f) or "") for f in ("full_name", "moet_code", "class_name", "local_id")
    )
    return needle in fold(f"{haystack} {item.get('message_vi') or ''}")


def worklist(engine: Engine, who: Principal, query: WorklistQuery) -> WorklistPage:
    """One page of the scope's conflicts, searched, sorted and counted."""
    school = who.school_scope(query.school)
    flt = services.ConflictFilter(
        school=school, type=query.type or None, severity=query.severity or None,
        status=query.status or None,
    )  # fmt: skip
    flt.validate()
    if query.sort not in SORTS:
        raise services.bad_filter("sort")
    where = services._conflict_where(who, flt)
    with engine.connect() as conn:
        rows = conn.execute(select(_conflict).where(*where)).fetchall()
        items = [services.conflict_out(r) for r in rows]
        ids = sorted({str(i) for item in items for i in item["record_ids"]})
        records = {r["record_id"]: r for r in services._records(conn, ids)}
        items = services._redacted(conn, who, items)
        answers = _school_answers(conn, [item["conflict_id"] for item in items])
    for item in items:
        named = [records[i] for i in map(str, item["record_ids"]) if i in records]
        visible = [r for r in named if who.can_see(r.get("school_code"))]
        item["student"] = {
            f: _student_of(visible, item.get("school_code")).get(f) for f in STUDENT_FIELDS
        }
        item["evidence"] = {}  # the list shows the fix, not the evidence
        item["answer"] = answers.get(item["conflict_id"])
    counts: dict[str, int] = {}
    for item in items:
        counts[item["type"]] = counts.get(item["type"], 0) + 1
    needle = fold(query.q.strip())
    if needle:
        items = [item for item in items if _matches(item, needle)]
    items.sort(key=_sort_key(query.sort), reverse=query.descending)
    total = len(items)
    pages = max(1, -(-total // query.page_size))
    page = min(max(1, query.page), pages)
    start = (page - 1) * query.page_size
    shown = items[start : start + query.page_size]
    return WorklistPage(
        items=shown, total=total, page=page, pages=pages,
        first=start + 1 if shown else 0, last=start + len(shown), counts=counts,
    )  # fmt: skip


def _school_answers(conn: Any, conflict_ids: list[str]) -> dict[str, str]:
    """The latest answer a school wrote on each conflict without changing its status (a note
    from the Excel worklist: «fixed in the software», «in progress»…), as the school wrote it."""
    wanted = set(conflict_ids)
    if not wanted:
        return {}
    query = (
        select(_audit.c.entity_id, _audit.c.after)
        .where(_audit.c.entity == "conflict", _audit.c.action == NOTE_ACTION)
        .order_by(_audit.c.id)
    )
    out: dict[str, str] = {}
    for conflict_id, after in conn.execute(query).all():
        if conflict_id not in wanted:
            continue
        try:
            said = json.loads(after or "{}")
        except ValueError:
            continue
        words = str(said.get("answer_vi") or said.get("answer") or "")
        note = str(said.get("note") or "")
        out[conflict_id] = f"{words}: {note}" if words and note else words or note
    return out


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links to show: the first, the last, and a few around the current one; ``None``
    stands for a gap («…»)."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    shown = sorted(p for p in wanted if 1 <= p <= pages)
    out: list[int | None] = []
    for number in shown:
        if out and out[-1] is not None and number - out[-1] > 1:  # type: ignore[operator]
            out.append(None)
        out.append(number)
    return out
