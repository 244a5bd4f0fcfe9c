"""``doisoat serve`` (the web pages and the API) and ``doisoat user add`` / ``doisoat token``."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from service.cli.messages import SIMULATE

user_app = typer.Typer(help="Accounts of the web pages and the API.", no_args_is_help=True)


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
            help="Create a district officer 'demo' and an admin 'admin-<school>' per school, "
            "each with its own random password, printed once (demo stores only).",
        ),
    ] = False,
) -> None:
    """Serve the Vietnamese web pages and the JSON API (OpenAPI at /docs)."""
    import uvicorn

    from doisoat import store
    from service.api import create_app

    engine = store.get_engine(url)
    app = create_app(engine)
    if demo_users:
        _demo_users(engine)
    typer.echo(f"doisoat: http://{host}:{port}/  (API: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


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


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        str, typer.Option("--role", help="district_officer|school_admin|principal|teacher")
    ],
    school: Annotated[
        str | None, typer.Option("--school", help="School code (school roles).")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="Default: a random one, printed once.")
    ] = None,
    full_name: Annotated[str, typer.Option("--full-name")] = "",
    url: Annotated[str | None, typer.Option("--url")] = None,
    token: Annotated[bool, typer.Option("--token", help="Also issue an API token.")] = False,
) -> None:
    """Create a user (or reset their password and role)."""
    from doisoat import store
    from doisoat.errors import ConfigError
    from service.api import add_user
    from service.api.auth import issue_token

    engine = store.open_store(url)
    chosen = password or secrets.token_urlsafe(12)
    try:
        add_user(engine, username, chosen, role=role, school_code=school, full_name=full_name)
    except ConfigError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{username}: {role}{' ' + school if school else ''}")
    if password is None:
        typer.echo(f"password: {chosen}")
    if token:
        typer.echo(f"token: {issue_token(engine, username, label='cli')}")
