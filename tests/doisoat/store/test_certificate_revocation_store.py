"""Migration 0006 on a store that already holds registered certificates: the rows are kept, in
use; a certificate is marked removed once (a second mark changes nothing); the downgrade keeps
the rows. On SQLite, and on PostgreSQL when ``DOISOAT_TEST_DATABASE_URL`` names a server."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from doisoat import store
from doisoat.store import certificates as rows
from tests.doisoat.store.test_schema import _assert_at_head, new_store  # noqa: F401

AT = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)


def test_certificates_registered_before_0006_stay_in_use_and_are_revoked_once(new_store):  # noqa: F811
    engine = store.get_engine(new_store)
    try:
        store.upgrade(engine, "0005")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO signing_certificate (fingerprint, username, subject, serial, issuer,"
                " not_after, registered_at, registered_by) VALUES ('ab12', 'gv1', 'CN=GV 1', '1',"
                " 'CN=CA', NULL, '2026-12-01 00:00:00', 'gv1')"
            ))  # fmt: skip
        store.upgrade(engine, "head")
        _assert_at_head(new_store)
        with engine.begin() as conn:
            (row,) = rows.certificates_of(conn, "gv1", include_revoked=False)
            assert row["revoked_at"] is None and row["subject"] == "CN=GV 1"
            assert rows.mark_revoked(conn, "ab12", by="ht", reason="Nghỉ việc", at=AT)
            assert not rows.mark_revoked(conn, "ab12", by="admin", reason="lần hai", at=AT)
        with engine.connect() as conn:
            kept = rows.certificate(conn, "ab12")
            assert kept is not None and (kept["revoked_by"], kept["revoked_reason"]) == (
                "ht", "Nghỉ việc")
            assert kept["revoked_at"].astimezone(dt.UTC) == AT
            assert rows.certificates_of(conn, "gv1", include_revoked=False) == []
        _downgrade(engine)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("signing_certificate")}
            count = conn.execute(text("SELECT count(*) FROM signing_certificate")).scalar_one()
        assert "revoked_at" not in columns and count == 1
    finally:
        engine.dispose()


def _downgrade(engine) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
