"""``doisoat report --night DATE``: the night's HTML report, JSON and school worklists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.dates import parse_night
from service.cli.messages import REPORT


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    night: Annotated[str, typer.Option("--night", help="The night to report on (YYYY-MM-DD).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory to write into (default: var/reports/<night>)."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Database URL (default: the store).")
    ] = None,
    check_quality: Annotated[
        bool,
        typer.Option("--check-quality", help="Run the data-quality suites on the night first."),
    ] = False,
    no_worklists: Annotated[
        bool, typer.Option("--no-worklists", help="Skip the .xlsx worklists.")
    ] = False,
) -> None:
    """Write report.html, report.json and worklists/<school>.xlsx for NIGHT."""
    from doisoat import store
    from doisoat.store import runs
    from reports import check_snapshots, exclusion_reasons, quality_rows, write_night_report

    day = parse_night(night, default_today=True)
    engine = store.open_store(url)
    if check_quality:
        results = check_snapshots(engine, day)
        runs.save_quality_results(engine, quality_rows(results, day), day)
        store.exclude_snapshots(engine, exclusion_reasons(results))
        failed = sum(len(r.critical_failures) for r in results)
        typer.echo(REPORT["quality"].format(suites=len(results), failed=failed))
    directory = out or Path("var") / "reports" / day.isoformat()
    files = write_night_report(engine, day, directory, worklists=not no_worklists)
    summary = files.report["summary"]
    typer.echo(
        REPORT["done"].format(
            html=files.html,
            json=files.json,
            worklists=len(files.worklists),
            schools=summary["schools"],
            conflicts=summary["conflicts_open"],
        )
    )
