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

from doisoat.errors import BadRequest, NotFound
from doisoat.model import REGISTRY_SOURCE, StudentRecord
from reconcile import DECISIONS_VI, confirm, separate, undo_link
from reconcile import list_decisions as recorded_decisions
from service.api.auth import CAN_ACT_ON_CONFLICTS, Principal

DECIDERS = CAN_ACT_ON_CONFLICTS
# Record and conflict ids as the adapters accept them: no control characters (PostgreSQL
# text refuses NUL); reasons: no NUL.
ID_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"
REASON_PATTERN = r"^[^\x00]*$"
ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "same": confirm,
    "different": separate,
    "undo": undo_link,
}
_student = StudentRecord.__table__


def _unknown(record_ids: Iterable[str]) -> NotFound:
    """Said of a missing record and of one the caller may not decide on, alike."""
    ids = list(record_ids)
    return NotFound(
        f"unknown record(s): {ids}",
        message_vi=DECISIONS_VI["UNKNOWN"].format(records=", ".join(ids)),
    )


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
    """Record ``decision`` (same | different | undo) on the pair as ``who``; the stored row.

    ``reconcile.decisions`` raises ``NotFound`` for a missing record and ``ReconcileError`` for
    a decision it refuses; the app answers each by its class (404, 422)."""
    _authorise_pair(engine, who, a, b)
    if decision not in ACTIONS:
        raise BadRequest(f"unknown decision {decision!r}", message_vi=DECISIONS_VI["KIND"])
    return ACTIONS[decision](engine, a, b, by=who.username, reason=(reason or "").strip())


def list_decisions(
    engine: Engine, who: Principal, record_id: str | None = None, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Decisions naming ``record_id`` (or all), newest first, that ``who`` may see: a school
    administrator sees those on pairs they could have decided themselves."""
    who.require(DECIDERS)
    if record_id is not None and not who.is_district:
        if not _may_decide_on(who, _records(engine, [record_id]).get(record_id)):
            raise _unknown([record_id])
    rows = recorded_decisions(engine, record_id).to_dicts()
    if not who.is_district:
        records = _records(engine, (i for r in rows for i in (r["left_id"], r["right_id"])))
        rows = [
            r
            for r in rows
            if _may_decide_on(who, records.get(r["left_id"]))
            and _may_decide_on(who, records.get(r["right_id"]))
        ]
    return rows[: max(1, min(limit, 500))]
