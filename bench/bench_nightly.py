"""A province's night end to end on SQLite: the issue-5 target is 1 M students in under 10 min.

Setup (not timed, in a child process of its own): simulate the district and load it into a
fresh store. Timed, in a second child process whose peak memory is the night's own: one
``run_nightly`` — quality checks, linkage, every conflict family, the lifecycle, the report and
every school's worklist — then, as a second figure, the same night again (idempotent: nothing
to do). Prints JSON with seconds, peak memory and conflicts by type.

    .venv/bin/python -m bench.bench_nightly 100000
    .venv/bin/python -m bench.bench_nightly 1000000
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench._measure import measure, peak_rss_mib
from doisoat import store
from doisoat.config import Settings
from doisoat.pipeline import run_nightly
from reports import write_night_report
from simulate import generate
from simulate.load import load_district

QUICK_ARGS = [20_000]
TARGET_SECONDS_1M = 600


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def setup(students: int, db: str) -> dict:
    """Child process: simulate the district and load it (not timed by the target)."""
    started = time.perf_counter()
    engine = store.get_engine(f"sqlite:///{db}")
    store.upgrade(engine)
    district = generate(students, seed=3)
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
        "conflicts": outcome.conflicts,
    }


def one(students: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "night.db")
        prepared = measure("bench.bench_nightly", "--setup", str(students), db)
        result = {"students": students, **prepared}
        result |= measure("bench.bench_nightly", "--night", db, prepared["night"], f"{tmp}/reports")
    if students >= 1_000_000:
        result["meets_target"] = result["night_seconds"] < TARGET_SECONDS_1M
    return result


def main(sizes: list[int]) -> None:
    for size in sizes:
        print(json.dumps(one(size), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        print(json.dumps(setup(int(sys.argv[2]), sys.argv[3])))
    elif sys.argv[1:2] == ["--night"]:
        print(json.dumps(night(*sys.argv[2:5]), ensure_ascii=False))
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000])
