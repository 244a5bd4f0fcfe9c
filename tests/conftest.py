"""Shared fixtures: the store on SQLite always, and on PostgreSQL when CI names a server.

Each PostgreSQL test run works in a schema of its own, created here and dropped after whatever
happened, so a server that outlives the session never keeps our tables.

Under pytest-xdist (``make test`` runs ``-n auto --dist loadfile``: a module's tests, and so its
module-scoped fixtures, stay on one worker) each worker also gets a PostgreSQL database of its
own. A test is parallel-safe when it writes only under ``tmp_path`` / ``tmp_path_factory``, asks
the OS for ports (port 0), and reaches PostgreSQL only through the ``engine`` / ``pg_schema_url``
fixtures (or ``DOISOAT_TEST_DATABASE_URL`` as this module sets it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from doisoat import store


def _admin_engine(url: str) -> Engine:
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql://")
        else url,
        isolation_level="AUTOCOMMIT",
    )


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist, the database ``<name>_gw0``, ``<name>_gw1``... of this worker.

    Schemas keep two workers' tables apart, but PostgreSQL's advisory locks (the night's lock in
    ``doisoat.store.lock``, the migrations' lock) belong to a database, not a schema: two workers
    running nights in one database would refuse each other's run and queue behind each other's
    migrations. The database is made once and kept (every test's schema in it is dropped); the
    variable is set for this worker so that subprocesses and every module read the same URL.
    A server where we may not create databases keeps the one database, with a warning.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    base = make_url(url)
    name = f"{base.database or 'postgres'}_{worker}"
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if conn.execute(query, {"name": name}).first() is None:
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                except DBAPIError:
                    # another run made it meanwhile, or we may not create databases
                    if conn.execute(query, {"name": name}).first() is None:
                        raise
    except DBAPIError as exc:
        import warnings

        warnings.warn(f"xdist worker {worker} shares {base.database}: {exc}", stacklevel=1)
        return url
    finally:
        admin.dispose()
    mine = base.set(database=name).render_as_string(hide_password=False)
    os.environ["DOISOAT_TEST_DATABASE_URL"] = mine
    return mine


PG_URL = _worker_database(os.environ.get("DOISOAT_TEST_DATABASE_URL"))

_backends = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=_backends)
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An empty store with every table, on each available backend."""
    if request.param == "sqlite":
        eng = store.get_engine(f"sqlite:///{tmp_path / 'store.db'}")
        store.upgrade(eng)
        yield eng
        eng.dispose()
        return
    with _pg_schema() as (url, schema):
        eng = store.get_engine(url, schema=schema)
        store.upgrade(eng)
        yield eng
        eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    eng = store.get_engine(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade(eng)
    yield eng
    eng.dispose()


class _PgSchema:
    def __init__(self) -> None:
        assert PG_URL
        self.url = PG_URL
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.admin = _admin_engine(PG_URL)

    def __enter__(self) -> tuple[str, str]:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        return self.url, self.schema

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()


def _pg_schema() -> _PgSchema:
    return _PgSchema()


@pytest.fixture
def pg_schema_url() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL schema (url, schema name), or a skip when no server is configured."""
    if not PG_URL:
        pytest.skip("DOISOAT_TEST_DATABASE_URL not set: no PostgreSQL server to test against")
    with _pg_schema() as pair:
        yield pair


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (two cores) for every Spark test of the run.

    Java and pyspark are what `make test` installs; on a laptop without Java the Spark tests are
    skipped with that reason rather than failing on a missing JVM.
    """
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 (Debian: openjdk-17-jre-headless)")
    pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")
    from reconcile.spark import spark_session

    session = spark_session("local[2]", app_name="doisoat-tests", shuffle_partitions=2)
    yield session
    session.stop()
