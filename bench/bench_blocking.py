"""What each blocking rule of the student profile earns: its pairs and the true pairs no other
rule finds (issue 19), on the hard simulation, vendor records → registry.

    .venv/bin/python -m bench.bench_blocking 1000000
    .venv/bin/python -m bench.bench_blocking 1000000 --cap 1000 --blank-mothers 0.3

``--cap`` puts the name+birth-year rules' ``max_block_pairs`` back to another value (the profile
keeps 300); ``--blank-mothers`` empties that share of the vendor records' mothers' names (the
simulation never does; real exports often do), to see what the rules miss without them.
Prints one JSON object: per rule its pairs, true pairs, true pairs found by it alone and the
pairs dropping it would save; the union's pairs and true pairs; the seconds of each rule.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
import polars as pl

from bench.bench_accuracy import SEED


def _true_persons(frame: pl.DataFrame, persons: pl.DataFrame, missing: int) -> np.ndarray:
    return (
        frame.select(
            pl.col("record_id").replace_strict(
                persons["record_id"], persons["person_id"], default=missing
            )
        )
        .to_series()
        .to_numpy()
    )


def main() -> None:
    from reconcile.blocking import candidate_pairs
    from reconcile.compare import prepare
    from reconcile.profile import compile_profile
    from reconcile.student import NAME_YEAR_BLOCK_PAIRS, student_profile, with_keys
    from simulate import generate

    parser = argparse.ArgumentParser()
    parser.add_argument("students", type=int)
    parser.add_argument("--cap", type=int, default=NAME_YEAR_BLOCK_PAIRS)
    parser.add_argument("--blank-mothers", type=float, default=0.0)
    args = parser.parse_args()

    district = generate(args.students, seed=SEED, hard=True)
    records = district.records
    if args.blank_mothers:
        draw = np.random.default_rng(SEED).random(records.height) < args.blank_mothers
        blank = pl.Series(draw) & (records["source"] != "moet")
        records = records.with_columns(
            pl.when(blank).then(None).otherwise(pl.col("mother_name")).alias("mother_name")
        )
    records = with_keys(records)
    profile = student_profile()
    capped = {NAME_YEAR_BLOCK_PAIRS}
    rules = tuple(
        dataclasses.replace(r, max_block_pairs=args.cap) if r.max_block_pairs in capped else r
        for r in profile.blocking
    )
    settings = compile_profile(dataclasses.replace(profile, blocking=rules))
    left = prepare(records.filter(pl.col("source") != "moet"), settings)
    right = prepare(records.filter(pl.col("source") == "moet"), settings)
    left_person = _true_persons(left, district.persons, -1)
    right_person = _true_persons(right, district.persons, -2)

    pair_keys, true_keys, out = {}, {}, {}
    for rule in settings.blocking:
        started = time.perf_counter()
        pairs, stats = candidate_pairs(left, right, (rule,))
        li, ri = pairs["__l"].to_numpy().astype(np.int64), pairs["__r"].to_numpy()
        keys = li * right.height + ri
        true = left_person[li] == right_person[ri]
        pair_keys[rule.name], true_keys[rule.name] = keys, set(keys[true].tolist())
        out[rule.name] = {
            "pairs": len(keys),
            "true_pairs": int(true.sum()),
            "skipped_blocks": stats[rule.name]["skipped_blocks"],
            "seconds": round(time.perf_counter() - started, 2),
        }
    every = np.unique(np.concatenate(list(pair_keys.values())))
    for name in out:
        others = [k for n, k in pair_keys.items() if n != name]
        rest = np.unique(np.concatenate(others))
        found_elsewhere = set().union(*(t for n, t in true_keys.items() if n != name))
        out[name]["true_pairs_alone"] = len(true_keys[name] - found_elsewhere)
        out[name]["pairs_saved_if_dropped"] = len(every) - len(rest)
    print(
        json.dumps(
            {
                "benchmark": "blocking rules",
                "students": args.students,
                "name_year_cap": args.cap,
                "blank_mothers": args.blank_mothers,
                "vendor_records": left.height,
                "registry_records": right.height,
                "candidate_pairs": len(every),
                "true_pairs_found": len(set().union(*true_keys.values())),
                "rules": out,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
