"""Writers that meet: the same bytes are stored once, and a writer waits its turn.

* The database itself refuses a second snapshot of the same bytes of one source and school
  (migration 0004), and the writer says so as :class:`AlreadyStored` (both writers, both
  databases); stores that already hold copies are upgraded without a fault.
* On SQLite a batch unit takes the write lock before it reads: a writer whose earlier read is
  stale (another process wrote since) waits instead of failing with ``database is locked``.
* A short transaction that meets a busy store is run again, and a store busy for too long is
  said in Vietnamese (:class:`StoreBusy`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import OperationalError

from doisoat import store
from doisoat.model import SourceSnapshot
from doisoat.store import runs
from doisoat.store.retry import AlreadyStored, StoreBusy, is_busy, retry_busy
from doisoat.store.writer import open_writer

NIGHT = dt.date(2026, 6, 10)
_SNAPSHOT = store.table_of(SourceSnapshot)


def _open(writer, digest: str, school: str | None = "79000001") -> int:
    with writer.transaction() as unit:
        snapshot_id = unit.open_snapshot(source="smas", school_code=school, night=NIGHT,
                                         origin="test.xlsx", content_hash=digest)
        unit.set_counts(snapshot_id, rows_read=0, rows_quarantined=0, loaded=True)
    return snapshot_id


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM source_snapshot")).scalar_one())


@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.parametrize("school", ["79000001", None])
def test_the_same_bytes_of_a_source_and_school_are_stored_once(engine, bulk, school):
    with open_writer(engine, bulk=bulk) as writer:
        _open(writer, "h1", school)
        with pytest.raises(AlreadyStored) as told:
            _open(writer, "h1", school)
        _open(writer, "h2", school)  # the writer goes on after a refusal
    assert "lưu vào kho" in told.value.message_vi
    assert _count(engine) == 2


def test_the_same_bytes_of_another_school_or_without_a_hash_are_not_copies(engine):
    with open_writer(engine) as writer:
        _open(writer, "h1", "79000001")
        _open(writer, "h1", "79000002")
        _open(writer, "", "79000001")
        _open(writer, "", "79000001")
    assert _count(engine) == 4


def test_two_writers_racing_on_one_file_store_it_once(engine):
    """Both looked (nothing stored), both write: the database settles it, the loser is told."""
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def write() -> None:
        with open_writer(engine) as writer:
            assert not writer.already_imported("race")
            start.wait()
            try:
                _open(writer, "race")
                outcomes.append("stored")
            except AlreadyStored:
                outcomes.append("duplicate")

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["duplicate", "stored"]
    assert _count(engine) == 1


# --- a store that already holds copies --------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def new_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A store nothing has migrated yet."""
    if request.param == "sqlite":
        engine = store.get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        url, schema = request.getfixturevalue("pg_schema_url")
        engine = store.get_engine(url, schema=schema)
    yield engine
    engine.dispose()


def test_migration_0004_keeps_one_copy_and_says_why_the_others_left(new_engine):
    """Copies made by races before the index: the one the night reads (the newest loaded)
    stays; the others are excluded, their hash marked, and the audit trail says why."""
    engine = new_engine
    store.upgrade(engine, "0003")
    rows = [("h1", "loaded"), ("h1", "loaded"), ("h1", "loading"), ("h2", "excluded"),
            ("h2", "loading"), ("h3", "loaded")]
    with engine.begin() as conn:
        for digest, status in rows:
            conn.execute(insert(_SNAPSHOT).values(
                source="smas", school_code=None, night=NIGHT, taken_at=dt.datetime.now(dt.UTC),
                origin="x.xlsx", content_hash=digest, status=status))
    store.upgrade(engine)
    with engine.connect() as conn:
        after = conn.execute(text(
            "SELECT id, content_hash, status FROM source_snapshot ORDER BY id")).all()
        events = conn.execute(text(
            "SELECT entity_id, action, before, after FROM audit_event ORDER BY id")).all()
    assert [tuple(r) for r in after] == [
        (1, "h1#copy-1-of-2", "excluded"), (2, "h1", "loaded"),
        (3, "h1#copy-3-of-2", "excluded"), (4, "h2#copy-4-of-5", "excluded"),
        (5, "h2", "loading"), (6, "h3", "loaded")]
    assert [(e.entity_id, e.action) for e in events] == [
        ("1", "snapshot.deduplicated"), ("3", "snapshot.deduplicated"),
        ("4", "snapshot.deduplicated")]
    assert json.loads(events[1].before) == {"status": "loading", "content_hash": "h1"}
    with open_writer(engine) as writer, pytest.raises(AlreadyStored):
        _open(writer, "h1", None)


# --- waiting for the lock (SQLite) ------------------------------------------------------------


def _hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE source_snapshot SET origin = origin")
    taken.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


@pytest.mark.parametrize("bulk", [False, True])
def test_a_unit_after_a_stale_read_waits_for_the_other_writer(sqlite_engine, bulk):
    """The two ``doisoat ingest`` of one folder: one looked (already imported?), the other
    wrote meanwhile and holds the lock; the first waits, then stores, instead of dying."""
    path = sqlite_engine.url.database
    with open_writer(sqlite_engine, bulk=bulk) as writer:
        _open(writer, "first")
        assert not writer.already_imported("second")  # a read, now stale
        taken = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, 1.0, taken))
        holder.start()
        taken.wait(10)
        _open(writer, "second")
        holder.join(10)
    assert _count(sqlite_engine) == 2


def test_a_run_row_is_written_while_a_page_holds_the_lock(sqlite_engine):
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock,
                              args=(sqlite_engine.url.database, 1.0, taken))
    holder.start()
    taken.wait(10)
    run_id = runs.start_run(sqlite_engine, NIGHT)
    holder.join(10)
    runs.finish_run(sqlite_engine, run_id, "committed", {})
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM run")).scalar_one() == "committed"


def _locked() -> OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return OperationalError("INSERT", {}, error)


def test_a_busy_store_is_tried_again_then_said_in_vietnamese():
    tries: list[int] = []

    def flaky() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise _locked()
        return "written"

    assert retry_busy(flaky, seconds=10) == "written"
    assert len(tries) == 3

    def always_locked() -> None:
        raise _locked()

    with pytest.raises(StoreBusy) as told:
        retry_busy(always_locked, seconds=0.3)
    assert "Kho dữ liệu đang bận" in told.value.message_vi


def test_other_errors_are_not_taken_for_a_busy_store():
    assert is_busy(_locked())
    assert not is_busy(OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O")))
    with pytest.raises(ValueError):
        retry_busy(lambda: (_ for _ in ()).throw(ValueError("no")), seconds=5)
