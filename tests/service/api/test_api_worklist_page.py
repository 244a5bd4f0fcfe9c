"""The pages as tools, on the two-school world (each backend): the worklist searched, sorted and
paged; the conflict's evidence in Vietnamese tables; the audit trail filtered and in words; the
runs page's button for officers only; a school's own student shown in full next to another
school's hidden record."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from sqlmodel import Session

from doisoat.model import Conflict, StudentRecord
from service.api.auth import csrf_token, issue_token
from tests.service.api.world import NIGHT, SCHOOL_A, SCHOOL_B, World


def _sign_in(world: World, user: str) -> str:
    session = issue_token(world.engine, user, kind="session", hours=1)
    world.client.cookies.set("doisoat_session", session)
    return session


def _text(page: str, element_id: str) -> str:
    """The words a person reads inside the element with ``element_id`` (tags removed)."""
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = re.match(r"<(\w+)", page[tag:]).group(1)
    begin = page.index(">", start) + 1
    depth, end = 1, begin
    for tag_match in re.finditer(rf"<(/?){name}\b[^>]*>", page[begin:]):
        depth += -1 if tag_match.group(1) else 1
        if depth == 0:
            end = begin + tag_match.start()
            break
    inner = page[begin:end]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inner))).strip()


def _more_conflicts(world: World, n: int) -> None:
    with Session(world.engine) as session:
        for i in range(n):
            session.add(Conflict(
                conflict_id=f"extra-{i:03d}", type="ID_MISSING", severity="medium",
                school_code=SCHOOL_A, record_ids='["smas:1:A1"]', evidence="{}",
                suggested_fix="Nhập mã định danh.", message_vi=f"Thiếu mã {i}", status="new",
                first_seen=NIGHT, last_seen=NIGHT,
            ))  # fmt: skip
        session.commit()


def test_the_worklist_is_searched_sorted_and_paged(world: World) -> None:
    _more_conflicts(world, 60)
    _sign_in(world, "admin_a")
    page = world.client.get(f"/schools/{SCHOOL_A}/worklist").text
    assert _text(page, "total") == "62"
    assert "hiển thị 1–50 trên 62" in _text(page, "shown")
    assert 'href="?status=open&amp;sort=severity&amp;dir=asc&amp;page=2"' in page
    assert "Nguyễn Văn An" in _text(page, "worklist") and "7A1" in _text(page, "worklist")
    second = world.client.get(f"/schools/{SCHOOL_A}/worklist?page=2").text
    assert "hiển thị 51–62 trên 62" in _text(second, "shown")

    # search by name without diacritics, by code, by class; nothing for another name
    for needle in ("nguyen van an", "7976010101", "7a1"):
        found = world.client.get(f"/schools/{SCHOOL_A}/worklist", params={"q": needle}).text
        assert _text(found, "total") == "62", needle
    none = world.client.get(f"/schools/{SCHOOL_A}/worklist", params={"q": "Trần Thị Bích"}).text
    assert _text(none, "total") == "0"
    by_message = world.client.get(f"/schools/{SCHOOL_A}/worklist", params={"q": "Thiếu mã 42"})
    assert _text(by_message.text, "total") == "1"

    # sorted by type, both ways; a sort that does not exist is refused in words
    up = world.client.get(f"/schools/{SCHOOL_A}/worklist?sort=type&dir=asc").text
    down = world.client.get(f"/schools/{SCHOOL_A}/worklist?sort=type&dir=desc").text
    first_up = re.search(r'data-label="Loại">([^<]+)<', up).group(1)
    first_down = re.search(r'data-label="Loại">([^<]+)<', down).group(1)
    assert first_up != first_down
    assert 'aria-sort="descending"' in down
    bad = world.client.get(f"/schools/{SCHOOL_A}/worklist?sort=evil")
    assert bad.status_code == 422 and "sort" in bad.text


def test_the_conflict_page_reads_in_vietnamese(world: World) -> None:
    with world.engine.begin() as conn:
        conn.execute(Conflict.__table__.update().where(
            Conflict.__table__.c.conflict_id == "c-a-mismatch").values(evidence=json.dumps({
                "moet_code": "7976010101",
                "registry_match": {"full_name": "Nguyễn Văn An", "dob": "2012-01-05",
                                   "match_probability": 0.9999999999999987},
                "student": {"gender": "M", "dob": "2012-05-01"},
            })))  # fmt: skip
    _sign_in(world, "admin_a")
    page = world.client.get("/conflicts/c-a-mismatch").text
    evidence = _text(page, "evidence")
    assert "Học sinh khớp trong CSDL ngành" in evidence
    assert "Xác suất trùng khớp" in evidence and "99,99 % (gần như chắc chắn)" in evidence
    assert "05/01/2012" in evidence and "Nam" in evidence
    for raw in ("match_probability", "registry_match", "2012-01-05", "{'", "'M'"):
        assert raw not in evidence, raw
    heads = re.findall(r"<th>([^<]*)</th>", page.split('id="comparison"')[1].split("</thead>")[0])
    assert heads[1:] == ["CSDL ngành · 7976010199", "SMAS"]
    assert f"THCS Lê Lợi ({SCHOOL_A})" in _text(page, "school")


def _transfer_world(world: World) -> None:
    """Nguyễn Văn An, studying at A, is also on B's roll (B's record, B's class and number)."""
    with Session(world.engine) as session:
        session.add(StudentRecord(
            record_id="smas:9:B-AN", source="smas", snapshot_id=9, school_code=SCHOOL_B,
            local_id="B-LOCAL-AN", moet_code="7976010101", full_name="Nguyễn Văn An",
            family_name="Nguyễn", middle_name="Văn", given_name="An", dob=dt.date(2012, 5, 1),
            gender="M", school_year="2024-2025", grade=7, class_name="7B9",
            status="transferred_in", transfer_school_code=SCHOOL_A,
        ))  # fmt: skip
        session.add(Conflict(
            conflict_id="c-a-dual", type="DUAL_ENROLLMENT", severity="critical",
            school_code=SCHOOL_A, record_ids='["smas:1:A1", "smas:9:B-AN"]',
            evidence=json.dumps({"receiving_school": SCHOOL_B, "records": [
                {"record_id": "smas:1:A1", "school_code": SCHOOL_A, "class_name": "7A1",
                 "local_id": "A1", "status": "studying"},
                {"record_id": "smas:9:B-AN", "school_code": SCHOOL_B, "class_name": "7B9",
                 "local_id": "B-LOCAL-AN", "status": "transferred_in"}]}),
            message_vi=f"Học sinh Nguyễn Văn An đang có tên ở 2 trường: {SCHOOL_B}, {SCHOOL_A}.",
            suggested_fix=(f"Trường {SCHOOL_A} thực hiện «Chuyển đi» cho học sinh Nguyễn Văn An "
                           f"(trường {SCHOOL_B} đã tiếp nhận, hồ sơ smas:9:B-AN, lớp 7B9)."),
            status="new", first_seen=NIGHT, last_seen=NIGHT,
        ))  # fmt: skip
        session.commit()


