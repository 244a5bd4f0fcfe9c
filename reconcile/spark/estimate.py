"""The model on Spark: the counts :mod:`reconcile.estimate` needs, gathered by ``groupBy``.

Nothing per pair reaches the driver: the γ patterns of the candidate pairs (a few thousand rows
however many pairs), the level counts of a random sample of pairs (u), per exact level the
value counts of both sides joined (Σ count_l·count_r over all pairs), and for the threshold the
distinct match probabilities above the floor. The estimate itself is the single machine's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from reconcile.estimate import exact_key, exact_level_u, fit_model
from reconcile.profile import CompiledProfile
from reconcile.scoring import Model, choose_match_threshold, gamma_patterns, level_frequencies
from reconcile.spark.compare import compared_pairs, gamma_columns


def random_pairs(
    left: DataFrame, right: DataFrame | None, n_left: int, n_right: int, wanted: int, seed: int
) -> DataFrame:
    """About ``wanted`` uniform random pairs [left_id, right_id] of ids (``right=None``: pairs
    of ``left`` with itself, ``left_id < right_id``).

    Each side's sample is spread over random buckets and the buckets joined: every pair of a
    bucket is a pair, so no side has to be numbered or collected.
    """
    n_right = n_left if right is None else n_right
    take_left, take_right = min(n_left, wanted), min(n_right, wanted)
    per_pair = 2.0 if right is None else 1.0
    buckets = max(1, round(take_left * take_right / (wanted * per_pair)))

    def sample(frame: DataFrame, take: int, total: int, salt: int) -> DataFrame:
        fraction = min(1.0, take / max(total, 1))
        part = frame if fraction >= 1.0 else frame.sample(fraction=fraction, seed=seed + salt)
        return part.withColumn("__b", (F.rand(seed + 10 + salt) * buckets).cast("long"))

    a = sample(left, take_left, n_left, 0).select(F.col("__id").alias("left_id"), "__b")
    b = sample(left if right is None else right, take_right, n_right, 1)
    b = b.select(F.col("__id").alias("right_id"), "__b")
    pairs = a.join(b, on="__b").drop("__b")
    if right is None:
        pairs = pairs.where(F.col("left_id") < F.col("right_id"))
    return pairs


def exact_agreements(
    settings: CompiledProfile, left: DataFrame, right: DataFrame | None
) -> dict[int, tuple[float, float]]:
    """Per comparison with an exact key: (pairs agreeing on a value, pairs with the key on both
    sides) over all pairs, from one stacked value count per side."""
    keyed = [
        (k, key) for k, c in enumerate(settings.comparisons) if (key := exact_key(c)) is not None
    ]
    if not keyed:
        return {}

    def stacked(frame: DataFrame) -> DataFrame:
        parts = [
            frame.select(F.lit(k).alias("k"), F.col(key).cast("string").alias("v")).where(
                F.col("v").isNotNull()
            )
            for k, key in keyed
        ]
        out = parts[0]
        for part in parts[1:]:
            out = out.unionAll(part)
        return out.groupBy("k", "v").count()

    lc = stacked(left)
    n_l = {r["k"]: r["n"] for r in lc.groupBy("k").agg(F.sum("count").alias("n")).collect()}
    if right is None:
        rows = lc.groupBy("k").agg(
            F.sum(F.col("count").cast("double") * (F.col("count") - 1) / 2).alias("agree")
        )
        agree = {r["k"]: float(r["agree"]) for r in rows.collect()}
        return {k: (agree.get(k, 0.0), n_l.get(k, 0) * (n_l.get(k, 0) - 1) / 2) for k, _ in keyed}
    rc = stacked(right).withColumnRenamed("count", "count_r")
    n_r = {r["k"]: r["n"] for r in rc.groupBy("k").agg(F.sum("count_r").alias("n")).collect()}
    rows = (
        lc.join(rc, on=["k", "v"])
        .groupBy("k")
        .agg(F.sum(F.col("count").cast("double") * F.col("count_r")).alias("agree"))
    )
    agree = {r["k"]: float(r["agree"]) for r in rows.collect()}
    return {k: (agree.get(k, 0.0), float(n_l.get(k, 0)) * float(n_r.get(k, 0))) for k, _ in keyed}


def pattern_counts(
    gamma: DataFrame, settings: CompiledProfile, where: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(patterns, counts, labelled patterns, labelled counts) of compared pairs."""
    columns = gamma_columns(settings)
    frame = gamma if where is None else gamma.where(where)
    rows = frame.groupBy(*columns, "__labelled").count().collect()
    n_levels = [len(c.levels) for c in settings.comparisons]
    width = len(columns)
    matrix = np.array([[r[c] for c in columns] for r in rows], dtype=np.int8).reshape(-1, width)
    counts = np.array([r["count"] for r in rows], dtype=float)
    labelled = np.array([bool(r["__labelled"]) for r in rows], dtype=bool)
    patterns, totals = gamma_patterns(matrix, n_levels, counts)
    lab_patterns, lab_totals = gamma_patterns(matrix[labelled], n_levels, counts[labelled])
    return patterns, totals, lab_patterns, lab_totals


