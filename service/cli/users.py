"""``doisoat user add|list|disable|enable``: the accounts of the web pages and the API.

Adapters over :mod:`service.api.auth`, which owns how accounts, tokens and page sessions are
stored (and audits a disabled account in the same transaction): nothing here touches a table.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated

import typer

from service.cli.messages import USERS, USERS_COLUMNS

user_app = typer.Typer(help="Accounts of the web pages and the API.", no_args_is_help=True)

Url = Annotated[str | None, typer.Option("--url", help="Database URL (default: the store).")]


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
    url: Url = None,
    token: Annotated[bool, typer.Option("--token", help="Also issue an API token.")] = False,
) -> None:
    """Create a user (or reset their password and role, which also re-enables a disabled one)."""
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


@user_app.command("list")
def user_list(
    url: Url = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, with codes.")] = False,
) -> None:
    """Every account: role, school, whether it is active, its live API tokens and sessions."""
    from doisoat import store
    from doisoat.glossary import label
    from service.api.auth import list_users

    users = list_users(store.open_store(url))
    if as_json:
        for user in users:
            typer.echo(json.dumps(user, ensure_ascii=False, default=str))
        return
    if not users:
        typer.echo(USERS["none"])
        return
    rows = [USERS_COLUMNS] + [
        (
            str(u["username"]),
            str(u["full_name"] or "—"),
            label("role", str(u["role"])),
            str(u["school_code"] or USERS["district"]),
            USERS["active"] if u["active"] else USERS["disabled"],
            str(u["tokens"]),
            str(u["sessions"]),
        )
        for u in users
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument()],
    by: Annotated[str, typer.Option("--by", help="Who disables it (kept in the audit trail).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
    url: Url = None,
) -> None:
    """Disable an account and revoke its API tokens and page sessions (audited).

    It can no longer sign in, and a running server stops honouring its tokens and sessions within
    15 seconds. `doisoat user enable` lets it sign in again.
    """
    from doisoat import store
    from service.api.auth import disable_user

    # an unknown name is a NotFound: said in Vietnamese by the command group (exit 1)
    revoked = disable_user(store.open_store(url), username, actor=by, reason=reason)
    typer.echo(USERS["disabled_done"].format(username=username, revoked=revoked))


@user_app.command("enable")
def user_enable(
    username: Annotated[str, typer.Argument()],
    by: Annotated[str, typer.Option("--by", help="Who enables it (kept in the audit trail).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
    url: Url = None,
) -> None:
    """Let a disabled account sign in again with its password (audited).

    Its revoked tokens stay revoked: issue new ones with `doisoat user add ... --token`.
    """
    from doisoat import store
    from service.api.auth import enable_user

    enable_user(store.open_store(url), username, actor=by, reason=reason)
    typer.echo(USERS["enabled_done"].format(username=username))
