"""``doisoat nightly``: the whole night, as the district's scheduler runs it."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from service.cli.dates import date_option, parse_night
from service.cli.messages import ERRORS


def register(app: typer.Typer) -> None:
    app.command("nightly")(nightly_command)


def nightly_command(
    inbox: list[Path] = typer.Argument(
        None, help="Export files or folders to ingest tonight (default: the configured inbox)."
    ),
    night: Annotated[
        dt.date | None, date_option("--night", help="The night (default: today, Vietnam time).")
    ] = None,
    url: str | None = typer.Option(
        None, "--url", help="Database URL (default: the configured store)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the outcome as JSON (codes, ISO dates) for programs."
    ),
) -> None:
    """Ingest, check quality, reconcile, update conflicts and write the report — all or nothing.

    Prints the night in words: conflicts new, open and resolved by type, the schools that sent
    nothing and the report's path. The night's steps are logged on stderr.
    """
    from doisoat import store
    from doisoat.errors import DoisoatError
    from service.cli.night_summary import night_standing, render
    from service.config import load_settings
    from service.night.pipeline import run_nightly

    logging.basicConfig(  # the night's steps on stderr, for the scheduler's log
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    settings = load_settings()
    engine = store.open_store(url)
    day = parse_night(night, default_today=True)
    assert day is not None
    try:
        outcome = run_nightly(
            engine, night=day, settings=settings, inbox=list(inbox) if inbox else None
        )
    except DoisoatError as exc:
        typer.echo(ERRORS["refused"].format(problem=exc.message_vi), err=True)
        raise typer.Exit(2) from exc
    standing = night_standing(engine, outcome.night)
    result = outcome.as_dict()
    if as_json:
        typer.echo(json.dumps(result | standing.as_dict(), ensure_ascii=False, indent=2,
                              default=str))  # fmt: skip
    else:
        typer.echo(render(result, standing))
