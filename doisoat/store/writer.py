"""The one writer of snapshots: every way rows enter the store (a file imported, a page pulled
over HTTP, a simulated district loaded) opens snapshots, inserts their rows, updates their
counts and commits them together through this module.

A unit of work is a transaction (:meth:`SnapshotWriter.transaction`): a file, a page of a pull
with its cursor, a whole simulated district. It is committed whole or not at all, so a snapshot
is never seen with half of its rows, and a pull's cursor never runs ahead of the rows it
follows.

Two implementations, chosen here and nowhere else (:func:`open_writer`):

* through SQLAlchemy, on every database and in a server's request threads (``COPY`` on
  PostgreSQL, ``executemany`` on SQLite);
* through the ADBC driver, for batch imports into a SQLite file: it binds Arrow columns in C,
  several times faster than ``executemany`` for a province's tens of millions of grade rows, but
  carries its own copy of the SQLite library. Like :func:`doisoat.store.open_sqlite_adbc` it is
  for a process that owns the store for the length of the work (``doisoat ingest``, the nightly
  command, ``simulate --load``, benchmarks), never for a server.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import polars as pl
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from doisoat.model import SourceCursor, SourceSnapshot, StudentRecord
from doisoat.store import (
    bulk_insert,
    changes,
    open_sqlite_adbc,
    release_sqlite_file,
    sqlite_adbc_ingest,
    table_of,
)
from doisoat.store.retry import AlreadyStored, retry_busy

_SNAPSHOT = table_of(SourceSnapshot)
_RECORD = table_of(StudentRecord)
_CURSOR = table_of(SourceCursor)
_IN_CHUNK = 500  # ids per ``IN (…)``: well under SQLite's limit on bound parameters


class SnapshotWrite(Protocol):
    """The writes of one unit of work, committed together or not at all."""

    def open_snapshot(self, *, source: str, school_code: str | None, night: dt.date,
                      origin: str, content_hash: str) -> int:
        """A new snapshot, ``loading`` until :meth:`set_counts` says it is loaded."""
        ...

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        """Append ``frame`` (columns of ``table``) to ``table``."""
        ...

    def replace_records(self, frame: pl.DataFrame) -> int:
        """Student records, each replacing a stored one of the same record id (a row that
        changed again while a pull ran: the newer answer wins)."""
        ...

    def set_counts(self, snapshot_id: int, *, rows_read: int, rows_quarantined: int,
                   loaded: bool) -> None:
        """The snapshot's counts (rows accepted = read - quarantined), and whether it is
        complete (``loaded``) or still filling (``loading``)."""
        ...

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]:
        """Local id -> record id of the students of loaded snapshots of a source, school and
        night (a later snapshot's record wins): what a roster-less grade file links to."""
        ...

    def save_cursor(self, source: str, resource: str, state: dict[str, Any]) -> None:
        """Where a pull of ``resource`` stands, replacing what was saved, in this unit."""
        ...

    def carry_forward(self, snapshot_id: int, *, source: str, school_code: str | None,
                      night: dt.date) -> int:
        """Complete an incremental snapshot from the latest loaded one of its source and
        school (see :mod:`doisoat.store.changes`); the students copied (0: no earlier one)."""
        ...

    def discard_snapshots(self, snapshot_ids: list[int]) -> None:
        """Delete snapshots still ``loading`` with their rows (a pull not applied)."""
        ...


class SnapshotWriter(Protocol):
    def already_imported(self, digest: str) -> bool:
        """Whether a snapshot of these bytes (its ``content_hash``) is stored."""
        ...

    def cursor(self, source: str, resource: str) -> dict[str, Any]:
        """The state last saved by :meth:`SnapshotWrite.save_cursor` (empty if none)."""
        ...

    def transaction(self, *, defer_indexes: tuple[str, ...] = ()
                    ) -> AbstractContextManager[SnapshotWrite]:
        """One unit of work. ``defer_indexes`` names tables whose secondary indexes, if the
        table is empty, are rebuilt in one sorted pass at commit rather than maintained row by
        row (the bulk path on SQLite; elsewhere ignored)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> SnapshotWriter: ...

    def __exit__(self, *exc: object) -> None: ...


def _new_snapshot(source: str, school_code: str | None, night: dt.date, origin: str,
                  content_hash: str) -> dict[str, Any]:
    return dict(source=source, school_code=school_code, night=night,
                taken_at=dt.datetime.now(dt.UTC), origin=origin, content_hash=content_hash,
                rows_read=0, rows_accepted=0, rows_quarantined=0, status="loading")


def _counts(rows_read: int, rows_quarantined: int, loaded: bool) -> dict[str, Any]:
    return dict(rows_read=rows_read, rows_quarantined=rows_quarantined,
                rows_accepted=rows_read - rows_quarantined,
                status="loaded" if loaded else "loading")


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


class _Closing:
    def close(self) -> None:
        pass

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- SQLAlchemy -----------------------------------------------------------------------------


class _SqlAlchemyWrite:
    def __init__(self, engine: Engine, conn: Connection) -> None:
        self.engine, self.conn = engine, conn

    def open_snapshot(self, *, source: str, school_code: str | None, night: dt.date,
                      origin: str, content_hash: str) -> int:
        values = _new_snapshot(source, school_code, night, origin, content_hash)
        try:
            result = self.conn.execute(
                insert(_SNAPSHOT).values(**values).returning(_SNAPSHOT.c.id))
        except IntegrityError as exc:  # the unique index: these bytes are stored (a race)
            raise AlreadyStored(content_hash) from exc
        return int(result.scalar_one())

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        return bulk_insert(self.engine, table, frame, connection=self.conn)

    def replace_records(self, frame: pl.DataFrame) -> int:
        for ids in _chunks(frame["record_id"].to_list()):
            self.conn.execute(delete(_RECORD).where(_RECORD.c.record_id.in_(ids)))
        return self.insert("student_record", frame)

    def set_counts(self, snapshot_id: int, *, rows_read: int, rows_quarantined: int,
                   loaded: bool) -> None:
        self.conn.execute(_SNAPSHOT.update().where(_SNAPSHOT.c.id == snapshot_id)
                          .values(**_counts(rows_read, rows_quarantined, loaded)))

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]:
        school = (_SNAPSHOT.c.school_code.is_(None) if school_code is None
                  else _SNAPSHOT.c.school_code == school_code)
        rows = self.conn.execute(
            select(_RECORD.c.local_id, _RECORD.c.record_id)
            .join(_SNAPSHOT, _SNAPSHOT.c.id == _RECORD.c.snapshot_id)
            .where(_SNAPSHOT.c.source == source, school, _SNAPSHOT.c.night == night,
                   _SNAPSHOT.c.status == "loaded")
            .order_by(_SNAPSHOT.c.id)).all()
        return {local: record for local, record in rows}  # a later snapshot's record wins

    def save_cursor(self, source: str, resource: str, state: dict[str, Any]) -> None:
        self.conn.execute(delete(_CURSOR).where(_CURSOR.c.source == source,
                                                _CURSOR.c.resource == resource))
        self.conn.execute(insert(_CURSOR).values(
            source=source, resource=resource, cursor=json.dumps(state, ensure_ascii=False),
            updated_at=dt.datetime.now(dt.UTC)))

    def carry_forward(self, snapshot_id: int, *, source: str, school_code: str | None,
                      night: dt.date) -> int:
        base = self.conn.execute(
            changes.base_snapshot(source, school_code, night, snapshot_id)).scalar()
        if base is None:
            return 0
        carried = int(self.conn.execute(changes.count_unchanged(base, snapshot_id)).scalar_one())
        for statement in changes.carry_statements(base, snapshot_id, source):
            self.conn.execute(statement)
        return carried

    def discard_snapshots(self, snapshot_ids: list[int]) -> None:
        for statement in changes.discard_statements(snapshot_ids):
            self.conn.execute(statement)


class StoreWriter(_Closing):
    """Each unit in its own SQLAlchemy transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def already_imported(self, digest: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(_SNAPSHOT.c.id)
                               .where(_SNAPSHOT.c.content_hash == digest).limit(1)).first()
        return row is not None

    def cursor(self, source: str, resource: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            value = conn.execute(select(_CURSOR.c.cursor).where(
                _CURSOR.c.source == source, _CURSOR.c.resource == resource)).scalar()
        return json.loads(value) if value else {}

    @contextmanager
    def transaction(self, *, defer_indexes: tuple[str, ...] = ()) -> Iterator[SnapshotWrite]:
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":  # the write lock first, waited for (see retry)
                retry_busy(lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"), what="a snapshot")
            yield _SqlAlchemyWrite(self.engine, conn)


# --- ADBC, SQLite ---------------------------------------------------------------------------


def _sql_value(value: Any) -> Any:
    """Dates and times as the text SQLAlchemy's SQLite dialect writes and reads back."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _AdbcWrite:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(_sql_value(v) for v in params) if params else None)
            return cursor.fetchall() if cursor.description else []

    def _insert_row(self, table: str, values: dict[str, Any]) -> None:
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" for _ in values)
        self.run(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(values.values()))

    def open_snapshot(self, *, source: str, school_code: str | None, night: dt.date,
                      origin: str, content_hash: str) -> int:
        from adbc_driver_manager import IntegrityError as AdbcIntegrityError

        try:
            self._insert_row("source_snapshot",
                             _new_snapshot(source, school_code, night, origin, content_hash))
        except AdbcIntegrityError as exc:  # the unique index: these bytes are stored (a race)
            raise AlreadyStored(content_hash) from exc
        return int(self.run("SELECT last_insert_rowid()")[0][0])

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        return sqlite_adbc_ingest(self.connection, table, frame)

    def replace_records(self, frame: pl.DataFrame) -> int:
        for ids in _chunks(frame["record_id"].to_list()):
            marks = ", ".join("?" for _ in ids)
            self.run(f"DELETE FROM student_record WHERE record_id IN ({marks})", tuple(ids))
        return self.insert("student_record", frame)

    def set_counts(self, snapshot_id: int, *, rows_read: int, rows_quarantined: int,
                   loaded: bool) -> None:
        values = _counts(rows_read, rows_quarantined, loaded)
        sets = ", ".join(f'"{name}" = ?' for name in values)
        self.run(f"UPDATE source_snapshot SET {sets} WHERE id = ?",
                 (*values.values(), snapshot_id))

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]:
        rows = self.run(
            "SELECT r.local_id, r.record_id FROM student_record r JOIN source_snapshot s "
            "ON s.id = r.snapshot_id WHERE s.source = ? AND s.school_code IS ? AND s.night = ? "
            "AND s.status = 'loaded' ORDER BY s.id", (source, school_code, night))
        return {local: record for local, record in rows}  # a later snapshot's record wins

    def save_cursor(self, source: str, resource: str, state: dict[str, Any]) -> None:
        self.run("DELETE FROM source_cursor WHERE source = ? AND resource = ?",
                 (source, resource))
        self._insert_row("source_cursor", dict(
            source=source, resource=resource, cursor=json.dumps(state, ensure_ascii=False),
            updated_at=dt.datetime.now(dt.UTC)))

    def carry_forward(self, snapshot_id: int, *, source: str, school_code: str | None,
                      night: dt.date) -> int:
        found = self.run(changes.sqlite_text(
            changes.base_snapshot(source, school_code, night, snapshot_id)))
        if not found:
            return 0
        base = int(found[0][0])
        carried = int(self.run(changes.sqlite_text(
            changes.count_unchanged(base, snapshot_id)))[0][0])
        for statement in changes.carry_statements(base, snapshot_id, source):
            self.run(changes.sqlite_text(statement))
        return carried

    def discard_snapshots(self, snapshot_ids: list[int]) -> None:
        for statement in changes.discard_statements(snapshot_ids):
            self.run(changes.sqlite_text(statement))

    def drop_indexes(self, tables: tuple[str, ...]) -> list[str]:
        """Drop the secondary indexes of the empty ``tables``; return the SQL that rebuilds
        them (run before the commit, so a rollback brings them back untouched)."""
        dropped: list[str] = []
        for table in tables:
            if self.run(f'SELECT EXISTS (SELECT 1 FROM "{table}")')[0][0]:
                continue
            for name, sql in self.run(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL", (table,)):
                self.run(f'DROP INDEX "{name}"')
                dropped.append(sql)
        return dropped


class SqliteBulkWriter(_Closing):
    """Each unit in its own transaction on one ADBC connection (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection = open_sqlite_adbc(engine)
        self._write = _AdbcWrite(self.connection)

    def already_imported(self, digest: str) -> bool:
        return bool(self._write.run(
            "SELECT 1 FROM source_snapshot WHERE content_hash = ? LIMIT 1", (digest,)))

    def cursor(self, source: str, resource: str) -> dict[str, Any]:
        rows = self._write.run(
            "SELECT cursor FROM source_cursor WHERE source = ? AND resource = ?",
            (source, resource))
        return json.loads(rows[0][0]) if rows and rows[0][0] else {}

    @contextmanager
    def transaction(self, *, defer_indexes: tuple[str, ...] = ()) -> Iterator[SnapshotWrite]:
        # The write lock before anything is read, waited for while another process writes
        # (the connection is in autocommit between units: see open_sqlite_adbc).
        retry_busy(lambda: self._write.run("BEGIN IMMEDIATE"), what="a batch unit")
        try:
            rebuild = self._write.drop_indexes(defer_indexes)
            yield self._write
            for sql in rebuild:
                self._write.run(sql)
        except BaseException:
            self._write.run("ROLLBACK")
            raise
        self._write.run("COMMIT")

    def close(self) -> None:
        self.connection.close()
        release_sqlite_file(self.engine)


def open_writer(engine: Engine, *, bulk: bool = False) -> SnapshotWriter:
    """The writer for ``engine``: ADBC for a batch import (``bulk``) into a SQLite file,
    SQLAlchemy otherwise (PostgreSQL, an in-memory SQLite, a server's threads). Close it, or
    use it as a context manager."""
    database = engine.url.database
    if bulk and engine.dialect.name == "sqlite" and database and database != ":memory:":
        return SqliteBulkWriter(engine)
    return StoreWriter(engine)


__all__ = ["SnapshotWrite", "SnapshotWriter", "SqliteBulkWriter", "StoreWriter", "open_writer"]
