"""A school never sees another school's students, through any route."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from tests.service.api.world import B_MARKERS, SCHOOL_A, SCHOOL_B, World

NIGHT = "2025-03-10"
# Every operation of the API, aimed at school B's data.
AIMED_AT_B = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/schools"),
    ("get", "/api/v1/conflicts"),
    ("get", f"/api/v1/conflicts?school={SCHOOL_B}"),
    ("get", "/api/v1/conflicts?type=ID_SHARED"),
    ("get", "/api/v1/conflicts.csv"),
    ("get", f"/api/v1/conflicts.csv?school={SCHOOL_B}"),
    ("get", "/api/v1/conflicts/c-b-shared"),
    ("get", "/api/v1/conflicts/c-district"),
    ("post", "/api/v1/conflicts/c-b-shared/acknowledge"),
    ("post", "/api/v1/conflicts/c-b-shared/resolve"),
    ("get", "/api/v1/students"),
    ("get", f"/api/v1/students?school={SCHOOL_B}"),
    ("get", "/api/v1/students/smas:1:B1"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/1"),
    ("post", "/api/v1/runs"),
    ("get", "/api/v1/audit"),
    ("post", f"/api/v1/uploads?school={SCHOOL_B}&filename=b.csv"),
    ("get", f"/api/v1/reports/{NIGHT}/html"),
    ("get", f"/api/v1/reports/{NIGHT}/json"),
    ("get", f"/api/v1/worklists/{NIGHT}/{SCHOOL_B}"),
    ("get", f"/api/v1/reports/{NIGHT}/worklists/{SCHOOL_B}.xlsx"),
    ("get", "/conflicts?type=ID_SHARED"),
    ("get", f"/api/v1/transcripts/{SCHOOL_B}/b.pdf"),
    ("get", "/"),
    ("get", f"/schools/{SCHOOL_B}/worklist"),
    ("get", "/conflicts/c-b-shared"),
    ("get", "/runs"),
    ("get", "/audit"),
]


@pytest.fixture
def b_files(world: World, tmp_path) -> None:
    """School B's worklist and transcript exist on disk, so a leak would have something to leak."""
    files = world.client.app.state.files
    worklists = files.reports_dir / NIGHT / "worklists"
    worklists.mkdir(parents=True)
    (worklists / f"{SCHOOL_B}.xlsx").write_text(B_MARKERS[0])
    (files.reports_dir / NIGHT / "report.html").write_text(B_MARKERS[0])
    (files.transcripts_dir / SCHOOL_B).mkdir(parents=True)
    (files.transcripts_dir / SCHOOL_B / "b.pdf").write_text(B_MARKERS[0])


@pytest.mark.parametrize("user", ["admin_a", "teacher_a"])
def test_school_a_users_never_see_school_b(world: World, b_files, user) -> None:
    client = world.client
    client.cookies.set("doisoat_session", _session(world, user))
    for method, path in AIMED_AT_B:
        kwargs = {"json": {"reason": "thử", "night": NIGHT}} if method == "post" else {}
        if path.startswith("/api/"):
            kwargs["headers"] = world.as_(user)
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code in (200, 403, 404, 413, 422), (path, response.status_code)
        for marker in (*B_MARKERS, SCHOOL_B if "school=" not in path else "\x00"):
            if path.startswith("/api/v1/me"):
                continue
            assert marker not in response.text or path in _ECHOING, (path, marker)
    with world.engine.connect() as conn:
        status = conn.exec_driver_sql(
            "SELECT status FROM conflict WHERE conflict_id = 'c-b-shared'"
        ).scalar()
    assert status == "new"


# Pages whose address itself names school B (the refusal page shows the address, not data).
_ECHOING = {f"/schools/{SCHOOL_B}/worklist"}


def _session(world: World, user: str) -> str:
    from service.api.auth import issue_token

    return issue_token(world.engine, user, kind="session", hours=1)


def test_school_admin_sees_only_own_school_and_district_sees_all(world: World) -> None:
    mine = world.client.get("/api/v1/conflicts", headers=world.as_("admin_a")).json()
    assert {c["school_code"] for c in mine["items"]} == {SCHOOL_A}
    assert mine["total"] == 2
    other = world.client.get(f"/api/v1/conflicts?school={SCHOOL_B}", headers=world.as_("admin_a"))
    assert other.status_code == 403
    assert "trường mình" in other.json()["detail"]
    everything = world.client.get("/api/v1/conflicts", headers=world.as_("officer")).json()
    assert everything["total"] == 4
    assert (
        world.client.get("/api/v1/conflicts/c-b-shared", headers=world.as_("admin_a")).status_code
        == 404
    )
    assert (
        world.client.get("/api/v1/conflicts/c-b-shared", headers=world.as_("admin_b")).status_code
        == 200
    )


def test_filters_combine_and_page(world: World) -> None:
    headers = world.as_("officer")
    critical = world.client.get("/api/v1/conflicts?severity=critical", headers=headers).json()
    assert [c["conflict_id"] for c in critical["items"]] == ["c-a-mismatch"]
    typed = world.client.get(
        f"/api/v1/conflicts?school={SCHOOL_A}&type=DEMOGRAPHIC_DRIFT&status=open&night={NIGHT}",
        headers=headers,
    ).json()
    assert [c["conflict_id"] for c in typed["items"]] == ["c-a-drift"]
    later = world.client.get("/api/v1/conflicts?night=2025-03-11", headers=headers).json()
    assert later["total"] == 0
    page = world.client.get("/api/v1/conflicts?limit=1&offset=1", headers=headers).json()
    assert page["total"] == 4 and len(page["items"]) == 1
    # most severe first
    assert page["items"][0]["severity"] == "high"


