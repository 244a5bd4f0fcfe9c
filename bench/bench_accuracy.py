"""Identity accuracy on the *hard* simulation (issue 19): does the threshold keep its promise?

The engine picks its match threshold from its own estimate of precision (the mean match
probability of the accepted links). This bench puts that estimate beside the precision measured
against the simulation's truth, with recall, F1, every identity conflict type, where the wrong
links come from (students absent from the registry, twins, siblings, namesakes), seconds and
peak memory. Splink runs beside it on the same records where asked.

    .venv/bin/python -m bench.bench_accuracy                       # 20 k (make bench)
    .venv/bin/python -m bench.bench_accuracy 100000 1000000 --splink 100000

Targets (issue 19): links precision ≥ 0.999 and recall ≥ 0.995; estimated and measured precision
within 0.0005; each identity conflict type precision ≥ 0.98, recall ≥ 0.95.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench._measure import measure, peak_rss_mib

QUICK_ARGS = ["20000"]
SEED = 11


def _prepare(students: int, folder: Path) -> dict:
    from simulate import generate

    started = time.perf_counter()
    district = generate(students, seed=SEED, hard=True)
    folder.mkdir(parents=True, exist_ok=True)
    district.records.write_parquet(folder / "records.parquet")
    district.persons.write_parquet(folder / "persons.parquet")
    district.problems.write_parquet(folder / "problems.parquet")
    district.relations.write_parquet(folder / "relations.parquet")
    return {
        "students": students,
        "records": district.records.height,
        "relations": dict(district.relations.group_by("relation").len().iter_rows()),
        "simulate_seconds": round(time.perf_counter() - started, 2),
    }


def wrong_link_sources(
    matches: pl.DataFrame, persons: pl.DataFrame, relations: pl.DataFrame, registry_ids: pl.Series
) -> dict[str, int]:
    """Why each wrong link is wrong: whose record the vendor record was linked to."""
    who = persons.select("record_id", "person_id")
    registered = who.filter(pl.col("record_id").is_in(registry_ids.implode()))["person_id"]
    judged = (
        matches.select("left_id", "right_id")
        .join(who.rename({"record_id": "left_id", "person_id": "pl"}), on="left_id")
        .join(who.rename({"record_id": "right_id", "person_id": "pr"}), on="right_id")
        .filter(pl.col("pl") != pl.col("pr"))
    )
    rel = pl.concat(
        [
            relations.select(
                pl.col("person_id").alias("a"), pl.col("of_person_id").alias("b"), "relation"
            ),
            relations.select(
                pl.col("of_person_id").alias("a"), pl.col("person_id").alias("b"), "relation"
            ),
        ]
    )
    judged = judged.join(rel, left_on=["pl", "pr"], right_on=["a", "b"], how="left").with_columns(
        pl.col("pl").is_in(registered.implode()).alias("in_registry")
    )
    out: dict[str, int] = {}
    for row in judged.iter_rows(named=True):
        key = ("absent_" if not row["in_registry"] else "") + (row["relation"] or "stranger")
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def _ours(folder: Path) -> dict:
    from reconcile.evaluate import conflict_accuracy, link_accuracy
    from reconcile.service import split_and_link

    records = pl.read_parquet(folder / "records.parquet")
    started = time.perf_counter()
    vendor, registry, links, _, conflicts = split_and_link(records)
    seconds = time.perf_counter() - started
    persons = pl.read_parquet(folder / "persons.parquet")
    problems = pl.read_parquet(folder / "problems.parquet")
    relations = pl.read_parquet(folder / "relations.parquet")
    matches = links.matches
    measured = link_accuracy(matches, persons, vendor["record_id"], registry["record_id"])
    estimated = float(matches["match_probability"].mean() or 0.0) if matches.height else None
    review = links.review_queue
    return {
        "engine": "doisoat.reconcile",
        "vendor_records": vendor.height,
        "registry_records": registry.height,
        "seconds": round(seconds, 2),
        "peak_rss_mib": peak_rss_mib(),
        "match_threshold": links.model.match_threshold,
        "estimated_precision": round(estimated, 5) if estimated is not None else None,
        "measured_precision": measured["precision"],
        "precision_gap": round(estimated - measured["precision"], 5) if estimated else None,
        "links": measured,
        "review_pairs": review.height,
        "wrong_links_by_source": wrong_link_sources(
            matches, persons, relations, registry["record_id"]
        ),
        "conflicts": conflict_accuracy(conflicts, problems),
    }


def _splink(folder: Path) -> dict:
    from bench.bench_linkage import _splink as splink_run

    return splink_run(folder)


def main(args: list[str]) -> None:
    sizes = sorted(int(a) for a in args if a.isdigit())
    splink_sizes: set[int] = set()
    if "--splink" in args:
        splink_sizes = {int(s) for s in args[args.index("--splink") + 1].split(",") if s}
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            run = {"students": n}
            run["prepare"] = measure("bench.bench_accuracy", "--prepare", str(n), str(folder))
            run["ours"] = measure("bench.bench_accuracy", "--ours", str(folder))
            if n in splink_sizes:
                try:
                    run["splink"] = measure("bench.bench_accuracy", "--splink-run", str(folder))
                except RuntimeError as exc:  # report, do not hide, a contender that failed
                    run["splink"] = {"error": str(exc)[-500:]}
            runs.append(run)
            print(json.dumps(run, ensure_ascii=False), file=sys.stderr, flush=True)
    out = {"benchmark": "identity accuracy, hard simulation", "runs": runs}
    print(json.dumps(out, ensure_ascii=False, indent=2))


def _child(args: list[str]) -> None:
    mode, rest = args[0], args[1:]
    if mode == "--prepare":
        out = _prepare(int(rest[0]), Path(rest[1]))
    elif mode == "--ours":
        out = _ours(Path(rest[0]))
    else:
        out = _splink(Path(rest[0]))
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] in ("--prepare", "--ours", "--splink-run"):
        _child(argv)
    else:
        main(argv or QUICK_ARGS)
