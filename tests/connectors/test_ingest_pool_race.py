"""A reader process that dies while the batch is queueing more files loses no file.

A worker can die (a file over the memory ceiling) between two submissions: the pool is broken
before the next file is handed to it, and ``submit`` itself raises. That file was never read;
it must come back with the queued ones to be read again one at a time, and a file whose read had
already finished must still be delivered. (Seen in CI under load, where the timing makes the
death land between two submissions instead of inside a read.)
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from connectors import ingest


class _PoolThatBreaks:
    """Reads the first ``healthy`` files at once, then breaks: the files it had queued fail,
    and any further submission is refused as a broken pool refuses it."""

    def __init__(self, healthy: int) -> None:
        self.healthy = healthy
        self.handed: list[str] = []

    def submit(self, fn, path, digest, profiles, night):  # noqa: ANN001 - the pool's signature
        if len(self.handed) >= self.healthy + 1:
            raise BrokenProcessPool("a child process terminated abruptly")
        self.handed.append(path.name)
        future: Future = Future()
        if len(self.handed) <= self.healthy:
            future.set_result((None, f"read {path.name}"))
        else:
            future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future


@pytest.mark.parametrize("healthy", [0, 1, 3, 5])
def test_every_file_is_read_or_handed_back_when_the_pool_breaks_mid_batch(healthy: int) -> None:
    files = [(f"entry{i}", Path(f"file{i}.xlsx"), f"digest{i}") for i in range(8)]
    remaining = iter(files)
    pool = _PoolThatBreaks(healthy)
    generator = ingest._read_in_pool(pool, remaining, deque(), None, dt.date(2026, 6, 10), 1)
    read = []
    while True:
        try:
            entry, _ = next(generator)
        except StopIteration as stop:
            handed_back = [entry for entry, _, _ in stop.value]
            break
        read.append(entry)
    untouched = [entry for entry, _, _ in remaining]
    # nothing lost, nothing twice, order kept: read, then handed back, then not yet taken
    assert read + handed_back + untouched == [entry for entry, _, _ in files]
    assert read == [f"entry{i}" for i in range(healthy)]
    assert handed_back, "the file whose reader died must be handed back"
