"""A province's night end to end on SQLite: the issue-5 target is 1 M students in under 10 min.

Setup (not timed): simulate the district and load it into a fresh store. Timed: one
``run_nightly`` — quality checks, linkage, every conflict family, the lifecycle, the report and
every school's worklist — then, as a second figure, the same night again (idempotent: nothing
to do). Prints JSON with seconds, peak memory and conflicts by type.

    .venv/bin/python -m bench.bench_nightly 100000
    .venv/bin/python -m bench.bench_nightly 1000000
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench._measure import peak_rss_mib
from doisoat import store
from doisoat.config import Settings
from doisoat.pipeline import run_nightly
from simulate import generate
from simulate.load import load_district

QUICK_ARGS = [20_000]
TARGET_SECONDS_1M = 600


def one(students: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{Path(tmp) / 'night.db'}")
        store.upgrade(engine)
        district = generate(students, seed=3)
        load_district(engine, district)
        settings = Settings(reports_dir=Path(tmp) / "reports")
        started = time.perf_counter()
        outcome = run_nightly(engine, night=district.night, settings=settings)
        night_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = run_nightly(engine, night=district.night, settings=settings)
        rerun_seconds = time.perf_counter() - started
        engine.dispose()
    result = {
        "students": students,
        "night_seconds": round(night_seconds, 1),
        "rerun_seconds": round(rerun_seconds, 1),
        "rerun_status": again.status,
        "peak_rss_mib": peak_rss_mib(),
        "conflicts": outcome.conflicts,
    }
    if students >= 1_000_000:
        result["meets_target"] = night_seconds < TARGET_SECONDS_1M
    return result


def main(sizes: list[int]) -> None:
    for size in sizes:
        print(json.dumps(one(size), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
