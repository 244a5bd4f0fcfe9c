"""Scores and decisions on Spark, by the engine's own functions on buckets of records.

Weights and probabilities are per pair (``pair_weights``, ``probability``: a ``mapInArrow``).
Everything else looks at all the pairs of one record — its competing candidates, its best
match, its runner-up — so the pairs are hashed into buckets of left (or right) records and the
single machine's numpy/polars functions of :mod:`reconcile.decide` run on each bucket: a bucket
holds every pair of its records, so each record's answer is the one the single machine gives.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pyspark.sql import DataFrame

from reconcile.compete import record_sum, record_top, weighed_probability
from reconcile.decide import (
    DECISIONS,
    NON_MATCH,
    apply_review_rules,
    by_left_best_first,
    limit_matches,
    one_per_right,
    threshold_decisions,
)
from reconcile.profile import CompiledProfile
from reconcile.scoring import Model, pair_weights, probability
from reconcile.spark.arrow import apply_polars_by_bucket, map_polars
from reconcile.spark.compare import gamma_columns, tf_column


def _gamma(frame: pl.DataFrame, settings: CompiledProfile) -> np.ndarray:
    columns = gamma_columns(settings)
    if not frame.height:
        return np.empty((0, len(columns)), dtype=np.int8)
    return frame.select(columns).to_numpy().astype(np.int8)


def _codes(values: pl.Series) -> np.ndarray:
    return (values.rank("dense").cast(pl.Int64) - 1).to_numpy()


def _score_function(settings: CompiledProfile, model: Model):
    def score(batch: pl.DataFrame) -> pl.DataFrame:
        gamma_m = _gamma(batch, settings)
        tf_adjust = {}
        for k, comp in enumerate(settings.comparisons):
            if comp.tf:
                levels = [0, 1] if comp.kind == "name" else [0]
                tf_adjust[k] = (levels, batch[tf_column(comp)].to_numpy())
        weights = pair_weights(model, gamma_m, tf_adjust)
        match_weight = weights.sum(axis=1, dtype=np.float64) + model.prior_weight
        return batch.with_columns(
            *[
                pl.Series(f"w_{c.name}", weights[:, k], dtype=pl.Float32)
                for k, c in enumerate(settings.comparisons)
            ],
            pl.Series("match_weight", match_weight, dtype=pl.Float64),
            pl.Series("match_probability", probability(match_weight), dtype=pl.Float64),
        )

    return score


def _side_sums(keys: list[str], i: int):
    """Per record (``keys``): the terms of :func:`reconcile.compete.competing_probability`."""
    weight = pl.col("match_weight")

    def sums(batch: pl.DataFrame) -> pl.DataFrame:
        batch = batch.with_columns(record_top(weight, keys, i))
        return batch.with_columns(record_sum(weight, keys, i))

    return sums


def scored(
    gamma: DataFrame,
    settings: CompiledProfile,
    model: Model,
    *,
    link: bool,
    groups: bool,
    buckets: int,
) -> DataFrame:
    """Per pair: ``w_<c>`` (bits), ``match_weight`` (prior included) and ``match_probability``,
    as the single machine computes them: the pair alone (``pair_weights``, ``probability``),
    then, where the linkage is one-to-one, weighed against its records' other candidates (as
    ``reconcile.compete.one_to_one_probability``). Two passes at most: one per bucket of left
    records (scores, the left sums), one per bucket of right records (the right sums, the
    probability)."""
    score = _score_function(settings, model)
    sides: list[list[str]] = []
    if link and settings.max_matches_per_left == 1:
        sides.append(["left_id"])
    if link and groups:
        sides.append(["right_id", "__group"])
    if not sides:
        return map_polars(gamma, score)
    helpers = [f"__{part}{i}" for i in range(len(sides)) for part in ("top", "sum")]

    def finish(batch: pl.DataFrame) -> pl.DataFrame:
        competing = weighed_probability(pl.col("match_weight"), len(sides))
        competing = competing.alias("match_probability")
        return batch.with_columns(competing).drop(helpers)

    passes = []
    for i, keys in enumerate(sides):
        steps = ([score] if i == 0 else []) + [_side_sums(keys, i)]
        steps += [finish] if i == len(sides) - 1 else []
        passes.append((keys[0], steps))
    frame = gamma
    for key, steps in passes:

        def run(batch: pl.DataFrame, steps=steps) -> pl.DataFrame:
            batch = batch.drop("__bucket")
            for step in steps:
                batch = step(batch)
            return batch

        frame = apply_polars_by_bucket(frame, key, buckets, run)
    return frame


def decided(
    frame: DataFrame,
    settings: CompiledProfile,
    model: Model,
    *,
    link: bool,
    groups: bool,
    buckets: int,
) -> DataFrame:
    """``decision`` (0 match, 1 review, 2 non-match) as :func:`reconcile.engine._run` takes it:
    thresholds, at most ``max_matches_per_left`` per left record, review rules, one left
    record per right record per group; and ``__best`` (each left record's best pair)."""
    limit = settings.max_matches_per_left if link else None
    margin = settings.ambiguity_margin

    def per_left(batch: pl.DataFrame) -> pl.DataFrame:
        batch = batch.drop("__bucket")
        li = _codes(batch["left_id"])
        weight = batch["match_weight"].to_numpy()
        decision = threshold_decisions(batch["match_probability"].to_numpy(), model)
        if limit:
            limit_matches(li, weight, decision, limit, margin)
        apply_review_rules(settings, _gamma(batch, settings), decision)
        best = np.zeros(batch.height, dtype=bool)
        if batch.height:
            order, starts = by_left_best_first(li, weight)
            best[order[starts]] = True
        return batch.with_columns(
            pl.Series("decision", decision, dtype=pl.Int8), pl.Series("__best", best)
        )

    frame = apply_polars_by_bucket(frame, "left_id", buckets, per_left)
    if not (link and groups):
        return frame

    def per_right(batch: pl.DataFrame) -> pl.DataFrame:
        batch = batch.drop("__bucket")
        decision = batch["decision"].to_numpy().copy()
        own = np.arange(batch.height)
        one_per_right(
            own,
            _codes(batch["right_id"]),
            batch["__group"],
            batch["match_weight"].to_numpy(),
            decision,
            margin,
        )
        return batch.with_columns(pl.Series("decision", decision, dtype=pl.Int8))

    return apply_polars_by_bucket(frame, "right_id", buckets, per_right)


def kept(frame: DataFrame, settings: CompiledProfile) -> DataFrame:
    """The pairs the result keeps (as :func:`reconcile.decide.kept_pairs`)."""
    from pyspark.sql import functions as F

    if settings.keep_weight_above is None:
        return frame
    keep = (F.col("match_weight") > settings.keep_weight_above) | (F.col("decision") != NON_MATCH)
    if settings.keep_best_per_left:
        keep = keep | F.col("__best")
    return frame.where(keep)


def labelled_decisions(frame: DataFrame) -> DataFrame:
    """Decision codes as the result's words (match / review / non-match)."""
    from pyspark.sql import functions as F

    words = F.element_at(F.array(*[F.lit(d) for d in DECISIONS]), F.col("decision") + 1)
    return frame.withColumn("decision", words)
