"""``doisoat nightly``: the whole night, as the district's scheduler runs it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from service.cli.dates import parse_night
from service.cli.messages import ERRORS


def register(app: typer.Typer) -> None:
    app.command("nightly")(nightly_command)


def nightly_command(
    inbox: list[Path] = typer.Argument(
        None, help="Export files or folders to ingest tonight (default: the configured inbox)."
    ),
    night: str | None = typer.Option(
        None, "--night", help="The night, dd/mm/yyyy (default: today, Vietnam time)."
    ),
    url: str | None = typer.Option(
        None, "--url", help="Database URL (default: the configured store)."
    ),
) -> None:
    """Ingest, check quality, reconcile, update conflicts and write the report — all or nothing."""
    from doisoat import store
    from doisoat.errors import DoisoatError
    from service.config import load_settings
    from service.night.pipeline import run_nightly, vietnam_today

    logging.basicConfig(  # the night's steps on stderr, for the scheduler's log
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    settings = load_settings()
    engine = store.open_store(url)
    try:
        outcome = run_nightly(
            engine,
            night=parse_night(night) or vietnam_today(),
            settings=settings,
            inbox=list(inbox) if inbox else None,
        )
    except DoisoatError as exc:
        typer.echo(ERRORS["refused"].format(problem=exc.message_vi), err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2, default=str))
