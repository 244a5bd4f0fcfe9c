"""Engine, sessions, migrations and bulk loading for the canonical store.

:func:`open_store` is how every command reaches a store: the engine, the schema at the
migrations' head (Alembic is the only way a schema is made).

SQLite is the embedded default (a file under ``var/``); PostgreSQL is used when
``DOISOAT_DATABASE_URL`` (or the ``url`` argument) names it. Bulk loads take polars frames and use
the fastest path each database offers: ``COPY … FROM STDIN`` on PostgreSQL, Arrow batches bound
in C by the ADBC driver on SQLite; inside a caller's transaction, COPY or ``executemany``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, Table, TypeDecorator, event, select, text
from sqlmodel import Session, SQLModel, create_engine

from doisoat import model  # noqa: F401  (registers the tables on SQLModel.metadata)
from doisoat.store.retry import BUSY_TIMEOUT_MS

DEFAULT_SQLITE_PATH = Path("var") / "doisoat.db"
_BATCH_ROWS = 50_000


def default_url() -> str:
    url = os.environ.get("DOISOAT_DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def get_engine(url: str | None = None, *, schema: str | None = None) -> Engine:
    """An engine for ``url`` (default: the configured store).

    ``schema`` (PostgreSQL only) pins the search path, so that tests and parallel districts can
    share one server without seeing each other's tables.
    """
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        _SQLITE_ENGINES.add(engine)
        return engine
    options = {}
    if schema:
        options["options"] = f"-csearch_path={schema}"
    return create_engine(url, connect_args=options, pool_pre_ping=True)


_SQLITE_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def release_sqlite_file(engine: Engine) -> None:
    """Close the idle pooled connections of every engine of this process on ``engine``'s
    SQLite file, before a second SQLite library (ADBC) opens it: closing that library's file
    would drop the POSIX locks the first one holds on it."""
    database = engine.url.database
    for other in list(_SQLITE_ENGINES):
        if other.url.database == database:
            other.dispose()


# Every connection on a store file, the engine's and the bulk loader's: a commit does not wait
# for the disk, and a province's indexes are not read back through SQLite's 2 MB default cache.
_SQLITE_SPEED = ("synchronous=NORMAL", "temp_store=MEMORY", "cache_size=-262144")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Every connection waits for a lock (the busy timeout, first: the next pragmas may meet
    one) and logs ahead (WAL: readers never wait for the writer, nor the writer for them)."""
    cursor = dbapi_connection.cursor()
    for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "journal_mode=WAL", "foreign_keys=ON",
                   *_SQLITE_SPEED):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def open_store(url: str | None = None, *, schema: str | None = None) -> Engine:
    """The engine of the store at ``url`` (default: the configured store), its schema brought
    to the migrations' head first.

    Every command on a store starts here — ingest, pull, the night, the server, user add, the
    tests' stores — so whichever touches a new store first makes the one schema the migrations
    make, and a store an older version left behind catches up before anything reads it. Alembic
    is the only way a schema is made or changed: a second way (``create_all``) made stores that
    the migrations then refused ("table already exists").
    """
    engine = get_engine(url, schema=schema)
    upgrade(engine)
    return engine


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Bring the store's schema to ``revision`` with the Alembic migrations of the package.

    A store whose tables were made without Alembic (no ``alembic_version``) is adopted by the
    first migration, which creates only the tables that are missing.
    """
    from alembic import command
    from alembic.config import Config

    engine = (
        engine_or_url
        if isinstance(engine_or_url, Engine)
        else get_engine(engine_or_url if isinstance(engine_or_url, str) else None)
    )
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with _one_migration_at_a_time(engine), engine.begin() as connection:
        if is_postgres(engine):
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


_MIGRATE_KEY = 0x6D696772  # the advisory lock of migrations on PostgreSQL ("migr")


@contextmanager
def _one_migration_at_a_time(engine: Engine) -> Iterator[None]:
    """Two commands that open one new store at once (two ``doisoat ingest``, a server and a
    night) would both create its tables, and the second would fail («already exists»): the
    second waits for the first and then finds the schema at the head. On PostgreSQL a
    transaction's advisory lock does it (taken in :func:`upgrade`); beside a SQLite file, a
    ``flock`` on ``<file>.migrate.lock``."""
    database = engine.url.database
    if is_postgres(engine) or not database or database == ":memory:":
        yield
        return
    import fcntl

    with Path(f"{database}.migrate.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _to_python(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _prepare(df: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs become JSON text, as the tables store them."""
    out = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List | pl.Array | pl.Struct):
            out.append(
                pl.col(name).map_elements(
                    lambda v: json.dumps(v.to_list() if hasattr(v, "to_list") else v),
                    return_dtype=pl.String,
                )
            )
        else:
            out.append(pl.col(name))
    return df.select(out)


