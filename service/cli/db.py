"""``doisoat db upgrade``: bring the store's schema up to date."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="The store (SQLite by default, PostgreSQL by DOISOAT_DATABASE_URL).")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_command(
    url: str | None = typer.Option(
        None, "--url", help="Database URL (default: the configured store)."
    ),
    revision: str = typer.Option("head", "--revision"),
) -> None:
    """Apply the migrations up to REVISION."""
    from doisoat import store

    store.upgrade(url, revision)
    typer.echo(f"Store at {url or store.default_url()} is at revision {revision}.")
