"""``doisoat report --night DATE``: the night's HTML report, JSON and school worklists.

A night with no committed run is refused, naming the nearest nights that have one: a report of
a night nobody checked would read «0 vấn đề» and be believed (a day and month typed the wrong
way round is the usual cause, so a swapped date that has a run is offered first).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from service.cli.dates import date_option, format_date, parse_night
from service.cli.messages import REPORT

NEAREST = 3
"""How many nights with a run a refusal names."""


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    night: Annotated[dt.date, date_option("--night", help="The night to report on.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Directory to write into (default: the configured reports_dir/NIGHT)."
        ),
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
    """Write report.html, report.json and `worklists/<school>.xlsx` for NIGHT (a night that has a
    committed run: see `doisoat nightly`)."""
    from doisoat import store
    from doisoat.store import runs
    from reports import check_snapshots, exclusion_reasons, quality_rows, write_night_report
    from service.config import load_settings

    day = parse_night(night, default_today=True)
    assert day is not None
    settings = load_settings()  # a wrong setting is said before any work
    engine = store.open_store(url)
    refuse_night_without_run(engine, day)
    if check_quality:
        results = check_snapshots(engine, day)
        runs.save_quality_results(engine, quality_rows(results, day), day)
        store.exclude_snapshots(engine, exclusion_reasons(results))
        failed = sum(len(r.critical_failures) for r in results)
        typer.echo(REPORT["quality"].format(suites=len(results), failed=failed))
    directory = out or settings.reports_dir / day.isoformat()
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


def refuse_night_without_run(engine: Engine, night: dt.date) -> None:
    """Raise :class:`~doisoat.errors.NotFound` (said by the command group, exit 1) when
    ``night`` has no committed run, naming the nights nearest to it that have one."""
    from doisoat.errors import NotFound
    from doisoat.store import queries, runs

    if runs.committed_run(engine, night) is not None:
        return
    nights = sorted(set(queries.committed_runs_before(engine, dt.date.max)["night"].to_list()))
    message = _no_run_message(night, nights)
    raise NotFound(f"no committed run for night {night.isoformat()}", message_vi=message)


def _no_run_message(night: dt.date, nights: list[dt.date]) -> str:
    said = format_date(night)
    if not nights:
        return REPORT["no_run_at_all"].format(night=said)
    nearest = sorted(sorted(nights, key=lambda n: (abs((n - night).days), n))[:NEAREST])
    message = REPORT["no_run"].format(
        night=said, nearest=", ".join(format_date(n) for n in nearest)
    )
    swapped = _swapped(night)
    if swapped is not None and swapped in nights:
        message += " " + REPORT["swapped"].format(night=format_date(swapped))
    return message


def _swapped(night: dt.date) -> dt.date | None:
    """``night`` with its day and month exchanged, if that is a date and a different one."""
    try:
        other = night.replace(day=night.month, month=night.day)
    except ValueError:
        return None
    return other if other != night else None
