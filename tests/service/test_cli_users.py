"""``doisoat user list|disable|enable``: a disabled account can no longer sign in, its API tokens
and page sessions stop working at once, and the audit trail says who disabled it and why."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from doisoat import store
from doisoat.errors import NotFound
from service.api import add_user, authenticate, create_app, issue_token
from service.api.audit import events
from service.api.auth import disable_user, enable_user, list_users, principal_for_token
from service.cli import app

runner = CliRunner()


def test_disabling_revokes_tokens_and_sessions_and_is_audited(engine) -> None:
    """On every backend: the functions the command calls."""
    add_user(engine, "hieu", "mat-khau-1", role="school_admin", school_code="79000001")
    add_user(engine, "lan", "mat-khau-2", role="district_officer", full_name="Nguyễn Thị Lan")
    api = issue_token(engine, "hieu", label="cli")
    session = issue_token(engine, "hieu", kind="session", hours=12)
    other = issue_token(engine, "lan")
    assert principal_for_token(engine, api) is not None  # looked up, and cached

    assert disable_user(engine, "hieu", actor="lan", reason="chuyển công tác") == 2

    assert principal_for_token(engine, api) is None  # the cache does not keep it alive
    assert principal_for_token(engine, session, kind="session") is None
    assert authenticate(engine, "hieu", "mat-khau-1") is None
    assert principal_for_token(engine, other) is not None  # nobody else is touched
    listed = {u["username"]: u for u in list_users(engine)}
    assert (listed["hieu"]["active"], listed["hieu"]["tokens"], listed["hieu"]["sessions"]) == (
        False, 0, 0,
    )  # fmt: skip
    assert (listed["lan"]["active"], listed["lan"]["tokens"]) == (True, 1)
    assert "password_hash" not in listed["hieu"]
    (event,) = events(engine, entity="user", entity_id="hieu")
    assert (event["actor"], event["action"], event["reason"]) == (
        "lan", "user.disabled", "chuyển công tác",
    )  # fmt: skip
    with pytest.raises(NotFound) as missing:
        disable_user(engine, "nobody", actor="lan")
    assert missing.value.message_vi == "Không có tài khoản «nobody»."

    enable_user(engine, "hieu", actor="lan", reason="quay lại")
    assert authenticate(engine, "hieu", "mat-khau-1") is not None  # the same password again
    assert principal_for_token(engine, api) is None  # the revoked token does not come back
    assert [e["action"] for e in events(engine, entity="user")] == [
        "user.enabled", "user.disabled",
    ]  # fmt: skip


def test_the_commands_list_and_disable_and_the_api_refuses_the_token(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    added = runner.invoke(app, ["user", "add", "hieu", "--role", "school_admin", "--school",
                                "79000001", "--url", url, "--token"])  # fmt: skip
    assert added.exit_code == 0, added.output
    token = added.stdout.split("token: ")[1].split()[0]
    client = TestClient(create_app(store.get_engine(url), var_dir=tmp_path))
    me = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=me).status_code == 200

    listed = runner.invoke(app, ["user", "list", "--url", url])
    assert listed.exit_code == 0, listed.output
    header, row = listed.stdout.splitlines()
    assert header.split()[:2] == ["Tên", "đăng"]
    assert row.split() == ["hieu", "—", "Quản", "trị", "nhà", "trường", "79000001", "đang",
                           "hoạt", "động", "1", "0"]  # fmt: skip

    done = runner.invoke(app, ["user", "disable", "hieu", "--by", "lan", "--reason", "nghỉ",
                               "--url", url])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "Đã khóa tài khoản «hieu»; đã thu hồi 1 mã truy cập và phiên đăng nhập.\n"
    )
    assert client.get("/api/v1/me", headers=me).status_code == 401
    (user,) = [json.loads(line) for line in
               runner.invoke(app, ["user", "list", "--json", "--url", url]).stdout.splitlines()]
    assert (user["role"], user["active"], user["tokens"]) == ("school_admin", False, 0)

    enabled = runner.invoke(app, ["user", "enable", "hieu", "--by", "lan", "--reason", "về",
                                  "--url", url])  # fmt: skip
    assert enabled.stdout == "Đã mở lại tài khoản «hieu»; đăng nhập bằng mật khẩu cũ.\n"
    assert client.get("/api/v1/me", headers=me).status_code == 401  # its old token stays dead

    unknown = runner.invoke(app, ["user", "disable", "hieu2", "--by", "lan", "--reason", "x",
                                  "--url", url])  # fmt: skip
    assert unknown.exit_code == 1
    assert unknown.output == "Lỗi: Không có tài khoản «hieu2».\n"
