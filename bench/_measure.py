"""Run a piece of work in a child process and report its wall time and peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def measure(module: str, *args: str) -> dict:
    """Run ``python -m module args`` in a fresh process; its last stdout line must be JSON."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {args} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 2)
    return result


def peak_rss_mib() -> float:
    """Peak resident memory of this process, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sizes_and_splink(args: list[str], splink: set[int]) -> tuple[list[int], set[int]]:
    """The sizes to run and those Splink runs beside (``--splink 10000,100000``, whose value
    is not a size to run; ``splink`` when the option is absent)."""
    if "--splink" in args:
        at = args.index("--splink")
        splink = {int(s) for s in args[at + 1].split(",") if s}
        args = args[:at] + args[at + 2 :]
    return sorted(int(a) for a in args if a.isdigit()), splink
