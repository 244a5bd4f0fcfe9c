"""A person's word on two records, through the API and the conflict page: who may say it, what
is kept, and that the audit trail names them."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select
from sqlmodel import Session

from doisoat.model import AuditEvent, LinkDecision, StudentRecord
from tests.service.api.test_api_pages import CHROMIUM, _login, browser, server  # noqa: F401
from tests.service.api.world import B_MARKERS, SCHOOL_B, World

A_VENDOR, A_REGISTRY, B_VENDOR = "smas:1:A1", "moet:2:A1", "smas:1:B1"


def _post(world: World, user: str, left: str, right: str, decision: str, reason: str, **extra):
    body = {"left": left, "right": right, "decision": decision, "reason": reason, **extra}
    return world.client.post("/api/v1/links", json=body, headers=world.as_(user))


def _stored(world: World) -> tuple[list, list]:
    """(link decisions, audit events) as the store holds them."""
    with world.engine.connect() as conn:
        links = conn.execute(select(LinkDecision.__table__)).fetchall()
        events = conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).fetchall()
    return links, events


def test_officer_confirms_two_records_and_the_audit_trail_names_them(world: World) -> None:
    response = _post(
        world, "officer", A_REGISTRY, A_VENDOR, "same", "Cùng ngày sinh theo giấy khai sinh",
        by="someone-else",  # who decides is the signed-in user, never the body
    )  # fmt: skip
    assert response.status_code == 201, response.text
    row = response.json()
    # Stored vendor record first, registry second, whichever order the officer gave.
    assert (row["left_id"], row["right_id"], row["decision"]) == (A_VENDOR, A_REGISTRY, "same")
    assert row["decided_by"] == "officer"
    listed = world.client.get(
        "/api/v1/links", params={"record": A_VENDOR}, headers=world.as_("officer")
    ).json()
    assert [(r["left_id"], r["right_id"], r["decision"], r["decided_by"]) for r in listed] == [
        (A_VENDOR, A_REGISTRY, "same", "officer")
    ]
    assert listed[0]["reason"] == "Cùng ngày sinh theo giấy khai sinh"
    _, events = _stored(world)
    (event,) = events
    assert (event.actor, event.action, event.entity, event.entity_id) == (
        "officer", "link.same", "link", f"{A_VENDOR}|{A_REGISTRY}"
    )  # fmt: skip
    assert event.reason == "Cùng ngày sinh theo giấy khai sinh"
    audit = world.client.get("/api/v1/audit?entity=link", headers=world.as_("officer")).json()
    assert audit[0]["actor"] == "officer"


def test_undo_marks_the_pair_do_not_relink(world: World) -> None:
    assert _post(world, "officer", A_VENDOR, A_REGISTRY, "same", "khớp").status_code == 201
    undone = _post(world, "officer", A_VENDOR, A_REGISTRY, "undo", "Nhầm, hai em sinh đôi")
    assert undone.status_code == 201 and undone.json()["decision"] == "different"
    listed = world.client.get("/api/v1/links", headers=world.as_("officer")).json()
    assert [r["decision"] for r in listed] == ["different"]  # one pair, one row
    _, events = _stored(world)
    assert [e.action for e in events] == ["link.same", "link.undo"]


def test_school_admin_decides_on_own_and_registry_records_only(world: World) -> None:
    with Session(world.engine) as session:  # a student arriving from school B: B's registry row
        session.add(StudentRecord(
            record_id="moet:2:B9", source="moet", snapshot_id=2, school_code=SCHOOL_B,
            local_id="B9", moet_code="7976020209", full_name="Lê Văn Chuyển", family_name="Lê",
            middle_name="Văn", given_name="Chuyển", dob=dt.date(2012, 2, 2), gender="M",
            school_year="2024-2025", grade=7, class_name="7A2",
        ))  # fmt: skip
        session.commit()
    refused = _post(world, "admin_a", A_VENDOR, B_VENDOR, "same", "thử")
    assert refused.status_code in (403, 404)
    # Answers like a missing record and names nothing of school B's student.
    assert refused.json()["detail"].startswith("Không tìm thấy bản ghi học sinh")
    assert not any(marker in refused.text for marker in B_MARKERS)
    assert _stored(world) == ([], [])
    looked = world.client.get(
        "/api/v1/links", params={"record": B_VENDOR}, headers=world.as_("admin_a")
    )
    assert looked.status_code == 404
    own = _post(world, "admin_a", A_VENDOR, A_REGISTRY, "different", "Khác cha mẹ")
    assert own.status_code == 201 and own.json()["decided_by"] == "admin_a"
    moved = _post(world, "admin_a", A_VENDOR, "moet:2:B9", "different", "Không phải em này")
    assert moved.status_code == 201
    # The officer links A1 with B's vendor record: school A's admin never sees that decision.
    assert _post(world, "officer", A_VENDOR, B_VENDOR, "different", "khác").status_code == 201
    seen_by_a = world.client.get("/api/v1/links", headers=world.as_("admin_a")).json()
    assert {(r["left_id"], r["right_id"]) for r in seen_by_a} == {
        (A_VENDOR, A_REGISTRY), (A_VENDOR, "moet:2:B9")
    }  # fmt: skip
    seen_by_officer = world.client.get("/api/v1/links", headers=world.as_("officer")).json()
    assert len(seen_by_officer) == 3


def test_refusals_say_why_in_vietnamese_and_write_nothing(world: World) -> None:
    empty = _post(world, "officer", A_VENDOR, A_REGISTRY, "same", "   ")
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Cần ghi rõ người quyết định và lý do."
    unknown = _post(world, "officer", A_VENDOR, "smas:9:KHONG", "same", "khớp")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Không tìm thấy bản ghi học sinh: smas:9:KHONG."
    nul = _post(world, "officer", "smas:1:A\x001", A_REGISTRY, "same", "khớp\x00")
    assert nul.status_code == 422  # refused up front, on PostgreSQL too (no server error)
    itself = _post(world, "officer", A_VENDOR, A_VENDOR, "same", "khớp")
    assert itself.status_code == 422 and "chính nó" in itself.json()["detail"]
    for method, kwargs in (
        ("post", {"json": {"left": A_VENDOR, "right": A_REGISTRY, "decision": "same",
                           "reason": "giáo viên chủ nhiệm xác nhận"}}),
        ("get", {"params": {"record": A_VENDOR}}),
    ):  # fmt: skip
        teacher = world.client.request(
            method, "/api/v1/links", headers=world.as_("teacher_a"), **kwargs
        )
        assert teacher.status_code == 403
        assert teacher.json()["detail"] == "Bạn không có quyền thực hiện thao tác này."
    anonymous = world.client.post("/api/v1/links", json={})
    assert anonymous.status_code == 401
    assert _stored(world) == ([], [])


def test_the_status_follows_the_kind_of_refusal_not_its_wording(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rewording a sentence in the messages module must not change an answer's status: an
    unknown record stays 404 and a pair of one record stays 422, whatever the texts say."""
    from reconcile.messages import DECISIONS_VI

    monkeypatch.setitem(DECISIONS_VI, "UNKNOWN", "Bản ghi {records} không có trong kho dữ liệu.")
    monkeypatch.setitem(DECISIONS_VI, "SELF", "Không tìm thấy bản ghi học sinh: hai mã trùng nhau.")
    unknown = _post(world, "officer", A_VENDOR, "smas:9:KHONG", "same", "khớp")
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404, "Bản ghi smas:9:KHONG không có trong kho dữ liệu."
    )  # fmt: skip
    itself = _post(world, "officer", A_VENDOR, A_VENDOR, "same", "khớp")
    assert (itself.status_code, itself.json()["detail"]) == (
        422, "Không tìm thấy bản ghi học sinh: hai mã trùng nhau."
    )  # fmt: skip
    assert _stored(world) == ([], [])