def bulk_insert(
    engine: Engine, table_name: str, df: pl.DataFrame, *, connection: Any = None
) -> int:
    """Append ``df`` to ``table_name``; the frame's columns must be columns of the table.

    Pass ``connection`` (a SQLAlchemy ``Connection`` inside a transaction) to make the load part
    of a larger all-or-nothing unit; otherwise the load is its own transaction.
    """
    if df.height == 0:
        return 0
    df = _prepare(df)
    if connection is not None:
        return _insert_on(connection, table_name, df)
    with engine.begin() as conn:
        return _insert_on(conn, table_name, df)


def open_sqlite_adbc(engine: Engine) -> Any:
    """An ADBC connection on ``engine``'s SQLite file, every pooled connection of the file let
    go first; close it with :func:`release_sqlite_file` after.

    ADBC carries its own copy of the SQLite library, and two copies in one process must never
    hold the same file open at once (closing one drops the other's POSIX locks, and the file
    can be corrupted): it is for batch work by a process that owns the store, never for a
    server's request threads, which stay on the engine's driver."""
    import adbc_driver_sqlite.dbapi as adbc

    release_sqlite_file(engine)
    connection = adbc.connect(engine.url.database)
    # The engine's settings (busy timeout, _SQLITE_SPEED), and the log copied into the
    # database every 256 MB rather than every 4 MB.
    # The connection stays in autocommit: a DB-API transaction would begin (deferred) at once
    # and hold a read snapshot between units, and a unit that then writes after another
    # process wrote is refused at once ("database is locked", whatever the timeout). Each unit
    # says ``BEGIN IMMEDIATE`` itself (:class:`doisoat.store.writer.SqliteBulkWriter`).
    connection.adbc_connection.set_autocommit(True)
    with connection.cursor() as cursor:
        for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "wal_autocheckpoint=65536",
                       *_SQLITE_SPEED):
            cursor.execute(f"PRAGMA {pragma}")
    return connection


def sqlite_adbc_ingest(connection: Any, table_name: str, df: pl.DataFrame, *,
                       prepared: bool = False) -> int:
    """Append ``df`` through an ADBC SQLite connection, stored as SQLAlchemy would store it."""
    if df.height == 0:
        return 0
    arrow = _sqlite_arrow(df if prepared else _prepare(df))
    with connection.cursor() as cursor:
        cursor.adbc_ingest(table_name, arrow, mode="append")
    return df.height


def _sqlite_arrow(df: pl.DataFrame) -> Any:
    """Dates and times as the ISO text SQLAlchemy's SQLite dialect reads back."""
    casts = []
    for name, dtype in df.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            column = pl.col(name)
            if dtype.time_zone:
                column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            casts.append(column.dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
        elif dtype == pl.Boolean:
            casts.append(pl.col(name).cast(pl.Int64))
    return (df.with_columns(casts) if casts else df).to_arrow()


def _insert_on(conn: Any, table_name: str, df: pl.DataFrame) -> int:
    columns = df.columns
    cols = ", ".join(f'"{c}"' for c in columns)
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        buffer = io.BytesIO()
        df.write_csv(buffer, include_header=False, null_value="\\N")
        with dbapi.cursor() as cursor:
            sql = f"COPY \"{table_name}\" ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        return df.height
    placeholders = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table_name}" ({cols}) VALUES ({placeholders})'
    cursor = dbapi.cursor()
    try:
        for start in range(0, df.height, _BATCH_ROWS):
            cursor.executemany(sql, df.slice(start, _BATCH_ROWS).iter_rows())
    finally:
        cursor.close()
    return df.height


