"""The audit trail is append-only in every store, whoever opened it: the guard is a migration.

It used to be made by the web server when it started, so a store that only the CLI or the
scheduler ever opened accepted ``UPDATE``/``DELETE`` on ``audit_event``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from doisoat import store
from doisoat.model import AuditEvent


def _one_event(engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            store.table_of(AuditEvent).insert().values(
                at=dt.datetime(2026, 6, 10, 22, tzinfo=dt.UTC), actor="lan", action="x",
                entity="conflict", entity_id="c1", before="{}", after="{}", reason="thật",
            )
        )


def test_a_store_the_server_never_opened_refuses_changes_to_its_audit_trail(engine) -> None:
    _one_event(engine)
    statements = ["UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"]
    columns = "id, at, actor, action, entity, entity_id, before, after, reason"
    values = "1, '2026-06-11 00:00:00', 'x', 'x', 'x', 'x', '{}', '{}', 'đã sửa'"
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_event")
        statements.append(
            f"INSERT INTO audit_event ({columns}) VALUES ({values}) "
            "ON CONFLICT (id) DO UPDATE SET reason = EXCLUDED.reason"
        )
    else:
        statements.append(f"INSERT OR REPLACE INTO audit_event ({columns}) VALUES ({values})")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor, reason FROM audit_event")).all() == [
            ("lan", "thật")
        ]


def test_the_guard_comes_off_with_a_downgrade_and_back_with_an_upgrade(engine) -> None:
    _one_event(engine)
    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET reason = 'sửa khi chưa có bảo vệ'"))
    store.upgrade(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
