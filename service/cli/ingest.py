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

Night = Annotated[str | None, typer.Option("--night", help="Night (YYYY-MM-DD), default today.")]
Url = Annotated[str | None, typer.Option("--url", help="Database URL (default: the store).")]
Profiles = Annotated[Path | None, typer.Option("--profiles", help="Folder of adapted profiles.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _night(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else dt.date.today()


def _profiles(directory: Path | None):
    from connectors.profile import profiles_from

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

    engine = store.get_engine(url)
    store.init_db(engine)
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

    from connectors.http import pull
    from doisoat import store
    from doisoat.errors import SourceError

    engine = store.get_engine(url)
    store.init_db(engine)
    password = os.environ.get("DOISOAT_PULL_PASSWORD")
    token = os.environ.get("DOISOAT_PULL_TOKEN")
    credentials = (user, password) if user and password else None
    try:
        with httpx.Client(base_url=base_url) as client:
            summary = pull(source, engine=engine, client=client, night=_night(night),
                           token=token, credentials=credentials, deadline_seconds=deadline,
                           full=full)
    except SourceError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(code=1) from exc
    resumed = " (tiếp tục lần tải dở)" if summary.resumed else ""
    typer.echo(f"{source}: {summary.pages} trang{resumed}. {summary.message_vi()}")


def inspect_command(
    file: Annotated[Path, typer.Argument(help="One export file.")],
    profiles: Profiles = None,
    night: Night = None,
    as_json: AsJson = False,
) -> None:
    """Which vendor, which sheets, the header found, the column mapping, samples, problems."""
    from connectors import read_export
    from connectors.inspect import describe
    from doisoat.errors import SourceError

    try:
        read = read_export(file, profiles=_profiles(profiles), night=_night(night))
    except SourceError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(code=1) from exc
    report = describe(read)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(f"Tệp: {file}  định dạng: {report['format']}  bảng mã: {report['encoding']}")
    typer.echo(f"Nguồn: {report['source']}  (điểm nhận dạng: {report['detection']})")
    shown: set[tuple] = set()
    for sheet in report["tables"]:
        typer.echo(f"- Trang «{sheet['sheet']}» ({sheet['kind']}): tiêu đề ở dòng "
                   f"{sheet['header_row']} ({sheet['header_rows']} dòng), "
                   f"{sheet['rows']} dòng dữ liệu")
        layout = (sheet["kind"], tuple(sorted(sheet["columns"].items())))
        if layout in shown:
            continue  # same mapping as a sheet above: not repeated
        shown.add(layout)
        for name, (header, confidence) in sheet["columns"].items():
            typer.echo(f"    {name:22} ← «{header}»  {confidence:.0%}")
        if sheet["grade_columns"]:
            typer.echo(f"    + {sheet['grade_columns']} cột điểm theo môn")
    if report["unmatched_sheets"]:
        typer.echo(f"Trang không nhận ra: {', '.join(report['unmatched_sheets'])}")
    typer.echo("Năm dòng mẫu (lược đồ chuẩn):")
    for row in report["samples"]:
        typer.echo("  " + json.dumps(row, ensure_ascii=False, default=str))
    typer.echo(f"Vấn đề ({len(report['problems'])}):")
    for problem in report["problems"][:50]:
        typer.echo(f"  trang «{problem['sheet']}» dòng {problem['row']}: {problem['reason_vi']}")
    typer.echo(report["summary"])
