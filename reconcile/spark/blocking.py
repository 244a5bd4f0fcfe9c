"""Candidate pairs on Spark: each blocking rule an equi-join that emits id pairs, the union once.

The same rules as the single-machine engine (:mod:`reconcile.blocking`), with the same answers:
rows with a null key never block; a block whose pair count exceeds the rule's
``max_block_pairs`` is dropped (a key that common carries no information, and the other rules
still see those records), counted as ``skipped_blocks`` exactly as ``_drop_big_blocks`` counts
it.

What Spark adds is skew. A key join sends every row of one key to one task, so the biggest kept
block («Nguyễn Văn Anh» born in 2010, nationally) sets the time of the whole stage. Kept blocks
over ``salt_block_pairs`` pairs are therefore *salted*: the left rows of such a block are spread
over S buckets by a hash of their id and the right rows are copied into every bucket, and the
join key becomes (rule keys, bucket). Each pair still meets exactly once (its left row sits in one
bucket, its right row in all of them), and a block of P pairs becomes S tasks of about P / S.
Which blocks are dropped or salted is decided from the block sizes (an aggregation, which Spark
combines before it shuffles, so it is not skewed itself) and handed to the join as a broadcast.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from reconcile.profile import BlockingRule

_ID = "__id"
_RID = "__rid"
_SALTS = "__salts"
_SALT = "__salt"


def spark_candidate_pairs(
    left: DataFrame,
    right: DataFrame | None,
    rules: tuple[BlockingRule, ...],
    *,
    id_column: str,
    salt_block_pairs: int = 1_000,
    max_salts: int = 64,
) -> tuple[DataFrame, dict[str, dict[str, Any]]]:
    """DataFrame ``[left_id, right_id]`` (strings) of pairs equal on at least one rule's keys.

    Each pair once; ``right=None`` deduplicates ``left`` against itself (``left_id <
    right_id``). Stats per rule name: ``pairs`` and ``skipped_blocks`` as
    :func:`reconcile.blocking.candidate_pairs` gives them, ``salted_blocks``, and the worst block
    kept (``worst_block_key``, its values joined by `` | ``; ``worst_block_pairs``;
    ``worst_block_buckets``, the tasks it was salted into). :func:`worst_block` picks the worst
    over all rules. One small aggregate per rule is collected; the pairs stay lazy.
    """
    parts: list[DataFrame] = []
    stats: dict[str, dict[str, Any]] = {}
    for rule in rules:
        keys = list(rule.keys)
        lk = _keyed(left, keys, id_column)
        rk = _keyed(right, keys, id_column) if right is not None else None
        sizes = _block_sizes(lk, rk, keys, rule.max_block_pairs, salt_block_pairs, max_salts)
        stats[rule.name], rows = _summary(sizes, keys)
        # the dropped and salted blocks come back with the summary (one job, not two): only
        # blocks over ``salt_block_pairs`` pairs, a few thousand keys for a whole country
        shape = sizes.select(*keys, _SALTS).schema
        special = F.broadcast(left.sparkSession.createDataFrame(rows, shape))
        parts.append(_rule_pairs(lk, rk, keys, special))
    if not parts:
        spark = left.sparkSession
        return spark.createDataFrame([], "left_id string, right_id string"), stats
    pairs = reduce(DataFrame.union, parts)
    return (pairs.distinct() if len(parts) > 1 else pairs), stats


def worst_block(stats: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The biggest block any rule kept: ``{"rule", "key", "pairs", "buckets"}`` (None if none)."""
    kept = [(name, s) for name, s in stats.items() if s.get("worst_block_pairs")]
    if not kept:
        return None
    name, s = max(kept, key=lambda item: item[1]["worst_block_pairs"])
    return {
        "rule": name,
        "key": s["worst_block_key"],
        "pairs": s["worst_block_pairs"],
        "buckets": s["worst_block_buckets"],
    }


def _keyed(frame: DataFrame, keys: list[str], id_column: str) -> DataFrame:
    """Id and keys of the rows whose keys are all present (null never equals null)."""
    present: Column = reduce(lambda a, b: a & b, [F.col(k).isNotNull() for k in keys])
    return frame.select(F.col(id_column).cast("string").alias(_ID), *keys).where(present)


