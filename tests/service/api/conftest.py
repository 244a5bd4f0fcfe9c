"""Fixtures: the two-school world on each backend, and on SQLite with a small upload limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.service.api.world import World, make_world


@pytest.fixture
def world(engine: Engine, tmp_path) -> Iterator[World]:
    """On every backend of the ``engine`` fixture."""
    w = make_world(engine, tmp_path)
    yield w
    w.client.close()


@pytest.fixture
def sqlite_world(sqlite_engine: Engine, tmp_path) -> Iterator[World]:
    w = make_world(sqlite_engine, tmp_path, max_upload_bytes=4096)
    yield w
    w.client.close()


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory) -> Iterator[World]:
    """One SQLite world for a whole module of read-only tests (they must not change it)."""
    from doisoat import store

    folder = tmp_path_factory.mktemp("shared")
    eng = store.get_engine(f"sqlite:///{folder / 'store.db'}")
    store.upgrade(eng)
    w = make_world(eng, folder)
    yield w
    w.client.close()
    eng.dispose()
