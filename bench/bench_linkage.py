"""Identity linkage: accuracy against the simulation's truth, speed and memory; Splink alongside.

Each size is simulated once (written to Parquet), then each contender runs in its own process on
the same records, so peak memory is that contender's own (reading the records included).

    .venv/bin/python -m bench.bench_linkage                    # 10k, 100k (Splink at both)
    .venv/bin/python -m bench.bench_linkage 10000 100000 1000000 --splink 10000,100000

Splink (DuckDB backend) comes from the ``bench`` extra: ``pip install -e '.[bench]'``.
Targets (issue 4): links precision ≥ 0.999, recall ≥ 0.995; each conflict type precision ≥ 0.98,
recall ≥ 0.95; 1 M vendor records against a 1 M registry in < 120 s and < 6 GiB.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench._measure import measure, peak_rss_mib, sizes_and_splink

QUICK_ARGS = ["10000", "100000"]
SEED = 11


def _cpu() -> float:
    """CPU seconds of this process (all threads): a fair figure when the machine is shared."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _prepare(students: int, folder: Path) -> dict:
    from simulate import generate

    started = time.perf_counter()
    district = generate(students, seed=SEED)
    folder.mkdir(parents=True, exist_ok=True)
    district.records.write_parquet(folder / "records.parquet")
    district.persons.write_parquet(folder / "persons.parquet")
    district.problems.write_parquet(folder / "problems.parquet")
    return {
        "students": students,
        "records": district.records.height,
        "simulate_seconds": round(time.perf_counter() - started, 2),
    }


def _ours(folder: Path) -> dict:
    from reconcile.evaluate import conflict_accuracy, link_accuracy
    from reconcile.service import split_and_link

    records = pl.read_parquet(folder / "records.parquet")
    started, cpu = time.perf_counter(), _cpu()
    vendor, registry, links, _, conflicts = split_and_link(records)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    persons = pl.read_parquet(folder / "persons.parquet")
    problems = pl.read_parquet(folder / "problems.parquet")
    return {
        "engine": "doisoat.reconcile",
        "vendor_records": vendor.height,
        "registry_records": registry.height,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib": peak_rss_mib(),
        "candidate_pairs": links.stats["candidate_pairs"],
        "match_threshold": links.model.match_threshold,
        "links": link_accuracy(links.matches, persons, vendor["record_id"], registry["record_id"]),
        "conflicts": conflict_accuracy(conflicts, problems),
    }


def _splink(folder: Path) -> dict:
    """Splink 4 on DuckDB with the same blocking keys and comparable comparisons."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from reconcile.evaluate import link_accuracy
    from reconcile.normalise import fold, join_names
    from reconcile.student import with_keys

    records = pl.read_parquet(folder / "records.parquet")
    started, cpu = time.perf_counter(), _cpu()
    keyed = with_keys(records).select(
        "record_id",
        "source",
        "code_key",
        "pid_key",
        "gender",
        "school_code",
        fold(join_names("family_name", "middle_name", "given_name")).alias("full_f"),
        fold("given_name").alias("given_f"),
        fold("family_name").alias("family_f"),
        pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
        pl.col("dob").dt.year().alias("birth_year"),
        fold("father_name").alias("father_f"),
        fold("mother_name").alias("mother_f"),
    )
    vendor = keyed.filter(pl.col("source") != "moet").drop("source").to_pandas()
    registry = keyed.filter(pl.col("source") == "moet").drop("source").to_pandas()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.ExactMatch("code_key"),
            cl.ExactMatch("pid_key"),
            cl.JaroWinklerAtThresholds("full_f", [0.95, 0.88]),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("gender"),
            cl.ExactMatch("school_code"),
            cl.JaroWinklerAtThresholds("father_f", [0.9]),
            cl.JaroWinklerAtThresholds("mother_f", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("code_key"),
            block_on("pid_key"),
            block_on("given_f", "dob"),
            block_on("family_f", "given_f", "birth_year"),
            block_on("school_code", "full_f"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(
        [
            db_api.register(vendor, dataset_display_name="vendor"),
            db_api.register(registry, dataset_display_name="registry"),
        ],
        settings,
        log_level=logging.WARNING,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("code_key")], recall=0.95
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_f", "dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    pairs = pl.from_pandas(predictions[["record_id_l", "record_id_r", "match_probability"]]).rename(
        {"record_id_l": "unique_id_l", "record_id_r": "unique_id_r"}
    )
    vendor_ids = set(vendor["record_id"])
    pairs = pairs.with_columns(
        pl.when(pl.col("unique_id_l").is_in(list(vendor_ids)))
        .then(pl.col("unique_id_l"))
        .otherwise(pl.col("unique_id_r"))
        .alias("left_id"),
        pl.when(pl.col("unique_id_l").is_in(list(vendor_ids)))
        .then(pl.col("unique_id_r"))
        .otherwise(pl.col("unique_id_l"))
        .alias("right_id"),
    )
    best = pairs.sort("match_probability", descending=True).unique("left_id", keep="first")
    persons = pl.read_parquet(folder / "persons.parquet")
    v_ids = pl.Series(sorted(vendor_ids))
    r_ids = pl.Series(registry["record_id"].tolist())
    return {
        "engine": "splink (duckdb)",
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib": peak_rss_mib(),
        "links": link_accuracy(pairs, persons, v_ids, r_ids),
        "links_best_per_record": link_accuracy(best, persons, v_ids, r_ids),
    }


def main(args: list[str]) -> None:
    """Every size is simulated (the simulator makes a 1 M-student district in under 20 s)."""
    sizes, splink_sizes = sizes_and_splink(args, {10_000, 100_000})
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            prepared = measure("bench.bench_linkage", "--prepare", str(n), str(folder))
            run = {"students": n, "prepare": prepared}
            run["ours"] = measure("bench.bench_linkage", "--ours", str(folder))
            if n in splink_sizes:
                try:
                    run["splink"] = measure("bench.bench_linkage", "--splink-run", str(folder))
                except RuntimeError as exc:  # report, do not hide, a contender that failed
                    run["splink"] = {"error": str(exc)[-500:]}
            runs.append(run)
            print(json.dumps(run, ensure_ascii=False), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "identity linkage", "runs": runs}, ensure_ascii=False, indent=2))


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
        main(argv or ["10000", "100000"])
