"""A named lock that one process at a time may hold over a store: the SQLite/PostgreSQL seam.

On PostgreSQL it is a session advisory lock (every server and scheduler that reaches the
database sees it); beside a SQLite file it is a ``flock`` on ``<file>.<name>.lock`` (the
processes sharing that file share the lock). An in-memory SQLite store has nobody to share
with and is not locked. Taking the lock never waits: whoever asks while it is held gets
:class:`LockHeld` at once.
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from doisoat.errors import StateConflict


class LockHeld(StateConflict):
    """Someone else holds the lock."""


@contextmanager
def exclusive(engine: Engine, name: str, *, message_vi: str) -> Iterator[None]:
    """Hold the lock ``name`` over ``engine``'s store for the block, or raise :class:`LockHeld`
    (carrying ``message_vi``) at once."""
    busy = LockHeld(f"{name} is held by another process", message_vi=message_vi)
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(name.encode())
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one()
            conn.commit()
            if not got:
                raise busy
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database or ":memory:"
    if database == ":memory:":
        yield
        return
    with Path(f"{database}.{name.removeprefix('doisoat-')}.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise busy from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
