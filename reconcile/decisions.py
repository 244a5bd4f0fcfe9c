"""A person's word on a pair of records: "same student", "not the same student", or "undo
that link". It is kept in ``link_decision`` and wins over every later night's scores (as
master-patient indexes keep verified links); undoing a link leaves a "different" mark so the
next night does not link the pair again. Every decision, and every change of one, is an
audit event (who, when, before, after, why) in the same transaction.

Pairs are stored in one orientation (vendor record first, registry record second, or the
smaller record id first), so the same pair decided twice is one row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, select

from doisoat.errors import NotFound, ReconcileError
from doisoat.model import REGISTRY_SOURCE, AuditEvent, LinkDecision, StudentRecord
from doisoat.store import queries
from reconcile.messages import DECISIONS_VI

SAME, DIFFERENT = "same", "different"
_audit = AuditEvent.__table__
_decision = LinkDecision.__table__


def _oriented(engine: Engine, a: str, b: str) -> tuple[str, str, dict[str, dict[str, Any]]]:
    rows = queries.records_by_id(
        engine, [a, b], columns=["record_id", "source", "school_code", "full_name"]
    )
    found = {r["record_id"]: r for r in rows.iter_rows(named=True)}
    missing = [rid for rid in (a, b) if rid not in found]
    if missing:
        raise NotFound(
            f"unknown record(s): {missing}",
            message_vi=DECISIONS_VI["UNKNOWN"].format(records=", ".join(missing)),
        )
    if a == b:
        raise ReconcileError("a record is always itself", message_vi=DECISIONS_VI["SELF"])
    a_registry = found[a]["source"] == REGISTRY_SOURCE
    b_registry = found[b]["source"] == REGISTRY_SOURCE
    if a_registry != b_registry:
        left, right = (b, a) if a_registry else (a, b)
    else:
        left, right = sorted((a, b))
    return left, right, found


def decide(
    engine: Engine, a: str, b: str, decision: str, *, by: str, reason: str, action: str = ""
) -> dict[str, Any]:
    """Record ``decision`` (same | different) on the pair (a, b); returns the stored row."""
    if decision not in (SAME, DIFFERENT):
        raise ReconcileError(f"unknown decision {decision!r}", message_vi=DECISIONS_VI["KIND"])
    if not by.strip() or not reason.strip():
        raise ReconcileError("a decision needs who and why", message_vi=DECISIONS_VI["WHO_WHY"])
    left, right, records = _oriented(engine, a, b)
    now = dt.datetime.now(dt.UTC)
    row = {
        "left_id": left, "right_id": right, "decision": decision,
        "decided_by": by, "decided_at": now, "reason": reason,
    }  # fmt: skip
    with engine.begin() as conn:
        before = (
            conn.execute(
                select(_decision).where(_decision.c.left_id == left, _decision.c.right_id == right)
            )
            .mappings()
            .first()
        )
        conn.execute(delete(_decision).where(
            _decision.c.left_id == left, _decision.c.right_id == right
        ))  # fmt: skip
        conn.execute(_decision.insert().values(**row))
        conn.execute(
            _audit.insert().values(
                at=now, actor=by, action=action or f"link.{decision}", entity="link",
                entity_id=f"{left}|{right}",
                before=json.dumps(dict(before) if before else {}, default=str, ensure_ascii=False),
                after=json.dumps(
                    {**row, "schools": sorted({r["school_code"] for r in records.values()})},
                    default=str, ensure_ascii=False,
                ),
                reason=reason,
            )
        )  # fmt: skip
    return row


def confirm(engine: Engine, a: str, b: str, *, by: str, reason: str) -> dict[str, Any]:
    """The two records are the same student: linked tonight and every night after."""
    return decide(engine, a, b, SAME, by=by, reason=reason)


def separate(engine: Engine, a: str, b: str, *, by: str, reason: str) -> dict[str, Any]:
    """The two records are different students: never linked again."""
    return decide(engine, a, b, DIFFERENT, by=by, reason=reason)


def undo_link(engine: Engine, a: str, b: str, *, by: str, reason: str) -> dict[str, Any]:
    """Undo a link (the engine's or a person's): the pair is marked "do not re-link"."""
    return decide(engine, a, b, DIFFERENT, by=by, reason=reason, action="link.undo")


def decisions(engine: Engine, record_id: str | None = None) -> pl.DataFrame:
    """Every human decision, or those naming ``record_id``, newest first."""
    return queries.link_decisions(engine, record_id or None).sort("decided_at", descending=True)


def schools_of(engine: Engine, a: str, b: str) -> set[str]:
    """The schools the two records belong to (who may decide on the pair)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(StudentRecord.school_code).where(StudentRecord.record_id.in_([a, b]))
        ).scalars()
        return set(found)
