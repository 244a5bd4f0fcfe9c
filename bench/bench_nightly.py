"""A province's night end to end on SQLite: the issue-5 target is 1 M students in under 10 min.

Setup (not timed, in a child process of its own): simulate the district and load it into a
fresh store. Timed, in a second child process whose peak memory is the night's own: one
``run_nightly`` — quality checks, linkage, every conflict family, the lifecycle, the report and
every school's worklist — then, as a second figure, the same night again (idempotent: nothing
to do). Prints JSON with seconds, peak memory and conflicts by type.

    .venv/bin/python -m bench.bench_nightly 100000
    .venv/bin/python -m bench.bench_nightly 1000000
    .venv/bin/python -m bench.bench_nightly 1000000 --second-night   # and the next night
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench._measure import measure, peak_rss_mib
from doisoat import store
from reports import write_night_report
from service.config import Settings
from service.night.pipeline import run_nightly
from simulate import generate, next_night
from simulate.load import load_district

QUICK_ARGS = [20_000]
TARGET_SECONDS_1M = 600


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _overnight(district):
    """The next night: every school exports again; 0.5 % of students corrected (a new given
    name), 0.2 % gone, and the locked-grade edits of ``next_night``."""
    after = next_night(district)
    rows = after.records.with_row_index("__i")
    vendor = pl.col("source") != "moet"
    after.records = (
        rows.with_columns(
            pl.when(vendor & (pl.col("__i") % 200 == 7))
            .then(pl.lit("Khuê"))
            .otherwise(pl.col("given_name"))
            .alias("given_name")
        )
        .filter(~(vendor & (pl.col("__i") % 500 == 11)))
        .drop("__i")
    )
    return after


def setup(students: int, db: str, second: bool = False) -> dict:
    """Child process: simulate the district and load it (not timed by the target); with
    ``second``, load the next night's exports of the same district instead."""
    started = time.perf_counter()
    engine = store.get_engine(f"sqlite:///{db}")
    store.upgrade(engine)
    district = generate(students, seed=3)
    if second:
        district = _overnight(district)
    load_district(engine, district)
    engine.dispose()
    return {
        "night": district.night.isoformat(),
        "setup_seconds": round(time.perf_counter() - started, 1),
        "setup_peak_rss_mib": peak_rss_mib(),
    }


def night(db: str, night_iso: str, reports: str) -> dict:
    """Child process: the night, then the same night again; its peak memory is the night's own."""
    engine = store.get_engine(f"sqlite:///{db}")
    settings = Settings(reports_dir=Path(reports))
    when = dt.date.fromisoformat(night_iso)
    started, cpu = time.perf_counter(), _cpu()
    outcome = run_nightly(engine, night=when, settings=settings)
    night_seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    started = time.perf_counter()
    again = run_nightly(engine, night=when, settings=settings)
    rerun_seconds = time.perf_counter() - started
    # issue 7's figure from the store: the report and every school's worklist, as
    # `doisoat report --night` writes them
    started = time.perf_counter()
    write_night_report(engine, when, Path(reports) / "from-store")
    report_seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "night_seconds": round(night_seconds, 1),
        "night_cpu_seconds": round(cpu, 1),
        "rerun_seconds": round(rerun_seconds, 1),
        "rerun_status": again.status,
        "report_from_store_seconds": round(report_seconds, 1),
        "peak_rss_mib": peak_rss_mib(),
        "identity": _identity_summary(engine),
        "conflicts": outcome.conflicts,
    }


def _identity_summary(engine) -> dict:
    runs = store.read_table(engine, "run", "status = 'committed'").sort("id")
    identity = json.loads(runs["summary"][-1]).get("identity", {})
    return {k: identity.get(k) for k in ("incremental", "changes", "scored_pairs")}


def one(students: int, second: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "night.db")
        prepared = measure("bench.bench_nightly", "--setup", str(students), db)
        result = {"students": students, **prepared}
        result |= measure("bench.bench_nightly", "--night", db, prepared["night"], f"{tmp}/reports")
        if second:
            again = measure("bench.bench_nightly", "--setup2", str(students), db)
            nxt = measure("bench.bench_nightly", "--night", db, again["night"], f"{tmp}/reports")
            result["second_night"] = {
                k: nxt[k]
                for k in ("night_seconds", "night_cpu_seconds", "peak_rss_mib", "identity")
            }
    if students >= 1_000_000:
        result["meets_target"] = result["night_seconds"] < TARGET_SECONDS_1M
    return result


def main(sizes: list[int], second: bool = False) -> None:
    for size in sizes:
        print(json.dumps(one(size, second), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        print(json.dumps(setup(int(sys.argv[2]), sys.argv[3])))
    elif sys.argv[1:2] == ["--setup2"]:
        print(json.dumps(setup(int(sys.argv[2]), sys.argv[3], second=True)))
    elif sys.argv[1:2] == ["--night"]:
        print(json.dumps(night(*sys.argv[2:5]), ensure_ascii=False))
    else:
        second_night = "--second-night" in sys.argv
        sizes = [int(a) for a in sys.argv[1:] if a != "--second-night"]
        main(sizes or [100_000], second_night)
