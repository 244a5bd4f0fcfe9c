"""audit_event is append-only: the database refuses UPDATE, DELETE, REPLACE (and TRUNCATE)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

The web server used to create these triggers when it started, so a store it never opened (one
the CLI or a scheduler fills) had no guard, and the schema had a second way of being changed.
A migration is the one way: every store gets the guard when it is upgraded, whoever opens it.
Idempotent, so a store whose server already made the triggers is upgraded without a fault.

SQLite's ``INSERT OR REPLACE`` deletes the old row without firing a DELETE trigger (unless
recursive triggers are on), so an insert that names an existing event id is refused on its
own. PostgreSQL's ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE trigger.
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_event is append-only"

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
_SQLITE_VERBS = ("UPDATE", "DELETE")
_SQLITE_NO_REPLACE = f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_replace
    BEFORE INSERT ON audit_event
    WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for name, when, each in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_event")
            op.execute(
                f"CREATE TRIGGER {name} {when} ON audit_event {each} "
                "EXECUTE FUNCTION audit_event_append_only()"
            )
        return
    for verb in _SQLITE_VERBS:
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{verb.lower()} "
            f"BEFORE {verb} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
    op.execute(_SQLITE_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _when, _each in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        return
    for verb in (*_SQLITE_VERBS, "REPLACE"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")
