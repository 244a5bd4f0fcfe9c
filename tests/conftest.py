"""Shared fixtures: the store on SQLite always, and on PostgreSQL when CI names a server.

Each PostgreSQL test run works in a schema of its own, created here and dropped after whatever
happened, so a server that outlives the session never keeps our tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from doisoat import store

PG_URL = os.environ.get("DOISOAT_TEST_DATABASE_URL")

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
        self.admin = create_engine(
            PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
            if PG_URL.startswith("postgresql://")
            else PG_URL,
            isolation_level="AUTOCOMMIT",
        )

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

    session = spark_session("local[2]", app_name="doisoat-tests", shuffle_partitions=4)
    yield session
    session.stop()
