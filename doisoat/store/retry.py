"""Writers wait their turn: what a short write does when another holds the store.

SQLite lets one writer in at a time. A night, an import, a login and an acknowledgement are
all writers, and each must wait for the others rather than fail with ``database is locked``.
Three things make them wait:

* every SQLite connection carries a busy timeout (:data:`BUSY_TIMEOUT_MS`): a statement that
  meets a lock sleeps and tries again inside SQLite;
* a batch unit of work takes the write lock when it begins (``BEGIN IMMEDIATE``), before it
  reads anything: a transaction that has read and then wants to write, after someone else
  wrote, is refused at once whatever the timeout (SQLite cannot move its snapshot), which is
  how two ``doisoat ingest`` of one folder used to kill each other;
* a short transaction that still meets a lock (the timeout ran out behind a long write, or a
  snapshot went stale, or PostgreSQL chose it as a deadlock's victim) is run again whole by
  :func:`write_transaction`, after a pause that grows, for up to :data:`RETRY_FOR_SECONDS`.

A writer that has waited that long is told so in Vietnamese (:class:`StoreBusy`), never with a
driver's traceback.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy import Connection, Engine

from doisoat.errors import StateConflict

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
"""How long one SQLite statement waits for a lock before SQLite gives up on it."""
RETRY_FOR_SECONDS = 600.0
"""How long a short transaction is tried again before the writer is told the store is busy."""
_FIRST_PAUSE, _LONGEST_PAUSE = 0.05, 2.0

# SQLite's result codes for "someone else holds it" (primary codes; an extended code's low
# byte is its primary: SQLITE_BUSY_SNAPSHOT 517 & 0xFF == SQLITE_BUSY).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
_PG_TRY_AGAIN = {"40001", "40P01", "55P03"}
# The one thing the ADBC SQLite driver says of a lock (it carries no result code).
_LOCKED_WORDS = ("database is locked", "database table is locked")

STORE_BUSY_VI = (
    "Kho dữ liệu đang bận (một lượt ghi khác chưa xong) và đã chờ quá {seconds:.0f} giây; "
    "chưa ghi gì. Hãy thử lại sau ít phút."
)
ALREADY_STORED_VI = (
    "Tệp này (cùng nội dung, cùng nguồn và trường) vừa được một lượt nhập khác chạy cùng lúc "
    "lưu vào kho; không nhập lần hai."
)


class StoreBusy(StateConflict):
    """The store stayed locked by other writers for longer than a writer waits."""


class AlreadyStored(StateConflict):
    """A snapshot of the same bytes of this source and school is stored: whoever asked second,
    in a race the database settled (the unique index of migration 0004)."""

    def __init__(self, content_hash: str) -> None:
        super().__init__(f"a snapshot of {content_hash} is already stored",
                         message_vi=ALREADY_STORED_VI)
        self.content_hash = content_hash


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` (a SQLAlchemy error, a DB-API error of sqlite3, psycopg or ADBC) means
    another writer held what this one needed, so that the same work may succeed later."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return True
        if getattr(current, "sqlstate", None) in _PG_TRY_AGAIN:
            return True
        if type(current).__module__.startswith("adbc_driver") and any(
                words in str(current) for words in _LOCKED_WORDS):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def pauses(seconds: float = RETRY_FOR_SECONDS) -> Iterator[float]:
    """The pauses between tries: growing from 50 ms to 2 s, each shaken a little so that
    writers that met at once do not meet again, until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    pause = _FIRST_PAUSE
    while time.monotonic() + pause < deadline:
        yield pause * random.uniform(0.5, 1.5)
        pause = min(pause * 2, _LONGEST_PAUSE)


def retry_busy(work: Callable[[], T], *, seconds: float = RETRY_FOR_SECONDS,
               what: str = "a write") -> T:
    """``work()``, tried again while it fails because the store is busy; :class:`StoreBusy`
    once ``seconds`` have passed. ``work`` must be a whole transaction (all or nothing)."""
    waits = pauses(seconds)
    while True:
        try:
            return work()
        except Exception as exc:
            if not is_busy(exc):
                raise
            pause = next(waits, None)
            if pause is None:
                raise StoreBusy(f"{what}: the store stayed busy for {seconds:.0f} s",
                                message_vi=STORE_BUSY_VI.format(seconds=seconds)) from exc
            log.info("%s waits for another writer (%s)", what, type(exc).__name__)
            time.sleep(pause)


def write_transaction(engine: Engine, work: Callable[[Connection], T], *,
                      seconds: float = RETRY_FOR_SECONDS, what: str = "a write") -> T:
    """``work(conn)`` in one transaction of ``engine``, run again whole while the store is
    busy (see :func:`retry_busy`). For short units only: a retry repeats all of ``work``."""

    def once() -> T:
        with engine.begin() as conn:
            return work(conn)

    return retry_busy(once, seconds=seconds, what=what)


__all__ = [
    "ALREADY_STORED_VI", "BUSY_TIMEOUT_MS", "RETRY_FOR_SECONDS", "AlreadyStored", "StoreBusy",
    "is_busy", "retry_busy", "write_transaction",
]
