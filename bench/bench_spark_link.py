"""The Spark executor beside the single-machine engine on one simulated district.

For N students: the single machine's ``reconcile.link`` (vendor records → registry) and
``link_spark`` on the same records, each estimating its own model; seconds per Spark stage,
candidate pairs, matches, precision and recall of both against the simulation's truth, and how
far apart their matches are. Spark runs ``local[2]`` (what the tests run), so this measures what
Spark costs on one machine, not what a cluster gains.

    .venv/bin/python -m bench.bench_spark_link              # 5 k (make bench)
    .venv/bin/python -m bench.bench_spark_link 100000
"""

from __future__ import annotations

import json
import sys
import time

import polars as pl

from bench._measure import peak_rss_mib

QUICK_ARGS = ["5000"]
SEED = 11


def run(students: int, master: str = "local[2]") -> dict:
    import reconcile as rc
    from reconcile.evaluate import link_accuracy
    from reconcile.spark import link_spark, spark_session
    from reconcile.student import student_profile, with_keys
    from simulate import generate

    started = time.perf_counter()
    district = generate(students, seed=SEED)
    records = with_keys(district.records)
    vendor = records.filter(pl.col("source") != "moet")
    registry = records.filter(pl.col("source") == "moet")
    simulate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    alone = rc.link(vendor, registry, student_profile())
    single_seconds = time.perf_counter() - started

    spark = spark_session(master, app_name="bench-spark-link")
    started = time.perf_counter()
    left = spark.createDataFrame(vendor.to_arrow())
    right = spark.createDataFrame(registry.to_arrow())
    result = link_spark(left, right, student_profile())
    matches = pl.from_arrow(result.matches.select("left_id", "right_id").toArrow())
    spark_seconds = time.perf_counter() - started
    spark.stop()

    def accuracy(found: pl.DataFrame) -> dict:
        return link_accuracy(found, district.persons, vendor["record_id"], registry["record_id"])

    mine = set(alone.matches.select("left_id", "right_id").iter_rows())
    theirs = set(matches.iter_rows())  # type: ignore[union-attr]
    return {
        "students": students,
        "vendor_records": vendor.height,
        "registry_records": registry.height,
        "simulate_seconds": round(simulate_seconds, 2),
        "single_machine": {
            "seconds": round(single_seconds, 2),
            "candidate_pairs": alone.stats["candidate_pairs"],
            "matches": len(mine),
            "lambda": alone.model.lam,
            "match_threshold": alone.model.match_threshold,
            **accuracy(alone.matches),
        },
        "spark": {
            "master": master,
            "seconds": round(spark_seconds, 2),
            "seconds_per_stage": result.stats["seconds"],
            "candidate_pairs": result.stats["candidate_pairs"],
            "matches": len(theirs),
            "lambda": result.model.lam,
            "match_threshold": result.model.match_threshold,
            "worst_block": result.stats.get("worst_block"),
            **accuracy(matches),  # type: ignore[arg-type]
        },
        "matches_only_single_machine": len(mine - theirs),
        "matches_only_spark": len(theirs - mine),
        "driver_peak_rss_mib": peak_rss_mib(),
    }


def main(args: list[str]) -> None:
    for students in [int(a) for a in args]:
        print(json.dumps(run(students), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or QUICK_ARGS)
