"""``doisoat serve`` (the web pages and the API); the ``doisoat user`` commands are in
:mod:`service.cli.users`."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from service.cli.messages import SIMULATE
from service.cli.users import user_app


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(user_app, name="user")


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    url: Annotated[
        str | None, typer.Option("--url", help="Database URL (default: the store).")
    ] = None,
    demo_users: Annotated[
        bool,
        typer.Option(
            "--demo-users",
            help="Create a district officer 'demo' and an admin 'admin-SCHOOL' per school, "
            "each with its own random password, printed once (demo stores only).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            envvar="FORWARDED_ALLOW_IPS",
            help="Addresses of the reverse proxy whose X-Forwarded-Proto/-For are believed "
            "(default: 127.0.0.1). Behind HTTPS the session cookie is then marked Secure.",
        ),
    ] = None,
) -> None:
    """Serve the Vietnamese web pages and the JSON API (OpenAPI at /docs).

    Reports, uploads and transcripts are read from and written to the parent of the configured
    reports_dir (var/ by default), where `doisoat nightly` puts them.
    """
    import uvicorn

    from doisoat import store
    from service.api import create_app
    from service.config import load_settings

    var_dir = load_settings().reports_dir.parent
    engine = store.get_engine(url)
    app = create_app(engine, var_dir=var_dir)
    if demo_users:
        _demo_users(engine)
    typer.echo(f"doisoat: http://{host}:{port}/  (API: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips)  # fmt: skip


def _demo_users(engine) -> None:
    """A district officer ``demo`` and an ``admin-<school>`` per school, each with a password of
    its own, printed once: one school's password opens no other school's worklist."""
    from sqlalchemy import select

    from doisoat.model import School
    from service.api import add_user

    password = secrets.token_urlsafe(12)
    add_user(
        engine, "demo", password, role="district_officer", full_name=SIMULATE["demo_officer"]
    )
    typer.echo(f"  demo / {password}  (district officer)")
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(select(School.__table__.c.school_code)).all()]
    for code in codes:
        password = secrets.token_urlsafe(12)
        add_user(engine, f"admin-{code}", password, role="school_admin", school_code=code)
        typer.echo(f"  admin-{code} / {password}  (school admin)")
    from service.demo_signing import reset_passwords  # the signing accounts of `make demo`

    for user, password, role in reset_passwords(engine):
        typer.echo(f"  {user} / {password}  ({role}, signs with var/demo/pki/{user}.p12)")
