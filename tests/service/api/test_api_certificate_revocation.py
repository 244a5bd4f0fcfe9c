"""Removing and revoking a registered certificate: an account removes its own, the principal or
the school's administrator revokes a teacher's, a teacher cannot revoke a colleague's and another
school does not see it; a signature with a removed certificate is refused (403, Vietnamese) and
the removal and the refusal are in the audit trail (who, which fingerprint, why). On SQLite and
PostgreSQL (the ``world`` fixture), through the store's migration 0006."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.service.api.test_api_class_signing import (
    _events,
    school_class,  # noqa: F401 — fixture
    sign_class,
)
from tests.service.api.test_api_signing import PASSPHRASE, p12
from tests.service.api.world import SCHOOL_A, World


def _fingerprint(world: World, user: str) -> str:
    listed = world.client.get("/api/v1/certificates", headers=world.as_(user)).json()
    return listed[0]["fingerprint"]


def revoke(world: World, by: str, fingerprint: str, reason: str = "Mất thiết bị ký"):
    return world.client.post(
        f"/api/v1/certificates/{fingerprint}/revoke", json={"reason": reason},
        headers=world.as_(by),
    )  # fmt: skip


def test_a_teacher_removes_their_certificate_and_can_no_longer_sign(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    fingerprint = _fingerprint(world, "teacher1")
    removed = revoke(world, "teacher1", fingerprint, "Chứng thư cũ, đã gia hạn")
    assert removed.status_code == 200, removed.text
    assert removed.json()["revoked_by"] == "teacher1"

    before = [p.read_bytes() for p in school_class]
    refused = sign_class(world, "teacher1", "teacher1")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "đã bị gỡ" in detail and "bởi teacher1" in detail and "Chứng thư cũ" in detail
    single = world.client.post(
        f"/api/v1/transcripts/{SCHOOL_A}/{school_class[0].name}/sign",
        data={"field": "GVBM_teacher1", "passphrase": PASSPHRASE},
        files={"pkcs12": ("t.p12", p12("teacher1"), "application/x-pkcs12")},
        headers=world.as_("teacher1"),
    )
    assert single.status_code == 403 and "không được dùng để ký nữa" in single.json()["detail"]
    assert [p.read_bytes() for p in school_class] == before

    (event,) = _events(world, "certificate.removed")
    assert (event.actor, event.entity_id, event.reason) == (
        "teacher1", "teacher1", "Chứng thư cũ, đã gia hạn")
    assert json.loads(event.before)["fingerprint"] == fingerprint
    refusals = _events(world, "sign.refused_certificate")
    assert len(refusals) == 2
    after = json.loads(refusals[0].after)
    assert after["presented"]["fingerprint"] == fingerprint
    assert after["revoked"]["by"] == "teacher1"

    # the same certificate cannot be registered again, by anyone
    again = world.client.post(
        "/api/v1/certificates", data={"passphrase": PASSPHRASE},
        files={"certificate": ("gv.p12", p12("teacher1"), "application/x-pkcs12")},
        headers=world.as_("teacher1"),
    )  # fmt: skip
    assert again.status_code == 409 and "đã bị gỡ" in again.json()["detail"]
    twice = revoke(world, "teacher1", fingerprint)
    assert twice.status_code == 409 and "đã bị gỡ từ ngày" in twice.json()["detail"]
    # the others sign on
    assert sign_class(world, "teacher2", "teacher2").json()["done"] == 2


@pytest.mark.parametrize("revoker", ["principal_a", "admin_a", "officer"])
def test_the_school_or_the_district_revokes_a_teachers_certificate(
    world: World, school_class: list[Path], revoker: str  # noqa: F811
) -> None:
    fingerprint = _fingerprint(world, "teacher2")
    listed = world.client.get(f"/api/v1/schools/{SCHOOL_A}/certificates",
                              headers=world.as_(revoker))  # fmt: skip
    assert listed.status_code == 200
    assert {c["username"] for c in listed.json()} >= {"teacher1", "teacher2", "principal_a"}
    done = revoke(world, revoker, fingerprint, "Giáo viên đã chuyển công tác")
    assert done.status_code == 200, done.text
    refused = sign_class(world, "teacher2", "teacher2")
    assert refused.status_code == 403
    said = refused.json()["detail"]
    assert re.search(rf"đã bị thu hồi ngày \d\d/\d\d/\d{{4}} bởi {revoker}", said)
    (event,) = _events(world, "certificate.revoked")
    assert (event.actor, event.entity_id) == (revoker, "teacher2")
    assert json.loads(event.before)["fingerprint"] == fingerprint
    assert event.reason == "Giáo viên đã chuyển công tác"


def test_who_may_not_revoke(world: World, school_class: list[Path]) -> None:  # noqa: F811
    teacher2 = _fingerprint(world, "teacher2")
    principal = _fingerprint(world, "principal_a")
    colleague = revoke(world, "teacher1", teacher2)
    assert colleague.status_code == 403 and "Chỉ chủ tài khoản" in colleague.json()["detail"]
    # a principal revokes teachers' certificates, not the seal's holder's own by mistake of role
    assert revoke(world, "teacher1", principal).status_code == 403
    other_school = revoke(world, "admin_b", teacher2)
    assert other_school.status_code == 404
    assert world.client.get(f"/api/v1/schools/{SCHOOL_A}/certificates",
                            headers=world.as_("admin_b")).status_code == 403  # fmt: skip
    assert world.client.get(f"/api/v1/schools/{SCHOOL_A}/certificates",
                            headers=world.as_("teacher1")).status_code == 403  # fmt: skip
    no_reason = revoke(world, "principal_a", teacher2, reason=" ")
    assert no_reason.status_code == 422
    assert _events(world, "certificate.revoked") == []
    assert sign_class(world, "teacher2", "teacher2").json()["done"] == 2


def test_the_principal_revokes_on_the_page(world: World, school_class: list[Path]) -> None:  # noqa: F811
    from service.api import auth

    teacher2 = _fingerprint(world, "teacher2")
    session = auth.issue_token(world.engine, "principal_a", kind="session")
    world.client.cookies.set("doisoat_session", session)
    page = world.client.get("/account/certificates")
    assert page.status_code == 200
    assert "Chứng thư số của giáo viên trong trường" in page.text
    assert f'action="/account/certificates/{teacher2}/revoke"' in page.text
    answer = world.client.post(
        f"/account/certificates/{teacher2}/revoke",
        data={"reason": "Nghỉ việc", "csrf": auth.csrf_token(session)},
    )
    assert answer.status_code == 200 and "Đã thu hồi chứng thư số" in answer.text
    assert "Đã thu hồi ngày" in answer.text and "bởi principal_a: Nghỉ việc" in answer.text
    world.client.cookies.clear()
    assert sign_class(world, "teacher2", "teacher2").status_code == 403