def test_conflict_detail_compares_field_by_field(world: World) -> None:
    detail = world.client.get("/api/v1/conflicts/c-a-mismatch", headers=world.as_("admin_a")).json()
    assert [r["source"] for r in detail["records"]] == ["moet", "smas"]
    rows = {row["field"]: row for row in detail["comparison"]}
    assert rows["moet_code"]["differs"] and rows["dob"]["differs"]
    assert not rows["full_name"]["differs"]
    assert detail["suggested_fix"].startswith("Sửa mã")
    assert detail["evidence"]["moet_code"]["registry"] == "7976010199"


def test_run_summaries_are_for_the_district_only(world: World) -> None:
    with world.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO run (night, started_at, status, summary) VALUES "
            "('2025-03-10', '2025-03-10 01:00:00', 'committed', "
            '\'{"schools": {"79760202": 3}}\')'
        )
    admin = world.client.get("/api/v1/runs", headers=world.as_("admin_a")).json()
    officer = world.client.get("/api/v1/runs", headers=world.as_("officer")).json()
    assert admin[0]["summary"] == {} and admin[0]["status"] == "committed"
    assert officer[0]["summary"] == {"schools": {SCHOOL_B: 3}}


def test_downloads_follow_the_school(world: World, b_files) -> None:
    files = world.client.app.state.files
    (files.reports_dir / NIGHT / "worklists" / f"{SCHOOL_A}.xlsx").write_bytes(b"PK-a")
    own = world.client.get(f"/api/v1/worklists/{NIGHT}/{SCHOOL_A}", headers=world.as_("admin_a"))
    assert own.status_code == 200 and own.content == b"PK-a"
    report = world.client.get(f"/api/v1/reports/{NIGHT}/html", headers=world.as_("officer"))
    assert report.status_code == 200 and "Trần Thị Bích" in report.text
    theirs = world.client.get(f"/api/v1/worklists/{NIGHT}/{SCHOOL_B}", headers=world.as_("officer"))
    assert theirs.status_code == 200
    missing = world.client.get("/api/v1/reports/2020-01-01/html", headers=world.as_("officer"))
    assert missing.status_code == 404
    # the report's own links (``worklists/<school>.xlsx`` beside report.html) through the API
    linked = f"/api/v1/reports/{NIGHT}/worklists/{SCHOOL_A}.xlsx"
    own = world.client.get(linked, headers=world.as_("admin_a"))
    assert own.status_code == 200 and own.content == b"PK-a"
    assert world.client.get(linked, headers=world.as_("officer")).status_code == 200
    theirs = f"/api/v1/reports/{NIGHT}/worklists/{SCHOOL_B}.xlsx"
    assert world.client.get(theirs, headers=world.as_("admin_a")).status_code == 403
    trick = f"/api/v1/reports/{NIGHT}/worklists/..%2Freport.html"
    assert world.client.get(trick, headers=world.as_("officer")).status_code in (404, 422)


def test_another_schools_student_in_evidence_is_not_named(world: World) -> None:
    """A code shared across schools: school A sees the conflict, not who the other student is."""
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conflict (conflict_id, type, severity, school_code, record_ids,"
                " evidence, suggested_fix, message_vi, status, first_seen, last_seen) VALUES"
                " ('c-a-shared', 'ID_SHARED', 'high', :school, :ids, :evidence,"
                " 'Kiểm tra lại mã', :message, 'new', :night, :night)"
            ),
            {
                "school": SCHOOL_A,
                "ids": json.dumps(["smas:1:A1", "smas:1:B1"]),
                "evidence": json.dumps(
                    {"students": ["Nguyễn Văn An", "Trần Thị Bích"], "code": "7976020299"}
                ),
                "message": "Mã 7976020299 dùng chung với Trần Thị Bích",
                "night": dt.date(2025, 3, 10),
            },
        )
    seen_by_a = world.client.get("/api/v1/conflicts/c-a-shared", headers=world.as_("admin_a"))
    assert seen_by_a.status_code == 200
    body = seen_by_a.json()
    assert [r["record_id"] for r in body["records"]] == ["smas:1:A1"]
    assert body["hidden_records"] == 1
    for marker in B_MARKERS:
        assert marker not in seen_by_a.text
    assert "Nguyễn Văn An" in body["evidence"]["students"]
    assert "(học sinh trường khác)" in body["message_vi"]
    officer = world.client.get("/api/v1/conflicts/c-a-shared", headers=world.as_("officer"))
    assert "Trần Thị Bích" in officer.json()["message_vi"]
    # every route that lists conflicts hides the other school's student the same way
    listed = world.client.get("/api/v1/conflicts", headers=world.as_("admin_a"))
    csv = world.client.get("/api/v1/conflicts.csv", headers=world.as_("admin_a"))
    assert listed.status_code == 200 and csv.status_code == 200
    assert "c-a-shared" in listed.text and "c-a-shared" in csv.text
    for marker in B_MARKERS:
        assert marker not in listed.text
        assert marker not in csv.text
    by_officer = world.client.get("/api/v1/conflicts", headers=world.as_("officer"))
    assert "Trần Thị Bích" in by_officer.text
