"""``doisoat ingest PATH…``, ``doisoat pull SOURCE``, ``doisoat inspect FILE``.

Argument parsing and presentation only: the work is done by :mod:`connectors`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from service.cli.dates import date_option, parse_night
from service.cli.messages import INGEST

Night = Annotated[
    dt.date | None, date_option("--night", help="The night (default: today, Vietnam time).")
]
Url = Annotated[str | None, typer.Option("--url", help="Database URL (default: the store).")]
Profiles = Annotated[Path | None, typer.Option("--profiles", help="Folder of adapted profiles.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _night(value: dt.date | None) -> dt.date:
    day = parse_night(value, default_today=True)
    assert day is not None
    return day


def _profiles(directory: Path | None):
    from connectors import profiles_from

    return profiles_from(directory)


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.command("ingest")(ingest_command)
    app.command("pull")(pull_command)
    app.command("inspect")(inspect_command)


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders of them.")],
    night: Night = None,
    url: Url = None,
    profiles: Profiles = None,
    as_json: AsJson = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=0, help="Processes reading files (0: one per CPU).")] = 0,
) -> None:
    """Import vendors' and the sector database's export files into the store."""
    from connectors import ingest_paths
    from doisoat import store

    engine = store.open_store(url)
    summary = ingest_paths(paths, engine=engine, night=_night(night),
                           profiles=_profiles(profiles), workers=workers or os.cpu_count() or 1,
                           bulk=True)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        for entry in summary.files:
            mark = {"loaded": "✓", "skipped": "=", "refused": "✗"}[entry.status]
            typer.echo(f"{mark} {entry.path} [{entry.source or '-'}] {entry.message_vi}")
        typer.echo(summary.message_vi())
    if summary.refused:
        raise typer.Exit(code=1)


def pull_command(
    source: Annotated[str, typer.Argument(help="smas, vnedu or moet (sources with an [api]).")],
    base_url: Annotated[str, typer.Option("--base-url", envvar="DOISOAT_PULL_BASE_URL")],
    night: Night = None,
    url: Url = None,
    user: Annotated[str | None, typer.Option("--user", envvar="DOISOAT_PULL_USER")] = None,
    full: Annotated[bool, typer.Option("--full", help="Ignore the saved cursor.")] = False,
    deadline: Annotated[float, typer.Option("--deadline", help="Seconds for the pull.")] = 600.0,
) -> None:
    """Pull a source's changed students over HTTP (incremental, resumable).

    The password (DOISOAT_PULL_PASSWORD) or a ready token (DOISOAT_PULL_TOKEN) come from the
    environment, never from the command line.
    """
    import httpx

    from connectors import pull
    from doisoat import store

    engine = store.open_store(url)
    password = os.environ.get("DOISOAT_PULL_PASSWORD")
    token = os.environ.get("DOISOAT_PULL_TOKEN")
    credentials = (user, password) if user and password else None
    with httpx.Client(base_url=base_url) as client:  # a SourceError: see service/cli/__init__
        summary = pull(source, engine=engine, client=client, night=_night(night),
                       token=token, credentials=credentials, deadline_seconds=deadline,
                       full=full)
    resumed = INGEST["resumed"] if summary.resumed else ""
    typer.echo(INGEST["pulled"].format(
        source=source, pages=summary.pages, resumed=resumed, summary=summary.message_vi()
    ))


def inspect_command(
    file: Annotated[Path, typer.Argument(help="One export file.")],
    profiles: Profiles = None,
    night: Night = None,
    as_json: AsJson = False,
) -> None:
    """Which vendor, which sheets, the header found, the column mapping, samples, problems."""
    from connectors import describe, read_export

    read = read_export(file, profiles=_profiles(profiles), night=_night(night))
    report = describe(read)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(INGEST["file"].format(
        file=file, format=report["format"], encoding=report["encoding"]
    ))
    typer.echo(INGEST["source"].format(source=report["source"], detection=report["detection"]))
    shown: set[tuple] = set()
    for sheet in report["tables"]:
        typer.echo(INGEST["sheet"].format(
            sheet=sheet["sheet"], kind=sheet["kind"], header_row=sheet["header_row"],
            header_rows=sheet["header_rows"], rows=sheet["rows"],
        ))  # fmt: skip
        layout = (sheet["kind"], tuple(sorted(sheet["columns"].items())))
        if layout in shown:
            continue  # same mapping as a sheet above: not repeated
        shown.add(layout)
        for name, (header, confidence) in sheet["columns"].items():
            typer.echo(f"    {name:22} ← «{header}»  {confidence:.0%}")
        if sheet["grade_columns"]:
            typer.echo(INGEST["grade_columns"].format(count=sheet["grade_columns"]))
    if report["unmatched_sheets"]:
        typer.echo(INGEST["unmatched"].format(sheets=", ".join(report["unmatched_sheets"])))
    typer.echo(INGEST["samples"])
    for row in report["samples"]:
        typer.echo("  " + json.dumps(row, ensure_ascii=False, default=str))
    typer.echo(INGEST["problems"].format(count=len(report["problems"])))
    for problem in report["problems"][:50]:
        typer.echo(INGEST["problem"].format(
            sheet=problem["sheet"], row=problem["row"], reason=problem["reason_vi"]
        ))
    typer.echo(report["summary"])
