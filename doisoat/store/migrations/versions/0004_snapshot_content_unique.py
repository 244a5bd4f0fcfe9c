"""source_snapshot: the same bytes are stored once per source and school (a unique index)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

"The same bytes add nothing" was a look before the write (``already_imported``): two imports of
one folder at once both looked, both found nothing and both stored every file (55 snapshots for
42 files on PostgreSQL; an upload sent six times at once was stored six times). The database now
refuses the second copy itself: a unique index on (source, school, content hash), the school's
absence counted as one value (``COALESCE``, since NULLs are never equal in a unique index on
either database). Snapshots without a hash (``''``) are not constrained.

A store that already holds copies cannot take the index as it is. Decided: of each group of
copies, the one the night already reads is kept (the newest ``loaded`` one, else the newest),
and every other copy is

* marked ``excluded`` (if it was not), so the next night reads each file once, as it would
  have had the race never happened: the copies add nothing to it;
* given a hash that says whose copy it is (``<hash>#copy-<its id>-of-<kept id>``), so the
  index holds;
* written to the audit trail (``snapshot.deduplicated``), with its status and hash before and
  after, so an officer can see why a snapshot left the night.

Rows are not deleted: the records of a copy may be named by a committed night's identities
and conflicts. The downgrade drops the index and leaves the copies as they are.
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "uq_source_snapshot_content"
# One statement for both databases: expression and partial indexes are in SQLite (3.9, 3.8) and
# PostgreSQL alike.
_CREATE = (
    f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON source_snapshot "
    "(source, COALESCE(school_code, ''), content_hash) WHERE content_hash <> ''"
)
ACTOR = "migration 0004"
REASON = "Bản sao của ảnh chụp {kept} (cùng nội dung tệp), nhập khi hai lần nhập chạy cùng lúc"


def _copies(bind: sa.Connection) -> list[list[tuple[int, str, str]]]:
    """Groups of snapshots of the same source, school and hash: (id, status, hash), by id."""
    rows = bind.execute(sa.text(
        "SELECT s.source, COALESCE(s.school_code, ''), s.content_hash, s.id, s.status"
        " FROM source_snapshot s JOIN ("
        "  SELECT source, COALESCE(school_code, '') AS school, content_hash"
        "  FROM source_snapshot WHERE content_hash <> ''"
        "  GROUP BY source, COALESCE(school_code, ''), content_hash HAVING COUNT(*) > 1"
        ") d ON d.source = s.source AND d.school = COALESCE(s.school_code, '')"
        " AND d.content_hash = s.content_hash ORDER BY s.id"
    )).all()
    groups: dict[tuple[str, str, str], list[tuple[int, str, str]]] = {}
    for source, school, digest, snapshot_id, status in rows:
        groups.setdefault((source, school, digest), []).append(
            (int(snapshot_id), str(status), str(digest)))
    return list(groups.values())


def _kept(group: list[tuple[int, str, str]]) -> int:
    """The copy the night reads: the newest loaded one, else the newest."""
    loaded = [snapshot_id for snapshot_id, status, _ in group if status == "loaded"]
    return max(loaded) if loaded else max(snapshot_id for snapshot_id, _, _ in group)


def _deduplicate(bind: sa.Connection) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for group in _copies(bind):
        kept = _kept(group)
        for snapshot_id, status, digest in group:
            if snapshot_id == kept:
                continue
            after = {"status": "excluded",
                     "content_hash": f"{digest}#copy-{snapshot_id}-of-{kept}"}
            bind.execute(
                sa.text("UPDATE source_snapshot SET status = :status, content_hash = :content_hash"
                        " WHERE id = :id"),
                {**after, "id": snapshot_id},
            )
            bind.execute(
                sa.text("INSERT INTO audit_event (at, actor, action, entity, entity_id, before,"
                        " after, reason) VALUES (:at, :actor, 'snapshot.deduplicated',"
                        " 'source_snapshot', :entity_id, :before, :after, :reason)"),
                {"at": now, "actor": ACTOR, "entity_id": str(snapshot_id),
                 "before": json.dumps({"status": status, "content_hash": digest}),
                 "after": json.dumps(after), "reason": REASON.format(kept=kept)},
            )


def upgrade() -> None:
    bind = op.get_bind()
    _deduplicate(bind)
    op.execute(_CREATE)


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
