"""``make bench``: the quick benchmark set (small sizes); each script also runs on its own.

Every script prints JSON. Larger sizes are passed on the command line of each script, e.g.
``python -m bench.bench_spine 1000000``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main() -> None:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        quick = getattr(module, "QUICK_ARGS", None)
        if quick is None:
            continue
        print(f"# {name}", file=sys.stderr, flush=True)
        module.main(quick)


if __name__ == "__main__":
    main()