def table_query(
    table_name: str, where_sql: str | None = None, columns: list[str] | None = None
) -> tuple[Any, list[str], Any]:
    """The table, the column names and the SELECT that ``read_table`` and ``read_bulk`` run."""
    table = SQLModel.metadata.tables[table_name]
    names = columns or [c.name for c in table.columns]
    query = select(*[table.c[name] for name in names])
    if where_sql:
        query = query.where(text(where_sql))
    return table, names, query


def read_table(
    engine: Engine,
    table_name: str,
    where_sql: str | None = None,
    params: dict[str, Any] | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """Read a table (or a filtered part of it) into a polars frame, typed as the model says."""
    table, names, query = table_query(table_name, where_sql, columns)
    with engine.connect() as conn:
        rows = conn.execute(query, params or {}).fetchall()
    columns_out = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    series = []
    for name, values in zip(names, columns_out, strict=True):
        dtype = _polars_type(table.columns[name].type)
        if isinstance(dtype, pl.Datetime):
            naive = [
                v.astimezone(dt.UTC).replace(tzinfo=None) if v is not None and v.tzinfo else v
                for v in values
            ]
            series.append(
                pl.Series(name, naive, dtype=pl.Datetime("us")).dt.replace_time_zone("UTC")
            )
        else:
            series.append(pl.Series(name, list(values), dtype=dtype))
    return pl.DataFrame(series)


def _polars_type(sa_type: Any) -> pl.DataType:
    if isinstance(sa_type, TypeDecorator):
        sa_type = sa_type.impl_instance
    try:
        python_type = sa_type.python_type
    except NotImplementedError:
        python_type = str
    types: dict[type, pl.DataType] = {
        int: pl.Int64(),
        float: pl.Float64(),
        bool: pl.Boolean(),
        dt.date: pl.Date(),
        dt.datetime: pl.Datetime("us", "UTC"),
    }
    return types.get(python_type, pl.String())


def table_of(table_model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a model class (typed, where ``Model.__table__`` is not)."""
    table = table_model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def exclude_snapshots(
    engine: Engine,
    reasons: Mapping[int, str],
    *,
    actor: str = "doisoat",
    at: dt.datetime | None = None,
) -> list[int]:
    """Mark source snapshots ``excluded`` (left out of tonight's run), each with its reason.

    Why here: the store is the only code that writes the database; the quality checks
    (``reports``) only return their verdicts, and the night decides to act on them.
    ``reasons`` maps a snapshot id to why it is left out (Vietnamese, for the officer who
    reads the audit trail). A snapshot already excluded is left as it is, so a re-run of the
    night writes nothing twice. Returns the ids excluded now.
    """
    from doisoat.model import AuditEvent, SourceSnapshot

    snapshot, audit = table_of(SourceSnapshot), table_of(AuditEvent)
    ids = sorted(reasons)
    if not ids:
        return []
    at = at or dt.datetime.now(dt.UTC)
    from doisoat.store.retry import write_transaction

    def exclude(conn: Any) -> list[int]:
        before: dict[int, str] = dict(
            conn.execute(
                select(snapshot.c.id, snapshot.c.status).where(
                    snapshot.c.id.in_(ids) & (snapshot.c.status != "excluded")
                )
            ).all()
        )
        if not before:
            return []
        conn.execute(
            snapshot.update().where(snapshot.c.id.in_(list(before))).values(status="excluded")
        )
        conn.execute(
            audit.insert(),
            [
                {
                    "at": at,
                    "actor": actor,
                    "action": "snapshot.excluded",
                    "entity": "source_snapshot",
                    "entity_id": str(snapshot_id),
                    "before": json.dumps({"status": status}),
                    "after": json.dumps({"status": "excluded"}),
                    "reason": reasons[snapshot_id],
                }
                for snapshot_id, status in sorted(before.items())
            ],
        )
        return sorted(before)

    return write_transaction(engine, exclude, what="excluding snapshots")
