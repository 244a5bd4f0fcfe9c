"""``doisoat export``: a province's store, written as its part of the country's Parquet."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli.dates import format_date
from service.cli.messages import EXPORT


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.command("export")(export_command)


def export_command(
    out: Path = typer.Option(
        ..., "--out", help="The country's folder: records/province=PP/ is written (replaced) there."
    ),
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the store)."),
    province: str | None = typer.Option(
        None,
        "--province",
        help="The 2025 province's two digits (79, 01 …); default: the one most of the store's "
        "schools belong to, by their codes.",
    ),
) -> None:
    """Export the latest snapshot of every source and school as Parquet partitioned by
    province, the layout `doisoat country` reads (refusals: service/cli/__init__)."""
    from doisoat import store
    from service.country.export import export_province

    engine = store.open_store(url)
    outcome = export_province(engine, out, province=province)
    night = format_date(outcome.night) if outcome.night else "—"
    typer.echo(
        EXPORT["done"].format(
            records=outcome.records,
            registry=outcome.registry_records,
            vendor=outcome.vendor_records,
            schools=outcome.schools,
            name=outcome.name,
            code=outcome.province,
            night=night,
            folder=out / "records" / f"province={outcome.province}",
        )
    )
    if outcome.other_provinces:
        others = ", ".join(f"{code} ({n})" for code, n in outcome.other_provinces.items())
        typer.echo(EXPORT["other_provinces"].format(others=others, code=outcome.province))
