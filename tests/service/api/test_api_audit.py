"""Every acknowledge and resolve is an audit event nobody can edit, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from doisoat.model import AuditEvent
from service.api import AuditAppendOnlyError
from tests.service.api.world import World


def _events(world: World) -> list:
    with world.engine.connect() as conn:
        return conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).fetchall()


def test_acknowledge_records_who_when_what_before_after_why(world: World) -> None:
    response = world.client.post(
        "/api/v1/conflicts/c-a-mismatch/acknowledge",
        json={"reason": "Đã báo SMAS, chờ cập nhật"},
        headers=world.as_("admin_a"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"] == "admin_a"
    (event,) = _events(world)
    assert (event.actor, event.action, event.entity_id) == (
        "admin_a", "conflict.acknowledged", "c-a-mismatch"
    )  # fmt: skip
    assert '"new"' in event.before and '"acknowledged"' in event.after
    assert event.reason == "Đã báo SMAS, chờ cập nhật" and event.at is not None
    assert body["history"][0]["reason"] == "Đã báo SMAS, chờ cập nhật"


def test_resolve_is_audited_and_cannot_happen_twice(world: World) -> None:
    ok = world.client.post(
        "/api/v1/conflicts/c-a-drift/resolve",
        json={"reason": "Đã sửa ngày sinh trên SMAS"},
        headers=world.as_("officer"),
    )
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
    again = world.client.post(
        "/api/v1/conflicts/c-a-drift/resolve", json={"reason": "lần nữa"},
        headers=world.as_("officer"),
    )  # fmt: skip
    assert again.status_code == 409
    events = _events(world)
    assert [e.action for e in events] == ["conflict.resolved_by_user"]
    assert events[0].actor == "officer"
    log = world.client.get("/api/v1/audit", headers=world.as_("officer")).json()
    assert log[0]["after"]["status"] == "resolved"


def test_a_reason_is_required_and_teachers_cannot_act(world: World) -> None:
    blank = world.client.post(
        "/api/v1/conflicts/c-a-mismatch/acknowledge", json={"reason": "   "},
        headers=world.as_("admin_a"),
    )  # fmt: skip
    assert blank.status_code == 422
    teacher = world.client.post(
        "/api/v1/conflicts/c-a-mismatch/acknowledge", json={"reason": "vì"},
        headers=world.as_("teacher_a"),
    )  # fmt: skip
    assert teacher.status_code == 403
    assert _events(world) == []
    assert world.client.get("/api/v1/audit", headers=world.as_("admin_a")).status_code == 403


def test_the_api_offers_no_way_to_change_the_trail(world: World) -> None:
    paths = world.client.app.openapi()["paths"]
    audit_ops = {m for p, item in paths.items() if p.startswith("/api/v1/audit") for m in item}
    assert audit_ops == {"get"}
    for method in ("put", "patch", "delete", "post"):
        response = world.client.request(method, "/api/v1/audit", headers=world.as_("officer"))
        assert response.status_code == 405


def test_the_database_refuses_updates_and_deletes(world: World) -> None:
    world.client.post(
        "/api/v1/conflicts/c-a-mismatch/acknowledge", json={"reason": "thật"},
        headers=world.as_("admin_a"),
    )  # fmt: skip
    table = AuditEvent.__table__
    for statement in (
        update(table).values(reason="đã sửa"),
        delete(table),
        text("UPDATE audit_event SET actor = 'someone else'"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
            conn.execute(statement)
    if world.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_event"))
    (event,) = _events(world)
    assert event.reason == "thật" and event.actor == "admin_a"


def test_the_orm_refuses_to_flush_a_changed_or_deleted_event(world: World) -> None:
    with Session(world.engine) as session:
        session.add(AuditEvent(at=_now(), actor="a", action="x", entity="e", entity_id="1"))
        session.commit()
        event = session.get(AuditEvent, 1)
        event.reason = "sửa lén"
        with pytest.raises(AuditAppendOnlyError):
            session.commit()
        session.rollback()
        session.delete(session.get(AuditEvent, 1))
        with pytest.raises(AuditAppendOnlyError):
            session.commit()
    assert len(_events(world)) == 1


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)
