"""Read a large table straight into a polars frame, without a Python object per value.

:func:`doisoat.store.read_table` goes through SQLAlchemy rows: right for a request's few
hundred rows, hopeless for the night's tens of millions of grade rows (gigabytes of Python
objects). :func:`read_bulk` asks each database for columns instead: on SQLite the ADBC driver
hands back Arrow batches; on PostgreSQL ``COPY (SELECT …) TO STDOUT`` streams CSV that polars
parses on all cores. Either way the frame is typed as the model says, exactly as
``read_table`` types it, and any surprise on the fast path falls back to ``read_table``.

Like :func:`doisoat.store.open_sqlite_adbc`, the SQLite path opens the file with a second copy of
the SQLite library, so it first closes the engine's pooled connections. Closing that copy's
file drops every POSIX lock this process holds on the file, so a process whose other threads
may hold SQLite connections (the HTTP server) runs its batch work inside
:func:`row_reads_only`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import polars as pl
from sqlalchemy import Engine, text

from doisoat import store

_PROBE = "__probe"
log = logging.getLogger(__name__)
_ROW_READS_ONLY: ContextVar[bool] = ContextVar("row_reads_only", default=False)


@contextmanager
def row_reads_only() -> Iterator[None]:
    """Inside this block, :func:`read_bulk` on SQLite reads through the engine's own driver."""
    token = _ROW_READS_ONLY.set(True)
    try:
        yield
    finally:
        _ROW_READS_ONLY.reset(token)


def bulk_access_allowed() -> bool:
    """False inside :func:`row_reads_only`: a server's threads, where a second SQLite library
    must not open the store and worker processes are not started."""
    return not _ROW_READS_ONLY.get()


def read_bulk(
    engine: Engine,
    table_name: str,
    where_sql: str | None = None,
    params: dict[str, Any] | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """``read_table``'s arguments and result, read a column at a time."""
    table, names, query = store.table_query(table_name, None, columns)
    if where_sql:
        query = query.where(text(where_sql).bindparams(**(params or {})))
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    types = {name: store._polars_type(table.columns[name].type) for name in names}
    try:
        file_db = engine.url.database not in (None, "", ":memory:")
        if engine.dialect.name == "sqlite" and file_db and not _ROW_READS_ONLY.get():
            raw = _sqlite_arrow(engine, sql, table, names)
        elif engine.dialect.name == "postgresql":
            raw = _postgres_csv(engine, sql, names)
        else:
            raw = None
    except Exception as exc:  # noqa: BLE001 - the slow path still reads it right
        log.warning("bulk read of %s fell back to row reads: %s", table_name, exc)
        raw = None
    if raw is None:
        return store.read_table(engine, table_name, where_sql, params, columns)
    return raw.select([_typed(raw[name], dtype) for name, dtype in types.items()])


def read_bulk_in(
    engine: Engine, table_name: str, column: str, values: list, *, chunk: int = 5_000
) -> pl.DataFrame:
    """Rows whose ``column`` is one of ``values``, a bounded IN list per query."""
    parts = []
    for start in range(0, len(values), chunk):
        params = {f"v{i}": v for i, v in enumerate(values[start : start + chunk])}
        where = f"{column} IN ({', '.join(':' + k for k in params)})"
        parts.append(read_bulk(engine, table_name, where, params))
    return pl.concat(parts) if parts else read_bulk(engine, table_name, "1 = 0")


def _probe_value(sa_type: Any) -> str:
    python_type = store._polars_type(sa_type)
    if python_type in (pl.Int64, pl.Boolean):
        return "0"
    if python_type == pl.Float64:
        return "0.5"
    return "''"


def _sqlite_arrow(
    engine: Engine, sql: str, table: Any, names: list[str]
) -> pl.DataFrame | None:
    """Arrow from the ADBC driver, which types each column by its first rows: a first row of
    the right types (marked, then dropped) keeps an all-NULL start from being typed wrong."""
    import adbc_driver_sqlite.dbapi as adbc

    probe = ", ".join(f'{_probe_value(table.columns[n].type)} AS "{n}"' for n in names)
    wrapped = f"SELECT 1 AS {_PROBE}, {probe} UNION ALL SELECT 0 AS {_PROBE}, * FROM ({sql})"
    store.release_sqlite_file(engine)
    try:
        with adbc.connect(engine.url.database) as conn, conn.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute(wrapped)
            arrow = cursor.fetch_arrow_table()
    finally:
        store.release_sqlite_file(engine)
    frame = pl.from_arrow(arrow)
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0 or frame[_PROBE][0] != 1:
        return None  # the probe did not come first: let the slow path read it
    return frame.slice(1).drop(_PROBE)


def _postgres_csv(engine: Engine, sql: str, names: list[str]) -> pl.DataFrame:
    buffer = io.BytesIO()
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        assert dbapi is not None, "a pooled connection always has its driver connection"
        with dbapi.cursor() as cursor:
            copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
            with cursor.copy(copy_sql) as copy:
                for block in copy:
                    buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pl.DataFrame({n: pl.Series(n, [], dtype=pl.Utf8) for n in names})
    return pl.read_csv(
        buffer,
        has_header=False,
        new_columns=names,
        schema_overrides={n: pl.Utf8 for n in names},
        null_values="\\N",
        empty_string_is_null=False,
    )


def _typed(column: pl.Series, dtype: pl.DataType) -> pl.Series:
    name = column.name
    if column.dtype == dtype:
        return column
    if dtype == pl.Date:
        return column.cast(pl.Utf8).str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name)
    if isinstance(dtype, pl.Datetime):
        text_ = column.cast(pl.Utf8)
        parsed = text_.str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
        return parsed.alias(name)
    if dtype == pl.Boolean:
        if column.dtype == pl.Utf8:
            truth = {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}
            return column.replace_strict(truth, default=None, return_dtype=pl.Boolean)
        return column.cast(pl.Int64).cast(pl.Boolean).alias(name)
    return column.cast(dtype).alias(name)
