"""One nightly run at a time per store (the lock itself is the store's: ``doisoat.store.lock``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from doisoat.store.lock import LockHeld, exclusive

LOCK_NAME = "doisoat-nightly"
BUSY_VI = "Một lượt đối soát hằng đêm khác đang chạy; lượt này không bắt đầu."

RunLockedError = LockHeld
"""What a night started while another runs gets (a ``StateConflict``: the API answers 409)."""


@contextmanager
def nightly_lock(engine: Engine) -> Iterator[None]:
    """Hold the district's nightly lock for the duration of the block, or fail at once."""
    with exclusive(engine, LOCK_NAME, message_vi=BUSY_VI):
        yield
