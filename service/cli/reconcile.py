"""``doisoat reconcile`` and ``doisoat explain RECORD_ID``: adapters over ``reconcile.service``."""

from __future__ import annotations

import json

import typer

from service.cli.dates import parse_night
from service.cli.messages import EXPLAIN


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.command("reconcile")(reconcile_command)
    app.command("explain")(explain_command)


def reconcile_command(
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the store)."),
    night: str | None = typer.Option(None, "--night", help="The night, dd/mm/yyyy or yyyy-mm-dd."),
) -> None:
    """Link the latest snapshots to the registry; write identities, links and conflicts."""
    from doisoat import store
    from reconcile import run_reconcile

    engine = store.open_store(url)
    outcome = run_reconcile(engine, night=parse_night(night))  # refusals: service/cli/__init__
    typer.echo(json.dumps(outcome.summary(), ensure_ascii=False, indent=2))


def explain_command(
    record_id: str = typer.Argument(..., help="A student record id (source:snapshot:local_id)."),
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the store)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Why a record matched what it matched: every scored pair, field by field."""
    from rich.console import Console
    from rich.table import Table

    from doisoat import store
    from reconcile import explain_record

    story = explain_record(store.open_store(url), record_id)
    if as_json:
        typer.echo(json.dumps(story, ensure_ascii=False, indent=2, default=str))
        return
    console = Console()
    if not story["pairs"] and story["identity"] is None:
        console.print(EXPLAIN["unknown"].format(record_id=record_id))
        raise typer.Exit(1)
    ident = story["identity"] or {}
    console.print(EXPLAIN["identity"].format(
        record_id=record_id,
        identity_id=ident.get("identity_id", "?"),
        moet_code=ident.get("moet_code") or EXPLAIN["no_code"],
    ))
    for pair in story["pairs"]:
        other = pair["right_id"] if pair["left_id"] == record_id else pair["left_id"]
        table = Table(title=EXPLAIN["pair"].format(
            other=other, decision=pair["decision"], weight=pair["match_weight"],
            probability=pair["match_probability"],
        ))  # fmt: skip
        for col in EXPLAIN["columns"]:
            table.add_column(col)
        for field in pair["explanation"]:
            table.add_row(field["comparison"], field["level"], f"{field['weight']:+.2f}")
        console.print(table)
    for c in story["conflicts"]:
        console.print(f"[red]{c['type']}[/red] ({c['status']}): {c['message_vi']}")
        console.print(EXPLAIN["fix"].format(fix=c["suggested_fix"]))
