"""Speed of the Vietnamese text rules on a column of realistic names; prints JSON.

    .venv/bin/python bench/vn_text.py [rows]

Names are drawn from the shipped lists with the family-name shares; 1 % are damaged (TCVN3,
VNI, mojibake, NFD, Ð), as in the simulator. Each figure is the best of three runs, in CPU
seconds of this process; ``cold`` clears the caches first, ``warm`` runs again on them.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import unicodedata

import polars as pl

from doisoat import vn


def _names(rows: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    families = list(vn.FAMILY_NAMES)
    weights = list(vn.FAMILY_NAMES.values())
    out = []
    for _ in range(rows):
        gender = rng.choice("MF")
        middle = rng.choice(list(vn.MIDDLE_NAMES[gender]))
        out.append(
            vn.join_name(
                rng.choices(families, weights)[0], middle, rng.choice(vn.given_names(gender))
            )
        )
    damage = [
        vn.encode_tcvn3,
        vn.encode_vni,
        vn.encode_mojibake,
        lambda s: unicodedata.normalize("NFD", s),
        lambda s: s.replace("Đ", "\u00d0"),
    ]
    for i in rng.sample(range(rows), rows // 100):
        out[i] = rng.choice(damage)(out[i])
    return out


def _best(fn, repeat: int = 3) -> float:
    """Best CPU time of ``repeat`` runs: CPU seconds (all threads of this process) say more than
    wall time on a machine shared with other jobs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    names = _names(rows)
    series = pl.Series("full_name", names)
    from doisoat.vn import text as vn_text

    caches = {
        "repair_text": vn_text._analyse_cp1252,
        "fold": vn.fold,
        "split_name": vn.split_name,
        "vi_sort_key": vn.vi_sort_key,
    }
    jobs = {
        "repair_text": lambda: [vn.repair_text(n) for n in names],
        "repair_series": lambda: vn.repair_series(series),
        "fold": lambda: [vn.fold(n) for n in names],
        "fold_series": lambda: vn.fold_series(series),
        "split_name": lambda: [vn.split_name(n) for n in names],
        "vi_sort_key": lambda: sorted(names, key=vn.vi_sort_key),
    }
    results: dict[str, object] = {
        "rows": rows,
        "distinct": series.n_unique(),
        "load_average_1m": round(os.getloadavg()[0], 2),  # the figures mean little on a busy box
    }
    for name, job in jobs.items():
        cache = caches.get(name)

        def cold(job=job, cache=cache) -> None:
            for c in caches.values():  # repair_series uses repair_text's cache too
                c.cache_clear()
            job()

        results[f"{name}_cold_s"] = round(_best(cold), 3)
        if cache is not None:
            job()
            results[f"{name}_warm_s"] = round(_best(job), 3)
    for key in [k for k in results if k.endswith("_s")]:
        results[key[:-2] + "_rows_per_s"] = int(rows / max(results[key], 1e-9))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
