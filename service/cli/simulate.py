"""``doisoat simulate`` and ``doisoat demo``."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from service.cli.dates import date_option
from service.cli.messages import SIMULATE

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
    app.command("demo")(demo_command)


def simulate_command(
    students: int = typer.Option(
        10_000, "--students", "-n", help="How many students (1 k to 2 M)."
    ),
    seed: int = typer.Option(1, "--seed", help="Same seed, same district."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the simulated district (Parquet tables and ground truth)."
    ),
    load: bool = typer.Option(False, "--load", help="Also load it into the store."),
    night: Annotated[
        dt.date | None, date_option("--night", help="The night the exports are of.")
    ] = None,
    hard: bool = typer.Option(
        False, "--hard", help="A province as hard as the field: absent students, twins, namesakes."
    ),
) -> None:
    """Simulate a district with its vendors, registry, grades and the mess of real data."""
    from simulate import generate, write_parquet

    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task(SIMULATE["simulating"], total=None)
        district = generate(students, seed=seed, night=night, hard=hard)
        progress.update(task, description=SIMULATE["simulated"])
        if out is not None:
            write_parquet(district, out)
        if load:
            _load(district, progress)
    summary = district.summary() | {"seconds": round(time.perf_counter() - started, 2)}
    if out is not None:
        summary["out"] = str(out)
    typer.echo(json.dumps(summary, ensure_ascii=False))


def demo_command(
    students: int = typer.Option(5_000, "--students", "-n", help="Size of the demo district."),
    seed: int = typer.Option(1, "--seed"),
    out: Path = typer.Option(Path("var") / "demo", "--out", help="Where the exports go."),
) -> None:
    """A whole night on a simulated district: its schools' real export files go through the
    connectors, the linkage and the conflict rules into the store and the report."""
    from doisoat import store
    from service.cli.night_summary import night_standing, render
    from service.config import load_settings
    from service.night.pipeline import run_nightly
    from simulate import generate, load_school_directory, write_district

    with _progress() as progress:
        task = progress.add_task(SIMULATE["simulating"], total=None)
        district = generate(students, seed=seed)
        progress.update(task, description=SIMULATE["writing_exports"])
        exports = out / "exports"
        written = write_district(district, exports)
        progress.update(task, description=SIMULATE["night"])
        engine = store.open_store()
        load_school_directory(engine, district)
        outcome = run_nightly(
            engine, night=district.night, settings=load_settings(), inbox=[exports]
        )
    typer.echo(
        f"Simulated {district.summary()['vendor_records']} vendor records in "
        f"{district.schools.height} schools; wrote {len(written)} export files to {exports}."
    )
    typer.echo(f"Store: {store.default_url()}  (run {outcome.run_id}, {outcome.status})")
    if outcome.ingest:
        typer.echo(
            f"Ingested {outcome.ingest['rows_read']} rows: {outcome.ingest['rows_accepted']} "
            f"accepted, {outcome.ingest['rows_quarantined']} quarantined."
        )
    typer.echo(f"Worklists: {Path(outcome.report_dir or '') / 'worklists'}")
    typer.echo()
    typer.echo(render(outcome.as_dict(), night_standing(engine, outcome.night)))


def _load(district, progress):
    from doisoat import store
    from simulate import load_district

    engine = store.open_store()
    task = progress.add_task(SIMULATE["loading"], total=None)
    return load_district(engine, district, progress=lambda _s, n: progress.advance(task, n))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
