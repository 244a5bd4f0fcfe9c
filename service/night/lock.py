"""One nightly run at a time: an advisory lock on PostgreSQL, a file lock beside SQLite."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from doisoat.errors import DoisoatError

LOCK_NAME = "doisoat-nightly"


class RunLockedError(DoisoatError):
    """Another nightly run holds the lock."""


def _busy() -> RunLockedError:
    return RunLockedError(
        "another nightly run is in progress",
        message_vi="Một lượt đối soát hằng đêm khác đang chạy; lượt này không bắt đầu.",
    )


@contextmanager
def nightly_lock(engine: Engine) -> Iterator[None]:
    """Hold the district's nightly lock for the duration of the block, or fail at once."""
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(LOCK_NAME.encode())
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one()
            conn.commit()
            if not got:
                raise _busy()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database or ":memory:"
    path = Path(f"{database}.nightly.lock") if database != ":memory:" else None
    if path is None:
        yield
        return
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise _busy() from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
