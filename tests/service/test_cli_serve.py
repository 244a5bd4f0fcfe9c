"""``doisoat serve`` behind a reverse proxy: the login cookie is marked Secure when the proxy
(and only the proxy) says the browser came over HTTPS, as the README's deployment section
promises. A real uvicorn server on loopback, started with what the command passes it."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from doisoat import store
from service.api import add_user
from service.cli import app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(monkeypatch, tmp_path, *args: str):
    """Run ``doisoat serve`` with uvicorn.run caught; start the server it asked for."""
    asked: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kw: asked.update(app=app_, **kw))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    url = f"sqlite:///{tmp_path / 's.db'}"
    add_user(store.open_store(url), "lan", "mat-khau-dai", role="district_officer")
    result = CliRunner().invoke(app, ["serve", "--url", url, *args])
    assert result.exit_code == 0, result.output
    config = dict(asked, port=_free_port(), log_level="error")
    server = uvicorn.Server(uvicorn.Config(config.pop("app"), **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{config['port']}"


def _login_cookie(base: str, headers: dict[str, str]) -> str:
    response = httpx.post(f"{base}/login", data={"username": "lan", "password": "mat-khau-dai"},
                          headers=headers)  # fmt: skip
    assert response.status_code == 303, response.text
    return response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("args", "secure_behind_proxy"),
    [((), True), (("--forwarded-allow-ips", "10.9.9.9"), False)],
)
def test_the_cookie_is_secure_only_when_the_trusted_proxy_says_https(
    monkeypatch, tmp_path, args, secure_behind_proxy
) -> None:
    server, thread, base = _serve(monkeypatch, tmp_path, *args)
    try:
        proxied = _login_cookie(base, {"X-Forwarded-Proto": "https"})
        plain = _login_cookie(base, {})
    finally:
        server.should_exit = True
        thread.join(10)
    assert "HttpOnly" in proxied and "SameSite=strict" in proxied.replace("Strict", "strict")
    assert ("Secure" in proxied) is secure_behind_proxy  # a header from elsewhere is not believed
    assert "Secure" not in plain