def estimate_model(
    settings: CompiledProfile,
    left: DataFrame,
    right: DataFrame | None,
    gamma: DataFrame,
    counts: dict[str, int],
    base_model: Model | None,
    block_stats: dict[str, Any],
) -> Model:
    """u from random pairs (exact levels from value counts), m from labelled pairs or an
    earlier model, then EM: :func:`reconcile.estimate.fit_model`, as on one machine."""
    n_levels = [len(c.levels) for c in settings.comparisons]
    n_left, n_right = counts["left"], counts.get("right", counts["left"])
    other_rows = n_right if right is not None else n_left
    wanted = min(settings.u_sample_pairs, max(20 * (n_left + other_rows), 20_000))
    idc = settings.id_column
    ids_l = left.withColumn("__id", F.col(idc).cast("string"))
    ids_r = right.withColumn("__id", F.col(idc).cast("string")) if right is not None else None
    sample = random_pairs(ids_l, ids_r, n_left, n_right, wanted, settings.seed)
    other = right if right is not None else left
    sampled = compared_pairs(sample, left, other, settings).where(~F.col("__labelled"))
    u_patterns, u_counts, _, _ = pattern_counts(sampled, settings)
    u = level_frequencies(u_patterns, n_levels, counts=u_counts)
    patterns, totals, lab_patterns, lab_totals = pattern_counts(gamma, settings)
    exact_level_u(settings, u, exact_agreements(settings, left, right), lab_patterns, lab_totals)
    training = {
        "u_sample_pairs": int(u_counts.sum()),
        "blocking": block_stats,
        "executor": "spark",
    }
    return fit_model(settings, patterns, totals, lab_patterns, lab_totals, u, base_model, training)


def match_threshold(scored: DataFrame, settings: CompiledProfile) -> float:
    """:func:`reconcile.scoring.choose_match_threshold` from the distinct probabilities.

    Only probabilities at or above the floor change the answer, and of those below it only the
    largest (when the target is above the floor, the running mean of the pairs below the floor
    can only reach the target at the first of them): a few thousand rows, not every pair.
    """
    floor, target = settings.min_match_probability, settings.target_precision
    prob = F.col("match_probability")
    frame = scored.where(prob >= floor) if target >= floor else scored
    rows = frame.groupBy("match_probability").count().collect()
    values = [float(r["match_probability"]) for r in rows]
    counts = [float(r["count"]) for r in rows]
    if target >= floor:
        below = scored.where(prob < floor).agg(F.max(prob).alias("top")).collect()[0]["top"]
        if below is not None:
            values.append(float(below))
            counts.append(1.0)
    return choose_match_threshold(np.array(values), target, floor, counts=np.array(counts))
