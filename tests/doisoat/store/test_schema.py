"""Alembic is the only way a store's schema is made: whichever command touches a new store first
(``ingest``, ``pull``, ``serve``, ``user add``), the night that follows runs on it; and a store
whose tables an older version made without Alembic is adopted, its rows kept.

Every test runs on SQLite, and on PostgreSQL when ``DOISOAT_TEST_DATABASE_URL`` names a server.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from doisoat import store
from service.cli import app

NIGHT = dt.date(2026, 6, 10)
runner = CliRunner()


def _head() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DOISOAT_TEST_DATABASE_URL") else [])


@pytest.fixture(params=_BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a store nothing has touched yet: a missing SQLite file, or an empty PostgreSQL
    schema named in the URL, as a user would give it to ``--url``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new.db'}"
    url, schema = request.getfixturevalue("pg_schema_url")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated district's real export files."""
    from simulate import generate
    from simulate.exports import write_district

    out = tmp_path_factory.mktemp("exports")
    write_district(generate(300, seed=3, night=NIGHT), out)
    return out


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The night writes its report under ./var: keep it in the test's folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOISOAT_DATABASE_URL", raising=False)
    monkeypatch.setenv("DOISOAT_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def _assert_at_head(url: str) -> None:
    engine = store.get_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert version == _head()
    assert diff == [], f"the store and the model disagree: {diff}"


def _night_runs(url: str, *inbox: Path) -> None:
    result = runner.invoke(app, ["nightly", *map(str, inbox), "--url", url, "--json",
                                 "--night", NIGHT.strftime("%d/%m/%Y")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert '"status": "committed"' in result.output
    _assert_at_head(url)


def test_a_night_runs_on_a_store_that_ingest_started(new_store, exports, in_tmp):
    result = runner.invoke(app, ["ingest", str(exports), "--url", new_store,
                                 "--night", NIGHT.isoformat(), "--workers", "1"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    _assert_at_head(new_store)
    _night_runs(new_store)


def test_a_night_runs_on_a_store_that_pull_started(new_store, in_tmp, monkeypatch):
    from simulate import generate
    from simulate.vendor_api import VendorApi, serve

    api = VendorApi.from_district(generate(300, seed=5, night=NIGHT))
    monkeypatch.setenv("DOISOAT_PULL_PASSWORD", "mat-khau")
    with serve(api) as base:
        for source in ("smas", "moet"):  # a night needs a school's data and the registry's
            result = runner.invoke(app, ["pull", source, "--base-url", base, "--user", "phong-gd",
                                         "--url", new_store, "--night", NIGHT.isoformat()])
            assert result.exit_code == 0, result.output + repr(result.exception)
            if source == "smas":
                _assert_at_head(new_store)
    _night_runs(new_store)


def test_a_night_runs_on_a_store_that_user_add_started(new_store, exports, in_tmp):
    result = runner.invoke(app, ["user", "add", "to-truong", "--role", "district_officer",
                                 "--password", "mat-khau-dai", "--url", new_store])
    assert result.exit_code == 0, result.output + repr(result.exception)
    _assert_at_head(new_store)
    _night_runs(new_store, exports)


def test_a_night_runs_on_a_store_that_the_server_started(new_store, exports, in_tmp):
    from service.api import create_app

    engine = store.get_engine(new_store)
    create_app(engine, var_dir=in_tmp / "var")
    engine.dispose()
    _assert_at_head(new_store)
    _night_runs(new_store, exports)


# A store made before Alembic made every store: ``create_all`` left the model's tables and no
# ``alembic_version``. Rebuilt here as it was (the migrations' tables, the version table dropped)
# so that no test makes a schema any other way.


def _store_made_without_alembic(engine: Engine, shape: str = "head") -> None:
    store.upgrade(engine, shape)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text(
            "INSERT INTO app_user (username, full_name, role, school_code, active, created_at, "
            "password_hash) VALUES ('to-truong', '', 'district_officer', NULL, TRUE, "
            "'2026-06-01 00:00:00', 'x')"
        ))


@pytest.mark.parametrize("shape", ["0001", "head"])
def test_a_store_made_without_alembic_is_adopted_with_its_rows(new_store, shape):
    engine = store.get_engine(new_store)
    _store_made_without_alembic(engine, shape)
    engine.dispose()
    engine = store.open_store(new_store)
    with engine.connect() as conn:
        users = conn.execute(text("SELECT username FROM app_user")).scalars().all()
    engine.dispose()
    assert users == ["to-truong"]
    _assert_at_head(new_store)


def test_a_store_with_only_the_user_tables_gains_the_others(new_store):
    """What ``serve`` or ``user add`` left on a new store before: two tables, no version."""
    engine = store.get_engine(new_store)
    _store_made_without_alembic(engine)
    kept = {"app_user", "api_token"}
    with engine.begin() as conn:
        for table in set(inspect(conn).get_table_names()) - kept:
            conn.execute(text(f'DROP TABLE "{table}" CASCADE' if store.is_postgres(engine)
                              else f'DROP TABLE "{table}"'))
    engine.dispose()
    store.open_store(new_store).dispose()
    _assert_at_head(new_store)


def test_opening_a_store_twice_changes_nothing(new_store):
    store.open_store(new_store).dispose()
    store.open_store(new_store).dispose()
    _assert_at_head(new_store)