def test_a_school_sees_its_own_student_and_only_the_name_of_the_other_school(world: World):
    _transfer_world(world)
    _sign_in(world, "admin_a")
    page = world.client.get("/conflicts/c-a-dual").text
    assert "Nguyễn Văn An" in _text(page, "suggested-fix")
    assert f"THCS Nguyễn Du ({SCHOOL_B})" in _text(page, "suggested-fix")
    assert f"THCS Nguyễn Du ({SCHOOL_B})" in _text(page, "other-schools")
    assert "admin_b" in _text(page, "other-schools")  # whom to contact there
    assert "Chuyển đến" in _text(page, "elsewhere")
    for secret in ("smas:9:B-AN", "B-LOCAL-AN", "7B9"):
        assert secret not in page, secret
    listed = world.client.get(f"/schools/{SCHOOL_A}/worklist", params={"q": "An"}).text
    assert "Nguyễn Văn An" in _text(listed, "worklist")
    assert "học sinh trường khác" not in listed and "smas:9:B-AN" not in listed
    api = world.client.get("/api/v1/conflicts/c-a-dual", headers=world.as_("admin_a")).json()
    assert api["record_ids"] == ["smas:1:A1"] and api["hidden_records"] == 1
    assert "Nguyễn Văn An" in api["suggested_fix"] and "7B9" not in json.dumps(api)
    officer = world.client.get("/api/v1/conflicts/c-a-dual", headers=world.as_("officer"))
    assert "B-LOCAL-AN" in officer.text  # the district sees both schools


def test_the_audit_trail_is_filtered_and_in_words(world: World) -> None:
    session = _sign_in(world, "admin_a")
    world.client.post("/conflicts/c-a-drift/acknowledge",
                      data={"reason": "Đã biết", "csrf": csrf_token(session)})  # fmt: skip
    session = _sign_in(world, "admin_b")
    world.client.post("/conflicts/c-b-shared/resolve",
                      data={"reason": "Đã cấp mã mới", "csrf": csrf_token(session)})  # fmt: skip
    _sign_in(world, "officer")
    everything = _text(world.client.get("/audit").text, "audit")
    assert "Người dùng đánh dấu đã giải quyết" in everything
    assert "conflict.resolved_by_user" not in everything
    mine = _text(world.client.get("/audit", params={"actor": "admin_a"}).text, "audit")
    assert "Đã biết" in mine and "Đã cấp mã mới" not in mine
    of_b = _text(world.client.get("/audit", params={"school": SCHOOL_B}).text, "audit")
    assert "Đã cấp mã mới" in of_b and "Đã biết" not in of_b
    resolved = world.client.get("/audit", params={"action": "conflict.resolved_by_user"}).text
    assert "Đã cấp mã mới" in _text(resolved, "audit") and "Đã biết" not in _text(resolved, "audit")
    today = dt.date.today()
    later = (today + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert "Đã biết" not in _text(world.client.get("/audit", params={"since": later}).text, "audit")
    until = world.client.get("/audit", params={"until": (today + dt.timedelta(days=1)).isoformat()})
    assert "Đã biết" in _text(until.text, "audit")
    bad = world.client.get("/audit", params={"since": "31/02/2025"})
    assert bad.status_code == 422 and "Từ ngày" in bad.text


def test_the_runs_page_starts_a_night_for_officers_only(world: World, monkeypatch) -> None:
    from service.api import services

    started = []
    monkeypatch.setattr(services, "execute_run", lambda *args: started.append(args[1]))
    session = _sign_in(world, "admin_a")
    assert 'id="run-form"' not in world.client.get("/runs").text
    refused = world.client.post("/runs", data={"night": "2025-03-11", "csrf": csrf_token(session)})
    assert refused.status_code == 403 and started == []
    session = _sign_in(world, "officer")
    assert 'id="run-form"' in world.client.get("/runs").text
    answer = world.client.post(
        "/runs", data={"night": "2025-03-11", "csrf": csrf_token(session)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/runs?started=2025-03-11"
    assert started == [dt.date(2025, 3, 11)]
    after = world.client.get(answer.headers["location"]).text
    assert "Đã bắt đầu đối soát đêm 11/03/2025" in after
    stale = world.client.post("/runs", data={"night": "2025-03-11", "csrf": "x"})
    assert stale.status_code == 403
