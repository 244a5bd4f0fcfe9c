"""Blocking as Spark joins gives the single-machine engine's pairs and stats, salted or not."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from reconcile.blocking import candidate_pairs
from reconcile.profile import block_on

pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")

from reconcile.spark.blocking import spark_candidate_pairs, worst_block  # noqa: E402

RULES = (
    # «Nguyễn» born the same year: the skewed key; one such block goes over the cap
    block_on("family", "birth_year", max_block_pairs=400),
    block_on("given", "gender", max_block_pairs=900),
    block_on("school", max_block_pairs=10_000),  # a third of the rows have no school
)
TYPES = {
    "record_id": pa.string(),
    "family": pa.string(),
    "given": pa.string(),
    "gender": pa.string(),
    "birth_year": pa.int32(),
    "school": pa.string(),
}


def _frame(rng: np.random.Generator, n: int, prefix: str) -> pl.DataFrame:
    families = np.array(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"])
    family = np.where(rng.random(n) < 0.45, "Nguyễn", rng.choice(families, n))
    given = rng.choice(["Anh", "Bình", "Châu", "Dũng", "Hà", "Khoa", "Linh", "Minh"], n)
    year = np.where(rng.random(n) < 0.5, 2010, rng.integers(2008, 2013, n))
    school = rng.choice([f"79{v:03d}" for v in range(12)], n).astype(object)
    school[rng.random(n) < 0.33] = None
    family = family.astype(object)
    family[rng.random(n) < 0.05] = None  # a missing key never blocks
    # ids whose string order is not the row order (row 10 is "…-10", before "…-9")
    order = rng.permutation(n)
    return pl.DataFrame(
        {
            "record_id": [f"{prefix}-{i}" for i in order],
            "family": list(family),
            "given": list(given),
            "gender": list(rng.choice(["M", "F"], n)),
            "birth_year": year.astype(np.int32),
            "school": list(school),
        },
        schema_overrides={"family": pl.Utf8, "school": pl.Utf8},
    )


def _spark_frame(spark, frame: pl.DataFrame):
    """Through Arrow: the rows live in the JVM (no Python worker reads them back)."""
    table = frame.to_arrow()
    return spark.createDataFrame(table.cast(pa.schema([(n, t) for n, t in TYPES.items()])))


def _expected_pairs(left: pl.DataFrame, right: pl.DataFrame | None) -> set[tuple[str, str]]:
    pairs, _ = candidate_pairs(left, right, RULES)
    lid = left["record_id"].to_list()
    rid = (right if right is not None else left)["record_id"].to_list()
    out = set()
    for i, j in pairs.iter_rows():
        a, b = lid[i], rid[j]
        out.add((a, b) if right is not None else (min(a, b), max(a, b)))
    return out


def _biggest_kept_block(left: pl.DataFrame, right: pl.DataFrame | None, rule) -> int:
    """Computed apart from both engines: the largest block a rule keeps."""
    keys = list(rule.keys)
    lc = left.drop_nulls(keys).group_by(keys).agg(pl.len().alias("nl"))
    if right is None:
        sizes = lc.select((pl.col("nl") * (pl.col("nl") - 1) // 2).alias("p"))
    else:
        rc = right.drop_nulls(keys).group_by(keys).agg(pl.len().alias("nr"))
        sizes = lc.join(rc, on=keys).select((pl.col("nl") * pl.col("nr")).alias("p"))
    kept = sizes.filter(pl.col("p") <= rule.max_block_pairs)["p"]
    return int(kept.max() or 0)


@pytest.mark.parametrize("mode", ["link", "dedupe"])
def test_spark_blocking_equals_single_machine_pairs_and_stats(spark, mode):
    rng = np.random.default_rng(17 if mode == "link" else 18)
    left = _frame(rng, 260, "vendor")
    right = _frame(rng, 200, "moet") if mode == "link" else None

    got, stats = spark_candidate_pairs(
        _spark_frame(spark, left),
        _spark_frame(spark, right) if right is not None else None,
        RULES,
        id_column="record_id",
        salt_block_pairs=60,  # small enough that the skewed blocks we keep are salted
    )

    rows = got.collect()
    spark_pairs = [(r["left_id"], r["right_id"]) for r in rows]
    assert len(spark_pairs) == len(set(spark_pairs))  # each pair once
    assert set(spark_pairs) == _expected_pairs(left, right)
    if right is None:
        assert all(a < b for a, b in spark_pairs)
    _, expected_stats = candidate_pairs(left, right, RULES)
    for rule in RULES:
        mine = stats[rule.name]
        assert {k: mine[k] for k in ("pairs", "skipped_blocks")} == expected_stats[rule.name]
        assert mine["worst_block_pairs"] == _biggest_kept_block(left, right, rule)
    skewed = stats["family+birth_year"]
    assert skewed["skipped_blocks"] >= 1  # «Nguyễn» born in 2010 is over the cap
    assert skewed["salted_blocks"] >= 1 and skewed["worst_block_buckets"] > 1
    worst = worst_block(stats)
    assert worst is not None
    assert worst["pairs"] == max(s["worst_block_pairs"] for s in stats.values())
    assert worst["key"] == stats[worst["rule"]]["worst_block_key"] and worst["key"]
