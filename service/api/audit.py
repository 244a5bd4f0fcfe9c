"""The audit trail is append-only: nobody, through any layer, edits or deletes an event.

Three guards, each catching what the one above cannot:

* the API exposes no route that updates or deletes an event;
* the ORM refuses to flush a changed or deleted :class:`AuditEvent` (``before_flush``);
* the database refuses ``UPDATE``/``DELETE`` (and ``TRUNCATE`` on PostgreSQL) with triggers
  that a migration creates (``0003_audit_event_append_only``), so that even raw SQL through
  another tool fails, on every store, whether or not a server ever opened it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, Engine, and_, event, or_, select
from sqlalchemy.orm import Session

from doisoat.errors import StateConflict
from doisoat.model import AuditEvent, Conflict, UserAccount
from service.api import messages

_audit = AuditEvent.__table__
APPEND_ONLY = "audit_event is append-only"

class AuditAppendOnlyError(StateConflict):
    """Someone tried to change or delete an audit event (the API answers 409)."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditAppendOnlyError(APPEND_ONLY, message_vi=messages.error("audit_append_only"))


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Append one event inside the caller's transaction (so the change and its record agree)."""
    conn.execute(
        _audit.insert().values(
            at=now_utc(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=json.dumps(before or {}, ensure_ascii=False, default=str),
            after=json.dumps(after or {}, ensure_ascii=False, default=str),
            reason=reason,
        )
    )


def events(
    engine: Engine,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    school: str | None = None,
) -> list[dict[str, Any]]:
    """Events, newest first. ``since``/``until`` are days in Vietnam time, both included;
    ``school``: events on that school's conflicts, or by that school's people."""
    query = select(_audit)
    if entity is not None:
        query = query.where(_audit.c.entity == entity)
    if entity_id is not None:
        query = query.where(_audit.c.entity_id == entity_id)
    if actor:
        query = query.where(_audit.c.actor == actor)
    if action:
        query = query.where(_audit.c.action == action)
    if since is not None:
        query = query.where(_audit.c.at >= _utc_start_of(since))
    if until is not None:
        query = query.where(_audit.c.at < _utc_start_of(until + dt.timedelta(days=1)))
    if school:
        conflicts = select(Conflict.__table__.c.conflict_id).where(
            Conflict.__table__.c.school_code == school
        )
        people = select(UserAccount.__table__.c.username).where(
            UserAccount.__table__.c.school_code == school
        )
        query = query.where(
            or_(
                and_(_audit.c.entity == "conflict", _audit.c.entity_id.in_(conflicts)),
                _audit.c.actor.in_(people),
            )
        )
    query = query.order_by(_audit.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_event_out(row) for row in rows]


def actors(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        found = conn.execute(select(_audit.c.actor).distinct().order_by(_audit.c.actor))
        return [str(a) for a in found.scalars()]


def _utc_start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Vietnam, in UTC (the trail's clock)."""
    local = dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return local.astimezone(dt.UTC)


def _event_out(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("before", "after"):
        try:
            out[key] = json.loads(out[key] or "{}")
        except ValueError:
            pass
    return out
