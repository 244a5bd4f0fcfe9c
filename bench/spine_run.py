"""One measured run: simulate N students and load them into a fresh store (child process)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench._measure import peak_rss_mib
from doisoat import store
from simulate import generate
from simulate.load import load_district


def main(students: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        district = generate(students, seed=42)
        simulated = time.perf_counter()
        engine = store.get_engine(url)
        store.upgrade(engine)
        summary = load_district(engine, district)
        loaded = time.perf_counter()
        if url.startswith("sqlite"):
            size = Path(url.removeprefix("sqlite:///")).stat().st_size
        else:
            size = None
        engine.dispose()
    print(
        json.dumps(
            {
                "students": students,
                "records": summary.records,
                "subject_results": summary.subject_results,
                "term_results": summary.term_results,
                "simulate_seconds": round(simulated - started, 2),
                "load_seconds": round(loaded - simulated, 2),
                "total_seconds": round(loaded - started, 2),
                "peak_rss_mib": peak_rss_mib(),
                "store_bytes": size,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
