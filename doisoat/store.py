"""Engine, sessions, migrations and bulk loading for the canonical store.

SQLite is the embedded default (a file under ``var/``); PostgreSQL is used when
``DOISOAT_DATABASE_URL`` (or the ``url`` argument) names it. Bulk loads take polars frames and use
the fastest path each database offers: ``COPY … FROM STDIN`` on PostgreSQL, one transaction of
``executemany`` on SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, event, select, text
from sqlmodel import Session, SQLModel, create_engine

from doisoat import model  # noqa: F401  (registers the tables on SQLModel.metadata)

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
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options = {}
    if schema:
        options["options"] = f"-csearch_path={schema}"
    return create_engine(url, connect_args=options, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def init_db(engine: Engine) -> None:
    """Create every table that does not exist yet (tests and throw-away stores)."""
    SQLModel.metadata.create_all(engine)


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Bring the store's schema to ``revision`` with the Alembic migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    engine = (
        engine_or_url
        if isinstance(engine_or_url, Engine)
        else get_engine(engine_or_url if isinstance(engine_or_url, str) else None)
    )
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


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


def bulk_insert(engine: Engine, table_name: str, df: pl.DataFrame, *, connection: Any = None) -> int:
    """Append ``df`` to ``table_name``; the frame's columns must be columns of the table.

    Pass ``connection`` (a SQLAlchemy ``Connection`` inside a transaction) to make the load part
    of a larger all-or-nothing unit; otherwise the load is its own transaction.
    """
    if df.height == 0:
        return 0
    df = _prepare(df)
    if connection is not None:
        return _bulk(connection, table_name, df)
    with engine.begin() as conn:
        return _bulk(conn, table_name, df)


def _bulk(conn: Any, table_name: str, df: pl.DataFrame) -> int:
    columns = df.columns
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cols = ", ".join(f'"{c}"' for c in columns)
        with dbapi.cursor() as cursor:
            with cursor.copy(f'COPY "{table_name}" ({cols}) FROM STDIN') as copy:
                for row in df.iter_rows():
                    copy.write_row(row)
        return df.height
    placeholders = ", ".join("?" for _ in columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table_name}" ({cols}) VALUES ({placeholders})'
    cursor = dbapi.cursor()
    try:
        for start in range(0, df.height, _BATCH_ROWS):
            cursor.executemany(sql, df.slice(start, _BATCH_ROWS).iter_rows())
    finally:
        cursor.close()
    return df.height


def read_table(
    engine: Engine,
    table_name: str,
    where_sql: str | None = None,
    params: dict[str, Any] | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """Read a table (or a filtered part of it) into a polars frame, typed as the model says."""
    table = SQLModel.metadata.tables[table_name]
    names = columns or [c.name for c in table.columns]
    query = select(*[table.c[name] for name in names])
    if where_sql:
        query = query.where(text(where_sql))
    with engine.connect() as conn:
        rows = conn.execute(query, params or {}).fetchall()
    schema = {name: _polars_type(table.columns[name].type) for name in names}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _polars_type(sa_type: Any) -> pl.DataType:
    python_type = getattr(sa_type, "python_type", str)
    try:
        python_type = sa_type.python_type
    except NotImplementedError:
        python_type = str
    return {
        int: pl.Int64,
        float: pl.Float64,
        bool: pl.Boolean,
        dt.date: pl.Date,
        dt.datetime: pl.Datetime("us"),
    }.get(python_type, pl.String)


def drop_all(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)
