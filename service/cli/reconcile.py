"""``doisoat reconcile`` and ``doisoat explain KEY`` (:mod:`service.cli.explain`): adapters over
``reconcile.service``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from service.cli.dates import date_option, parse_night
from service.cli.explain import explain_command


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.command("reconcile")(reconcile_command)
    app.command("explain")(explain_command)


def reconcile_command(
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the store)."),
    night: Annotated[
        dt.date | None, date_option("--night", help="The night (default: today, Vietnam time).")
    ] = None,
) -> None:
    """Link the latest snapshots to the registry; write identities, links and conflicts."""
    from doisoat import store
    from reconcile import run_reconcile

    engine = store.open_store(url)
    day = parse_night(night, default_today=True)
    outcome = run_reconcile(engine, night=day)  # refusals: service/cli/__init__
    typer.echo(json.dumps(outcome.summary(), ensure_ascii=False, indent=2))