def _signed_in(world: World, user: str) -> str:
    from service.api.auth import csrf_token, issue_token

    session = issue_token(world.engine, user, kind="session", hours=1)
    world.client.cookies.set("doisoat_session", session)
    return csrf_token(session)


def test_conflict_page_form_records_the_decision(sqlite_world: World) -> None:
    world = sqlite_world
    csrf = _signed_in(world, "admin_a")
    page = world.client.get("/conflicts/c-a-mismatch")
    assert 'id="link-form"' in page.text
    assert "Cùng một học sinh" in page.text and "Không phải cùng học sinh" in page.text
    single = world.client.get("/conflicts/c-a-drift")  # names one record: nothing to pair
    assert single.status_code == 200 and 'id="link-form"' not in single.text
    form = {"conflict_id": "c-a-mismatch", "left": A_REGISTRY, "right": A_VENDOR,
            "decision": "different", "reason": "Hai em khác cha mẹ"}  # fmt: skip
    forged = world.client.post("/links", data=form, follow_redirects=False)
    assert forged.status_code == 403 and _stored(world) == ([], [])
    empty = world.client.post("/links", data={**form, "reason": " ", "csrf": csrf})
    assert empty.status_code == 422 and "Cần ghi rõ" in empty.text
    done = world.client.post("/links", data={**form, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith("/conflicts/c-a-mismatch?link=different")
    back = world.client.get(done.headers["location"])
    assert "Đã ghi nhận: hai bản ghi không phải cùng một học sinh." in back.text
    links, events = _stored(world)
    assert [(r.left_id, r.right_id, r.decision, r.decided_by) for r in links] == [
        (A_VENDOR, A_REGISTRY, "different", "admin_a")
    ]
    assert [(e.actor, e.action, e.reason) for e in events] == [
        ("admin_a", "link.different", "Hai em khác cha mẹ")
    ]


def test_conflict_page_form_is_for_deciders_only(sqlite_world: World) -> None:
    world = sqlite_world
    csrf = _signed_in(world, "teacher_a")
    page = world.client.get("/conflicts/c-a-mismatch")
    assert page.status_code == 200 and 'id="link-form"' not in page.text
    form = {"conflict_id": "c-a-mismatch", "left": A_VENDOR, "right": A_REGISTRY,
            "decision": "same", "reason": "thử", "csrf": csrf}  # fmt: skip
    refused = world.client.post("/links", data=form)
    assert refused.status_code == 403 and "không có quyền" in refused.text
    assert _stored(world) == ([], [])


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
def test_officer_confirms_two_records_in_the_browser(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    sqlite_world: World,
) -> None:
    page = browser.new_page()
    _login(page, server, "officer")
    page.goto(f"{server}/conflicts/c-a-mismatch")
    page.select_option("#link-form select[name=left]", A_VENDOR)
    page.select_option("#link-form select[name=right]", A_REGISTRY)
    page.click("#link-same")  # no reason yet: the browser keeps the form
    assert page.url.endswith("/conflicts/c-a-mismatch") and _stored(sqlite_world) == ([], [])
    page.fill("#link-form textarea[name=reason]", "Cùng giấy khai sinh, SMAS nhập sai mã")
    page.click("#link-same")
    assert page.locator("#link-done").inner_text() == (
        "Đã ghi nhận: hai bản ghi là cùng một học sinh."
    )
    page.click("text=Nhật ký thay đổi")
    trail = page.locator("#audit").inner_text()
    assert "officer" in trail and "Cùng giấy khai sinh, SMAS nhập sai mã" in trail
    links, _ = _stored(sqlite_world)
    assert [(r.decision, r.decided_by) for r in links] == [("same", "officer")]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_no_or_wrong_token_is_refused(sqlite_world: World, method: str, token: str | None):
    # The same check test_api_auth.py makes for every route, for these two operations.
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"left": A_VENDOR, "right": A_REGISTRY, "decision": "same", "reason": "x"}
    kwargs = {"json": body} if method == "post" else {"params": {"record": A_VENDOR}}
    response = sqlite_world.client.request(method, "/api/v1/links", headers=headers, **kwargs)
    assert response.status_code == 401
    assert "Nguyễn" not in response.text and _stored(sqlite_world) == ([], [])


def _registry_rows(world: World, *rows: tuple[str, str, str]) -> None:
    """Registry (moet) records: (record id, school, name)."""
    with Session(world.engine) as session:
        for rid, school, name in rows:
            family, *rest = name.split()
            session.add(StudentRecord(
                record_id=rid, source="moet", snapshot_id=2, school_code=school,
                local_id=rid.split(":")[-1], moet_code="79760202" + rid[-2:].replace(":", "0"),
                full_name=name, family_name=family, middle_name=" ".join(rest[:-1]),
                given_name=rest[-1], dob=dt.date(2012, 3, 3), gender="F",
                school_year="2024-2025", grade=7, class_name="7A2",
            ))  # fmt: skip
        session.commit()


def test_school_admin_may_not_decide_on_pairs_that_are_not_their_own(world: World) -> None:
    """Two registry records of school B, school B's vendor record, or school A's registry record
    against school B's: none is school A's business. Each answers exactly as missing records do
    (404, the same sentence), so school A learns nothing of school B, and nothing is stored."""
    _registry_rows(world, ("moet:2:B1", SCHOOL_B, "Trần Thị Bích"),
                   ("moet:2:B2", SCHOOL_B, "Trần Thị Bông"))  # fmt: skip
    missing_pair = _post(world, "admin_a", "moet:9:X1", "moet:9:X2", "different", "khác")
    assert missing_pair.status_code == 404
    for left, right, named in (
        ("moet:2:B1", "moet:2:B2", "moet:2:B1, moet:2:B2"),  # neither is school A's
        ("moet:2:B2", "moet:2:B1", "moet:2:B2, moet:2:B1"),
        (A_REGISTRY, "moet:2:B1", "moet:2:B1"),  # school A's registry row vs school B's
        ("moet:2:B1", A_REGISTRY, "moet:2:B1"),
        (B_VENDOR, "moet:2:B1", "smas:1:B1, moet:2:B1"),  # school B's vendor record
        (A_VENDOR, B_VENDOR, "smas:1:B1"),
    ):
        for decision in ("same", "different", "undo"):
            refused = _post(world, "admin_a", left, right, decision, "thử")
            assert refused.status_code == 404, (left, right, decision, refused.text)
            assert refused.json()["detail"] == f"Không tìm thấy bản ghi học sinh: {named}."
            assert not any(marker in refused.text for marker in B_MARKERS)
    assert missing_pair.json()["detail"] == "Không tìm thấy bản ghi học sinh: moet:9:X1, moet:9:X2."
    assert _stored(world) == ([], [])
    # The officer separates school B's two registry rows: school A neither sees it nor can ask.
    assert _post(world, "officer", "moet:2:B1", "moet:2:B2", "different", "khác").status_code == 201
    assert world.client.get("/api/v1/links", headers=world.as_("admin_a")).json() == []
    for record in ("moet:2:B1", "moet:9:X1"):
        looked = world.client.get(
            "/api/v1/links", params={"record": record}, headers=world.as_("admin_a")
        )
        assert looked.status_code == 404
        assert looked.json()["detail"] == f"Không tìm thấy bản ghi học sinh: {record}."


def test_school_admin_links_an_arriving_student_to_the_registry_row_of_the_old_school(
    world: World,
) -> None:
    """A transfer in: the registry still shows the student at school B, school A's vendor
    export already has them. School A's admin says "this is our student" — and sees it after."""
    _registry_rows(world, ("moet:2:B1", SCHOOL_B, "Trần Thị Bích"))
    linked = _post(world, "admin_a", "moet:2:B1", A_VENDOR, "same", "Em chuyển đến từ trường B")
    assert linked.status_code == 201, linked.text
    assert (linked.json()["left_id"], linked.json()["right_id"]) == (A_VENDOR, "moet:2:B1")
    for record in (A_VENDOR, "moet:2:B1"):
        seen = world.client.get(
            "/api/v1/links", params={"record": record}, headers=world.as_("admin_a")
        )
        assert seen.status_code == 200
        assert [(r["left_id"], r["right_id"]) for r in seen.json()] == [(A_VENDOR, "moet:2:B1")]
    # School B's admin may not undo it: the pair holds school A's vendor record.
    refused = _post(world, "admin_b", A_VENDOR, "moet:2:B1", "undo", "không phải")
    assert refused.status_code == 404
    links, events = _stored(world)
    assert [(r.decision, r.decided_by) for r in links] == [("same", "admin_a")]
    assert [e.action for e in events] == ["link.same"]
