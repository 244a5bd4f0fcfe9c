"""``doisoat reconcile`` and ``doisoat explain RECORD_ID``: adapters over ``reconcile.service``."""

from __future__ import annotations

import json

import typer

from service.cli.dates import parse_night


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
    from doisoat.errors import DoisoatError
    from reconcile.service import run_reconcile

    engine = store.get_engine(url)
    try:
        outcome = run_reconcile(engine, night=parse_night(night))
    except DoisoatError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(1) from exc
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
    from reconcile.service import explain_record

    story = explain_record(store.get_engine(url), record_id)
    if as_json:
        typer.echo(json.dumps(story, ensure_ascii=False, indent=2, default=str))
        return
    console = Console()
    if not story["pairs"] and story["identity"] is None:
        console.print(f"Không tìm thấy bản ghi {record_id} trong lần đối soát gần nhất.")
        raise typer.Exit(1)
    ident = story["identity"] or {}
    console.print(
        f"[bold]{record_id}[/bold] → danh tính {ident.get('identity_id', '?')} "
        f"(mã định danh {ident.get('moet_code') or 'không có'})"
    )
    for pair in story["pairs"]:
        other = pair["right_id"] if pair["left_id"] == record_id else pair["left_id"]
        table = Table(
            title=f"{other}: {pair['decision']}, trọng số {pair['match_weight']:.2f}, "
            f"xác suất {pair['match_probability']:.6f}"
        )
        for col in ("trường so sánh", "mức", "trọng số"):
            table.add_column(col)
        for field in pair["explanation"]:
            table.add_row(field["comparison"], field["level"], f"{field['weight']:+.2f}")
        console.print(table)
    for c in story["conflicts"]:
        console.print(f"[red]{c['type']}[/red] ({c['status']}): {c['message_vi']}")
        console.print(f"  Đề xuất: {c['suggested_fix']}")
