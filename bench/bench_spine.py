"""Simulate and load into SQLite at 10 k, 100 k and 1 M students; print JSON.

Target (issue 2): 1 M students simulated and loaded into SQLite in under 3 minutes, under 4 GiB
peak memory. Each size runs in its own process so the peak memory is that size's own.

    .venv/bin/python -m bench.bench_spine            # 10k, 100k, 1M
    .venv/bin/python -m bench.bench_spine 10000      # chosen sizes
"""

from __future__ import annotations

import json
import sys

from bench._measure import measure

TARGET_SECONDS_1M = 180
TARGET_RSS_MIB_1M = 4096
QUICK_ARGS = [10_000, 100_000]


def main(sizes: list[int]) -> None:
    runs = [measure("bench.spine_run", str(n)) for n in sizes]
    for run in runs:
        if run["students"] >= 1_000_000:
            run["meets_target"] = (
                run["total_seconds"] < TARGET_SECONDS_1M and run["peak_rss_mib"] < TARGET_RSS_MIB_1M
            )
    print(json.dumps({"benchmark": "simulate+load sqlite", "runs": runs}, indent=2))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
