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
    country: bool = typer.Option(
        False,
        "--country",
        help="A whole country instead: the 34 provinces by size, with the moves, duplicates and "
        "shared codes across provinces, written to --out as Parquet partitioned by province "
        "(records, schools, truth, problems, manifest.json) for `doisoat country`.",
    ),
) -> None:
    """Simulate a district with its vendors, registry, grades and the mess of real data."""
    from simulate import generate, write_parquet

    if country:
        _simulate_country(students, seed, out, night=night, hard=hard, load=load)
        return
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


def _simulate_country(
    students: int, seed: int, out: Path | None, *, night: dt.date | None, hard: bool, load: bool
) -> None:
    """``simulate --country``: province by province, so a country of millions fits in memory."""
    from doisoat.errors import ConfigError
    from simulate import write_country

    if out is None:
        raise ConfigError("--country needs --out", message_vi=SIMULATE["country_needs_out"])
    if load:
        raise ConfigError("--country cannot --load", message_vi=SIMULATE["country_no_load"])
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task(SIMULATE["country"], total=34)

        def done(frames) -> None:
            line = SIMULATE["country_province"].format(name=frames.name, students=frames.students)
            progress.update(task, advance=1, description=line)

        manifest = write_country(out, students, seed, night, hard=hard, progress=done)
    summary = {
        "provinces": len(manifest["provinces"]),
        "students": manifest["students"],
        "records": manifest["records"],
        "seconds": round(time.perf_counter() - started, 2),
        "out": str(out),
    }
    typer.echo(json.dumps(summary, ensure_ascii=False))


def demo_command(
    students: int = typer.Option(5_000, "--students", "-n", help="Size of the demo district."),
    seed: int = typer.Option(1, "--seed"),
    out: Path = typer.Option(Path("var") / "demo", "--out", help="Where the exports go."),
) -> None:
    """A whole night on a simulated district: its schools' real export files go through the
    connectors, the linkage and the conflict rules into the store and the report."""
    from doisoat import store
    from doisoat.glossary import label
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
    # In Vietnamese, as the night's summary below; the rows read, accepted and quarantined are
    # in that summary (its «Tệp nhận đêm nay» line), not said twice.
    typer.echo(SIMULATE["demo_simulated"].format(
        records=district.summary()["vendor_records"], schools=district.schools.height,
        files=len(written), exports=exports,
    ))  # fmt: skip
    typer.echo(SIMULATE["demo_store"].format(
        url=store.default_url(), run=outcome.run_id, status=label("run_status", outcome.status),
    ))  # fmt: skip
    typer.echo(SIMULATE["demo_worklists"].format(
        folder=Path(outcome.report_dir or "") / "worklists"
    ))  # fmt: skip
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