def _block_sizes(
    lk: DataFrame,
    rk: DataFrame | None,
    keys: list[str],
    max_block_pairs: int,
    salt_block_pairs: int,
    max_salts: int,
) -> DataFrame:
    """[keys…, __nl, __pairs, __salts]: 0 salts = dropped, 1 = joined as is, S > 1 = salted."""
    lc = lk.groupBy(*keys).agg(F.count(F.lit(1)).alias("__nl"))
    if rk is None:
        sizes = lc.withColumn("__pairs", F.col("__nl") * (F.col("__nl") - 1) / 2)
    else:
        rc = rk.groupBy(*keys).agg(F.count(F.lit(1)).alias("__nr"))
        sizes = lc.join(rc, keys).withColumn("__pairs", F.col("__nl") * F.col("__nr"))
    sizes = sizes.withColumn("__pairs", F.col("__pairs").cast("long"))
    buckets = F.least(
        F.ceil(F.col("__pairs") / F.lit(max(1, salt_block_pairs))),
        F.col("__nl"),
        F.lit(max(1, max_salts)),
    ).cast("int")
    return sizes.withColumn(
        _SALTS,
        F.when(F.col("__pairs") > max_block_pairs, F.lit(0))
        .when(F.col("__pairs") > salt_block_pairs, buckets)
        .otherwise(F.lit(1)),
    )


def _summary(sizes: DataFrame, keys: list[str]) -> tuple[dict[str, Any], list[Any]]:
    """The rule's stats, and the rows [keys…, __salts] of its dropped and salted blocks."""
    kept = F.col(_SALTS) > 0
    key = F.struct(*[F.col(k).cast("string").alias(k) for k in keys])
    row = sizes.agg(
        F.coalesce(F.sum(F.when(kept, F.col("__pairs"))), F.lit(0)).alias("pairs"),
        F.coalesce(F.sum(F.when(~kept, 1)), F.lit(0)).alias("skipped"),
        F.coalesce(F.sum(F.when(F.col(_SALTS) > 1, 1)), F.lit(0)).alias("salted"),
        F.coalesce(F.max(F.when(kept, F.col("__pairs"))), F.lit(0)).alias("worst_pairs"),
        F.max_by(
            F.struct(key.alias("key"), F.col(_SALTS).alias("salts")),
            F.when(kept, F.col("__pairs")),
        ).alias("worst"),
        F.collect_list(F.when(F.col(_SALTS) != 1, F.struct(*keys, _SALTS))).alias("special"),
    ).first()
    assert row is not None  # a global aggregate always has one row
    worst_row = row["worst"]
    worst_key = None
    buckets = 0
    if worst_row is not None and row["worst_pairs"] > 0:
        worst_key = " | ".join("" if v is None else str(v) for v in worst_row["key"])
        buckets = int(worst_row["salts"])
    special = [tuple(r) for r in row["special"]]
    return {
        "pairs": int(row["pairs"]),
        "skipped_blocks": int(row["skipped"]),
        "salted_blocks": int(row["salted"]),
        "worst_block_key": worst_key,
        "worst_block_pairs": int(row["worst_pairs"]),
        "worst_block_buckets": buckets,
    }, special


def _rule_pairs(
    lk: DataFrame, rk: DataFrame | None, keys: list[str], special: DataFrame
) -> DataFrame:
    """One rule's id pairs: dropped blocks left out, salted blocks split over their buckets."""
    salts = F.coalesce(F.col(_SALTS), F.lit(1))
    lt = (
        lk.join(special, keys, "left")
        .where(salts > 0)
        .select(_ID, *keys, F.pmod(F.xxhash64(_ID), salts).cast("int").alias(_SALT))
    )
    rt = (
        (rk if rk is not None else lk)
        .join(special, keys, "left")
        .where(salts > 0)
        .select(
            F.col(_ID).alias(_RID),
            *keys,
            F.explode(F.sequence(F.lit(0), salts - 1)).alias(_SALT),
        )
    )
    joined = lt.join(rt, [*keys, _SALT])
    if rk is None:
        joined = joined.where(F.col(_ID) < F.col(_RID))
    return joined.select(F.col(_ID).alias("left_id"), F.col(_RID).alias("right_id"))
