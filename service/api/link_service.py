"""A person's word on a pair of student records, asked through the API or the pages.

Who may decide: district officers on any pair; a school administrator only when each of the two
records belongs to their school or to the registry (a vendor record of another school answers
exactly like a missing one, so its id tells nothing). The decision itself is
``reconcile.decisions`` — the same functions ``doisoat link`` calls — with the signed-in user as
the decider, so the audit event names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, select

from doisoat.errors import ReconcileError
from doisoat.model import StudentRecord
from reconcile import decisions
from reconcile.messages import DECISIONS_VI
from service.api.auth import CAN_ACT_ON_CONFLICTS, Principal
from service.api.services import BadRequest

DECIDERS = CAN_ACT_ON_CONFLICTS
REGISTRY_SOURCE = "moet"
# Record and conflict ids as the adapters accept them: no control characters (PostgreSQL
# text refuses NUL); reasons: no NUL.
ID_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"
REASON_PATTERN = r"^[^\x00]*$"
ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "same": decisions.confirm,
    "different": decisions.separate,
    "undo": decisions.undo_link,
}
_UNKNOWN_PREFIX = DECISIONS_VI["UNKNOWN"].split("{", 1)[0]
_student = StudentRecord.__table__


def _unknown(record_ids: Iterable[str]) -> BadRequest:
    return BadRequest(DECISIONS_VI["UNKNOWN"].format(records=", ".join(record_ids)), status=404)


def _records(engine: Engine, record_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """record id -> (source, school) for the ids that exist."""
    ids = sorted(set(record_ids))
    if not ids:
        return {}
    query = select(_student.c.record_id, _student.c.source, _student.c.school_code).where(
        _student.c.record_id.in_(ids)
    )
    with engine.connect() as conn:
        return {r.record_id: (r.source, r.school_code) for r in conn.execute(query)}


def _may_decide_on(who: Principal, record: tuple[str, str] | None) -> bool:
    if record is None:
        return False
    source, school = record
    return who.is_district or source == REGISTRY_SOURCE or school == who.school_code


def _authorise_pair(engine: Engine, who: Principal, a: str, b: str) -> None:
    who.require(DECIDERS)
    if who.is_district:
        return
    records = _records(engine, (a, b))  # a missing record is named by decide()
    hidden = [rid for rid in (a, b) if rid in records and not _may_decide_on(who, records[rid])]
    if hidden:
        raise _unknown(hidden)


def decide(
    engine: Engine, who: Principal, a: str, b: str, decision: str, reason: str
) -> dict[str, Any]:
    """Record ``decision`` (same | different | undo) on the pair as ``who``; the stored row."""
    _authorise_pair(engine, who, a, b)
    if decision not in ACTIONS:
        raise BadRequest(DECISIONS_VI["KIND"])
    try:
        return ACTIONS[decision](engine, a, b, by=who.username, reason=(reason or "").strip())
    except ReconcileError as exc:
        status = 404 if exc.message_vi.startswith(_UNKNOWN_PREFIX) else 422
        raise BadRequest(exc.message_vi, status=status) from exc


def list_decisions(
    engine: Engine, who: Principal, record_id: str | None = None, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Decisions naming ``record_id`` (or all), newest first, that ``who`` may see: a school
    administrator sees those on pairs they could have decided themselves."""
    who.require(DECIDERS)
    if record_id is not None and not who.is_district:
        if not _may_decide_on(who, _records(engine, [record_id]).get(record_id)):
            raise _unknown([record_id])
    rows = decisions.decisions(engine, record_id).to_dicts()
    if not who.is_district:
        records = _records(engine, (i for r in rows for i in (r["left_id"], r["right_id"])))
        rows = [
            r
            for r in rows
            if _may_decide_on(who, records.get(r["left_id"]))
            and _may_decide_on(who, records.get(r["right_id"]))
        ]
    return rows[: max(1, min(limit, 500))]
