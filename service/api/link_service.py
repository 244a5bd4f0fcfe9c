"""A person's word on a pair of student records, asked through the API or the pages.

Who may decide: district officers on any pair. A school administrator only on a pair that is
their school's business, which is one of:

* both records are their school's (a vendor record or a registry record whose school is
  theirs): duplicates and identity mismatches inside the school;
* one is a vendor record of their school and the other a registry record of *any* school: the
  decision is "this student of ours is (not) that registry person", and a student who has just
  transferred in is still shown by the registry at the old school until it catches up.

So a school never decides on two records neither of which is theirs (two registry rows of
another school), never on another school's vendor record, and never sets its own registry row
against another school's registry row (that is the registry's own duplicate, for the district).
A pair refused for this reason answers exactly like missing records (404, the same sentence,
naming the records that are not theirs), so an id tells nothing about another school. A
school administrator sees the decisions on the pairs they could have made themselves.

The decision itself is ``reconcile.decisions`` — the same functions ``doisoat link`` calls —
with the signed-in user as the decider, so the audit event names them.
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


def _not_theirs(who: Principal, records: dict[str, tuple[str, str]], a: str, b: str) -> list[str]:
    """The records of the pair (a, b) that make it none of a school administrator's business
    (missing ones included), in the order given; empty when they may decide on it (module
    docstring)."""
    own = {rid for rid in (a, b) if rid in records and records[rid][1] == who.school_code}
    others = [rid for rid in dict.fromkeys((a, b)) if rid not in own]
    if len(others) == 1 and len(own) == 1 and others[0] in records:
        (mine,), other = own, others[0]
        if records[mine][0] != REGISTRY_SOURCE and records[other][0] == REGISTRY_SOURCE:
            return []  # our student is (not) that registry person: a transfer in
    return others


def _authorise_pair(engine: Engine, who: Principal, a: str, b: str) -> None:
    who.require(DECIDERS)
    if who.is_district:
        return  # a missing record is named by reconcile.decisions
    hidden = _not_theirs(who, _records(engine, (a, b)), a, b)
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
    rows = recorded_decisions(engine, record_id).to_dicts()
    if not who.is_district:
        records = _records(
            engine, {record_id or "", *(i for r in rows for i in (r["left_id"], r["right_id"]))}
        )
        rows = [r for r in rows if not _not_theirs(who, records, r["left_id"], r["right_id"])]
        if record_id is not None and not rows:
            mine = record_id in records and records[record_id][1] == who.school_code
            if not mine:
                raise _unknown([record_id])  # another school's record, or none: alike
    return rows[: max(1, min(limit, 500))]
