"""Where the last incremental pull of each (source, resource) stopped: the source_cursor table.

The value is a small JSON document (``since`` watermark, page position, snapshot being filled),
written in the same transaction as the rows of the page it follows, so that a pull that
crashes resumes exactly after the last page it committed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from doisoat.model import SourceCursor

_TABLE = SourceCursor.__table__


def read_cursor(engine: Engine, source: str, resource: str) -> dict[str, Any]:
    with engine.connect() as conn:
        value = conn.execute(
            select(_TABLE.c.cursor).where(_TABLE.c.source == source,
                                          _TABLE.c.resource == resource)
        ).scalar()
    return json.loads(value) if value else {}


def write_cursor(conn: Connection, source: str, resource: str, state: dict[str, Any]) -> None:
    """Replace the saved state inside the caller's transaction."""
    conn.execute(delete(_TABLE).where(_TABLE.c.source == source, _TABLE.c.resource == resource))
    conn.execute(insert(_TABLE).values(
        source=source, resource=resource, cursor=json.dumps(state, ensure_ascii=False),
        updated_at=dt.datetime.now(dt.UTC)))
