"""Where an import writes: one transaction per file, through SQLAlchemy or, for batch imports
into SQLite, through the ADBC driver.

:class:`StoreWriter` works on every database and in a server's request threads.
:class:`SqliteBulkWriter` binds Arrow columns in C (several times faster than ``executemany``
for a province's tens of millions of grade rows) but carries its own copy of the SQLite library:
like :class:`doisoat.store.BulkLoader` it is for a process that owns the store for the length of
the import (``doisoat ingest``, the nightly command, benchmarks), never for a server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import polars as pl
from sqlalchemy import Connection, Engine, insert, select

from doisoat import store
from doisoat.model import SourceSnapshot, StudentRecord

_SNAPSHOT = SourceSnapshot.__table__
_RECORD = StudentRecord.__table__


class FileWrite(Protocol):
    """The writes of one file, committed together or not at all."""

    def new_snapshot(self, values: dict[str, Any]) -> int: ...

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]: ...

    def insert(self, table: str, frame: pl.DataFrame) -> None: ...

    def update_snapshot(self, snapshot_id: int, values: dict[str, Any]) -> None: ...


class Writer(Protocol):
    def already_imported(self, digest: str) -> bool: ...

    def file(self) -> Any: ...  # a context manager giving a FileWrite

    def close(self) -> None: ...


class _SqlAlchemyFile:
    def __init__(self, engine: Engine, conn: Connection) -> None:
        self.engine, self.conn = engine, conn

    def new_snapshot(self, values: dict[str, Any]) -> int:
        result = self.conn.execute(insert(_SNAPSHOT).values(**values))
        return int(result.inserted_primary_key[0])

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]:
        rows = self.conn.execute(
            select(_RECORD.c.local_id, _RECORD.c.record_id)
            .join(_SNAPSHOT, _SNAPSHOT.c.id == _RECORD.c.snapshot_id)
            .where(_SNAPSHOT.c.source == source, _SNAPSHOT.c.school_code == school_code,
                   _SNAPSHOT.c.night == night, _SNAPSHOT.c.status == "loaded")
            .order_by(_SNAPSHOT.c.id)).all()
        return dict(rows)  # a later snapshot's record wins

    def insert(self, table: str, frame: pl.DataFrame) -> None:
        store.bulk_insert(self.engine, table, frame, connection=self.conn)

    def update_snapshot(self, snapshot_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(_SNAPSHOT.update().where(_SNAPSHOT.c.id == snapshot_id)
                          .values(**values))


class StoreWriter:
    """Each file in its own SQLAlchemy transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def already_imported(self, digest: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(_SNAPSHOT.c.id)
                               .where(_SNAPSHOT.c.content_hash == digest).limit(1)).first()
        return row is not None

    @contextmanager
    def file(self) -> Iterator[FileWrite]:
        with self.engine.begin() as conn:
            yield _SqlAlchemyFile(self.engine, conn)

    def close(self) -> None:
        pass


def _sql_value(value: Any) -> Any:
    """Dates and times as the text SQLAlchemy's SQLite dialect writes and reads back."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _AdbcFile:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(_sql_value(v) for v in params) if params else None)
            return cursor.fetchall() if cursor.description else []

    def new_snapshot(self, values: dict[str, Any]) -> int:
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" for _ in values)
        self._run(f'INSERT INTO source_snapshot ({columns}) VALUES ({marks})',
                  tuple(values.values()))
        return int(self._run("SELECT last_insert_rowid()")[0][0])

    def stored_students(self, source: str, school_code: str | None,
                        night: dt.date) -> dict[str, str]:
        rows = self._run(
            "SELECT r.local_id, r.record_id FROM student_record r JOIN source_snapshot s "
            "ON s.id = r.snapshot_id WHERE s.source = ? AND s.school_code IS ? AND s.night = ? "
            "AND s.status = 'loaded' ORDER BY s.id", (source, school_code, night))
        return dict(rows)  # a later snapshot's record wins

    def insert(self, table: str, frame: pl.DataFrame) -> None:
        store.sqlite_adbc_ingest(self.connection, table, frame)

    def update_snapshot(self, snapshot_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f'"{name}" = ?' for name in values)
        self._run(f"UPDATE source_snapshot SET {sets} WHERE id = ?",
                  (*values.values(), snapshot_id))


class SqliteBulkWriter:
    """Each file in its own transaction on one ADBC connection (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection = store.open_sqlite_adbc(engine)
        self._file = _AdbcFile(self.connection)

    def already_imported(self, digest: str) -> bool:
        return bool(self._file._run(
            "SELECT 1 FROM source_snapshot WHERE content_hash = ? LIMIT 1", (digest,)))

    @contextmanager
    def file(self) -> Iterator[FileWrite]:
        try:
            yield self._file
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()
        store.release_sqlite_file(self.engine)


def writer_for(engine: Engine, *, bulk: bool) -> Writer:
    """The bulk writer for a batch import into a SQLite file, the SQLAlchemy one otherwise."""
    database = engine.url.database
    if bulk and engine.dialect.name == "sqlite" and database and database != ":memory:":
        return SqliteBulkWriter(engine)
    return StoreWriter(engine)
