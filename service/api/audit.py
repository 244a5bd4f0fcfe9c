"""The audit trail is append-only: nobody, through any layer, edits or deletes an event.

Three guards, each catching what the one above cannot:

* the API exposes no route that updates or deletes an event;
* the ORM refuses to flush a changed or deleted :class:`AuditEvent` (``before_flush``);
* the database refuses ``UPDATE``/``DELETE`` (and ``TRUNCATE`` on PostgreSQL) with a trigger
  that :func:`install_guard` creates, so that even raw SQL through another tool fails.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.orm import Session

from doisoat.errors import StateConflict
from doisoat.model import AuditEvent
from service.api import messages

_audit = AuditEvent.__table__
APPEND_ONLY = "audit_event is append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()}
        BEFORE {verb} ON audit_event
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}';
END
$$"""

_PG_TRIGGERS = [
    ("audit_event_no_change", "BEFORE UPDATE OR DELETE", "FOR EACH ROW"),
    ("audit_event_no_truncate", "BEFORE TRUNCATE", "FOR EACH STATEMENT"),
]


class AuditAppendOnlyError(StateConflict):
    """Someone tried to change or delete an audit event (the API answers 409)."""


def install_guard(engine: Engine) -> None:
    """Create the database triggers that refuse changes to ``audit_event`` (idempotent)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(_PG_FUNCTION))
            for name, when, each in _PG_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON audit_event"))
                conn.execute(
                    text(
                        f"CREATE TRIGGER {name} {when} ON audit_event {each} "
                        "EXECUTE FUNCTION audit_event_append_only()"
                    )
                )
        else:
            for statement in _SQLITE_TRIGGERS:
                conn.execute(text(statement))


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
) -> list[dict[str, Any]]:
    """Events, newest first."""
    query = select(_audit)
    if entity is not None:
        query = query.where(_audit.c.entity == entity)
    if entity_id is not None:
        query = query.where(_audit.c.entity_id == entity_id)
    query = query.order_by(_audit.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_event_out(row) for row in rows]


def _event_out(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("before", "after"):
        try:
            out[key] = json.loads(out[key] or "{}")
        except ValueError:
            pass
    return out
