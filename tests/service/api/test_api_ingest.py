"""An export uploaded through the API lands in the store, audited; a school cannot bring in
another school's rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from service.api import add_user, issue_token
from tests.service.api.world import World, make_world

pytest.importorskip("connectors")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    import simulate
    from simulate.exports import write_district

    district = simulate.generate(300, seed=3, night=dt.date(2025, 3, 10))
    folder = tmp_path_factory.mktemp("exports")
    paths = write_district(district, folder, grades=False, registry=False)
    schools = district.schools["school_code"].to_list()
    files = {s: next(p for p in paths if p.is_file() and s in p.as_posix()) for s in schools}
    return schools, files


@pytest.fixture
def roomy_world(sqlite_engine, tmp_path) -> World:
    return make_world(sqlite_engine, tmp_path)


def _send(world: World, path, school: str, headers: dict):
    return world.client.post(
        "/api/v1/uploads",
        params={"school": school, "filename": path.name, "ingest": "true", "night": "2025-03-10"},
        content=path.read_bytes(),
        headers=headers,
    )


def _count(world: World, sql: str, **params) -> int:
    with world.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_an_uploaded_export_is_imported_and_audited(roomy_world: World, exports) -> None:
    schools, files = exports
    school = schools[0]
    response = _send(roomy_world, files[school], school, roomy_world.as_("officer"))
    assert response.status_code == 201, response.text
    (entry,) = response.json()["ingest"]["files"]
    assert entry["status"] == "loaded", entry
    assert entry["school_code"] == school
    assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"] > 0
    stored = _count(roomy_world, "SELECT count(*) FROM student_record WHERE school_code = :s",
                    s=school)  # fmt: skip
    assert stored == entry["rows_accepted"]
    assert _count(roomy_world, "SELECT count(*) FROM audit_event WHERE action = 'upload.ingested'"
                  " AND actor = 'officer'") == 1  # fmt: skip


def test_a_school_cannot_import_another_schools_export(roomy_world: World, exports) -> None:
    schools, files = exports
    mine, theirs = schools[1], schools[0]
    add_user(roomy_world.engine, "admin_mine", "mật-khẩu-thử", role="school_admin",
             school_code=mine)  # fmt: skip
    headers = {"Authorization": f"Bearer {issue_token(roomy_world.engine, 'admin_mine')}"}
    response = _send(roomy_world, files[theirs], mine, headers)
    assert response.status_code == 403
    assert _count(roomy_world, "SELECT count(*) FROM student_record") == 3  # the world's own
    uploads = roomy_world.client.app.state.files.upload_dir
    assert not any(p.is_file() for p in uploads.rglob("*"))
    own = _send(roomy_world, files[mine], mine, headers)
    assert own.status_code == 201 and own.json()["ingest"]["files"][0]["status"] == "loaded"
