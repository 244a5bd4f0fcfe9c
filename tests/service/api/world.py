"""A small two-school district with users of every role, and the app over it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from doisoat.model import Conflict, School, StudentRecord, UserAccount
from service.api import create_app, issue_token
from service.api.auth import hash_password

NIGHT = dt.date(2025, 3, 10)
SCHOOL_A, SCHOOL_B = "79760101", "79760202"
# Names only school B's records carry: they must never reach school A's users.
B_MARKERS = ("Trần Thị Bích", "B-LOCAL-77", "7976020299")


def _record(rid: str, school: str, source: str, name: str, code: str, dob: dt.date, **kw):
    family, *rest = name.split()
    return StudentRecord(
        record_id=rid, source=source, snapshot_id=1, school_code=school,
        local_id=kw.pop("local_id", rid.split(":")[-1]), moet_code=code, full_name=name,
        family_name=family, middle_name=" ".join(rest[:-1]), given_name=rest[-1], dob=dob,
        gender=kw.pop("gender", "F"), school_year="2024-2025", grade=7, class_name="7A1", **kw,
    )  # fmt: skip


def _conflict(cid: str, school: str | None, ctype: str, severity: str, ids: list[str], **kw):
    return Conflict(
        conflict_id=cid, type=ctype, severity=severity, school_code=school,
        record_ids=json.dumps(ids), evidence=json.dumps(kw.pop("evidence", {})),
        suggested_fix=kw.pop("suggested_fix", "Sửa mã định danh theo CSDL ngành."),
        message_vi=kw.pop("message_vi", f"Xung đột {ctype}"), status=kw.pop("status", "new"),
        first_seen=NIGHT, last_seen=NIGHT, **kw,
    )  # fmt: skip


def populate(engine: Engine) -> None:
    from sqlmodel import Session

    with Session(engine) as session:
        for code, name in ((SCHOOL_A, "THCS Lê Lợi"), (SCHOOL_B, "THCS Nguyễn Du")):
            session.add(School(school_code=code, name=name, level="thcs", province_code="79",
                               vendor="smas"))  # fmt: skip
        session.add_all([
            _record("smas:1:A1", SCHOOL_A, "smas", "Nguyễn Văn An", "7976010101",
                    dt.date(2012, 5, 1), gender="M"),
            _record("moet:2:A1", SCHOOL_A, "moet", "Nguyễn Văn An", "7976010199",
                    dt.date(2012, 1, 5), gender="M"),
            _record("smas:1:B1", SCHOOL_B, "smas", "Trần Thị Bích", "7976020299",
                    dt.date(2012, 7, 9), local_id="B-LOCAL-77"),
        ])  # fmt: skip
        session.add_all([
            _conflict("c-a-mismatch", SCHOOL_A, "ID_MISMATCH", "critical",
                      ["smas:1:A1", "moet:2:A1"],
                      evidence={"moet_code": {"vendor": "7976010101", "registry": "7976010199"}}),
            _conflict("c-a-drift", SCHOOL_A, "DEMOGRAPHIC_DRIFT", "medium", ["smas:1:A1"],
                      message_vi="=HYPERLINK(\"http://evil.example\",\"bấm\")"),
            _conflict("c-b-shared", SCHOOL_B, "ID_SHARED", "high", ["smas:1:B1"],
                      message_vi="Mã 7976020299 của Trần Thị Bích dùng chung",
                      evidence={"name": "Trần Thị Bích"}),
            _conflict("c-district", None, "SYNC_OVERDUE", "low", []),
        ])  # fmt: skip
        session.commit()


@dataclass
class World:
    engine: Engine
    client: TestClient
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


USERS = {
    "officer": ("district_officer", None),
    "admin_a": ("school_admin", SCHOOL_A),
    "admin_b": ("school_admin", SCHOOL_B),
    "teacher_a": ("teacher", SCHOOL_A),
}
PASSWORD = "mật-khẩu-đủ-dài-2025"


_NOW = dt.datetime(2025, 3, 10, tzinfo=dt.UTC)


@functools.cache
def _password_hash() -> str:
    """argon2 is slow on purpose: hash the test password once per session."""
    return hash_password(PASSWORD)


def make_world(engine: Engine, tmp_path, **app_kw) -> World:
    populate(engine)
    app = create_app(engine, var_dir=tmp_path / "var", **app_kw)
    tokens = {}
    with Session(engine) as session:
        for user, (role, school) in USERS.items():
            session.add(
                UserAccount(
                    username=user,
                    role=role,
                    school_code=school,
                    password_hash=_password_hash(),
                    created_at=_NOW,
                )
            )
        session.commit()
    for user in USERS:
        tokens[user] = issue_token(engine, user)
    return World(engine, TestClient(app), tokens)
