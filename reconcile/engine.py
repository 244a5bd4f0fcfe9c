"""``link`` and ``dedupe``: block → compare → estimate → score → decide → cluster.

Pure functions over data frames (polars, or pandas converted on entry): no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from doisoat.errors import ReconcileError
from reconcile.blocking import candidate_pairs, pairs_union, random_pairs
from reconcile.cluster import clusters as make_clusters
from reconcile.compare import comparison_levels, prepare, tf_key
from reconcile.compete import one_to_one_probability
from reconcile.decide import (
    DECISIONS,
    MATCH,
    NON_MATCH,
    apply_review_rules,
    kept_pairs,
    limit_matches,
    one_per_right,
    threshold_decisions,
)
from reconcile.estimate import exact_key, exact_level_u, fit_model
from reconcile.increment import Increment, carried_indices, fits, increment_pairs
from reconcile.messages import ENGINE_VI, missing_columns_vi
from reconcile.profile import CompiledProfile, Profile, compile_profile
from reconcile.result import LinkResult
from reconcile.scoring import (
    Model,
    choose_match_threshold,
    gamma_patterns,
    level_frequencies,
    pair_weights,
    probability,
)


def _as_polars(table: Any, what: str) -> pl.DataFrame:
    if isinstance(table, pl.DataFrame):
        return table
    try:
        return pl.from_pandas(table)
    except Exception as exc:  # noqa: BLE001 - any non-frame input is the caller's mistake
        raise ReconcileError(
            f"{what} is not a polars or pandas data frame",
            message_vi=ENGINE_VI["NOT_A_FRAME"].format(what=what),
        ) from exc


def _check(frame: pl.DataFrame, settings: CompiledProfile, what: str) -> None:
    needed = set(settings.comparison_columns) | {settings.id_column}
    for rule in settings.blocking:
        needed.update(rule.keys)
    missing = sorted(c for c in needed if c not in frame.columns)
    if missing:
        raise ReconcileError(
            f"{what} lacks columns {missing}",
            message_vi=missing_columns_vi(what, missing),
            details={"missing": missing, "table": what},
        )
    if frame[settings.id_column].is_duplicated().any():
        raise ReconcileError(
            f"{what}: the id column {settings.id_column!r} has duplicate values",
            message_vi=ENGINE_VI["DUPLICATE_IDS"].format(what=what, column=settings.id_column),
        )


def _prepared(frame: pl.DataFrame, settings: CompiledProfile, what: str) -> pl.DataFrame:
    """The frame with the profile's keys; a required column it lacks is named (canonical name
    and Vietnamese words), never left to a polars error about a derived expression."""
    optional = set(settings.optional_columns)
    missing = sorted(
        c for c in settings.input_columns if c not in frame.columns and c not in optional
    )
    if not missing:
        try:
            return prepare(frame, settings)
        except pl.exceptions.ColumnNotFoundError as exc:  # a column only a derivation reads
            found = re.search(r'column "([^"]+)"', str(exc))
            if found is None:
                raise ReconcileError(
                    f"{what} lacks a column the profile needs: {exc}",
                    message_vi=ENGINE_VI["PROFILE_COLUMN"].format(what=what),
                ) from exc
            missing = [found.group(1)]
    raise ReconcileError(
        f"{what} lacks columns {missing}",
        message_vi=missing_columns_vi(what, missing),
        details={"missing": missing, "table": what},
    )


def _add_term_frequencies(
    settings: CompiledProfile, left: pl.DataFrame, right: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    for comp in settings.comparisons:
        if not comp.tf:
            continue
        key = tf_key(comp)
        values = [left[key]] + ([right[key]] if right is not None else [])
        allv = pl.concat([v.cast(pl.Utf8) for v in values]).drop_nulls()
        freq = (
            allv.value_counts()
            .with_columns((pl.col("count") / max(allv.len(), 1)).alias(f"__tf_{comp.name}"))
            .rename({key: "__key"})
            .drop("count")
        )

        def attach(frame: pl.DataFrame, key: str = key, freq: pl.DataFrame = freq) -> pl.DataFrame:
            return (
                frame.with_columns(pl.col(key).cast(pl.Utf8).alias("__key"))
                .join(freq, on="__key", how="left")
                .drop("__key")
            )

        left = attach(left)
        right = attach(right) if right is not None else None
    return left, right


def _tf_arrays(settings, left, right, li, ri) -> dict[int, tuple[list[int], np.ndarray]]:
    out = {}
    for k, comp in enumerate(settings.comparisons):
        if not comp.tf:
            continue
        col = f"__tf_{comp.name}"
        a = left[col].gather(li).to_numpy()
        b = right[col].gather(ri).to_numpy()
        levels = [0, 1] if comp.kind == "name" else [0]
        out[k] = (levels, np.fmax(a, b))
    return out


def _label_mask(settings, left, right, li, ri) -> np.ndarray | None:
    if not settings.label_column:
        return None
    a = left[settings.label_column].gather(li)
    b = right[settings.label_column].gather(ri)
    return (a == b).fill_null(False).to_numpy()


def _exact_agreements(
    settings: CompiledProfile, left: pl.DataFrame, right: pl.DataFrame | None
) -> dict[int, tuple[float, float]]:
    """Per comparison with an exact key: (pairs of all pairs agreeing on a value, pairs with the
    key on both sides), from value counts (see :func:`reconcile.estimate.exact_level_u`)."""
    out: dict[int, tuple[float, float]] = {}
    for k, comp in enumerate(settings.comparisons):
        key = exact_key(comp)
        if key is None:
            continue
        lv = left[key].drop_nulls()
        if right is None:
            counts = lv.value_counts()["count"].cast(pl.Float64)
            out[k] = (float((counts * (counts - 1) / 2).sum()), lv.len() * (lv.len() - 1) / 2)
        else:
            rv = right[key].drop_nulls()
            lc = lv.value_counts(name="__cl")
            rc = rv.value_counts(name="__cr")
            joined = lc.join(rc, on=key, how="inner")
            agree = float((joined["__cl"].cast(pl.Float64) * joined["__cr"]).sum())
            out[k] = (agree, float(lv.len()) * float(rv.len()))
    return out


def _estimate(
    settings: CompiledProfile,
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    other: pl.DataFrame,
    li: np.ndarray,
    ri: np.ndarray,
    gamma: np.ndarray,
    base_model: Model | None,
    block_stats: dict[str, Any],
) -> Model:
    """u from random pairs (exact levels from value counts), m from labelled pairs or an
    earlier model, then EM (:mod:`reconcile.estimate`, shared with the Spark executor)."""
    n_levels = [len(c.levels) for c in settings.comparisons]

    sample = random_pairs(
        left.height,
        right.height if right is not None else None,
        min(settings.u_sample_pairs, max(20 * (left.height + other.height), 20_000)),
        settings.seed,
    )
    sl, sr = sample["__l"].to_numpy(), sample["__r"].to_numpy()
    gamma_u = comparison_levels(settings, left, other, sl, sr)
    label_u = _label_mask(settings, left, other, sl, sr)
    if label_u is not None:
        gamma_u = gamma_u[~label_u]
    u = level_frequencies(gamma_u, n_levels)
    labelled = _label_mask(settings, left, other, li, ri)
    lab_patterns, lab_counts = gamma_patterns(
        gamma[labelled] if labelled is not None else gamma[:0], n_levels
    )
    exact_level_u(settings, u, _exact_agreements(settings, left, right), lab_patterns, lab_counts)
    patterns, counts = gamma_patterns(gamma, n_levels)
    training = {"u_sample_pairs": int(gamma_u.shape[0]), "blocking": block_stats}
    return fit_model(settings, patterns, counts, lab_patterns, lab_counts, u, base_model, training)


def _with_confirmed(
    pairs: pl.DataFrame,
    overrides: Any,
    settings: CompiledProfile,
    left: pl.DataFrame,
    other: pl.DataFrame,
    dedupe: bool,
) -> pl.DataFrame:
    """A pair a person confirmed is scored (and linked) even when no blocking rule finds it."""
    if overrides is None:
        return pairs
    same = _as_polars(overrides, "overrides").filter(pl.col("decision") == "same")
    if same.height == 0:
        return pairs
    swapped = same.select(
        pl.col("right_id").alias("left_id"), pl.col("left_id").alias("right_id"), "decision"
    )
    confirmed = pl.concat(
        [carried_indices(s, left, other, settings.id_column, dedupe) for s in (same, swapped)]
    )
    return pairs_union(pairs, confirmed)


def _run(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    profile: Profile,
    overrides: Any,
    base_model: Model | None,
    increment: Increment | None = None,
) -> LinkResult:
    settings = compile_profile(profile)
    left = _prepared(left, settings, "left" if right is not None else "table")
    right = _prepared(right, settings, "right") if right is not None else None
    _check(left, settings, "left" if right is not None else "table")
    if right is not None:
        _check(right, settings, "right")
    left, right = _add_term_frequencies(settings, left, right)
    other = right if right is not None else left

    if increment is not None and fits(increment.model, settings):
        pairs, block_stats = increment_pairs(settings, left, right, increment)
        pairs = _with_confirmed(pairs, overrides, settings, left, other, right is None)
        li, ri = pairs["__l"].to_numpy(), pairs["__r"].to_numpy()
        gamma = comparison_levels(settings, left, other, li, ri)
        model = replace(increment.model, training={**increment.model.training, "reused": True})
    else:
        pairs, block_stats = candidate_pairs(left, right, settings.blocking)
        pairs = _with_confirmed(pairs, overrides, settings, left, other, right is None)
        li, ri = pairs["__l"].to_numpy(), pairs["__r"].to_numpy()
        gamma = comparison_levels(settings, left, other, li, ri)
        model = _estimate(settings, left, right, other, li, ri, gamma, base_model, block_stats)

    weights = pair_weights(model, gamma, _tf_arrays(settings, left, other, li, ri))
    match_weight = weights.sum(axis=1, dtype=np.float64) + model.prior_weight
    prob = probability(match_weight)
    if right is not None:  # weighed against each record's other candidates (one-to-one)
        competing = one_to_one_probability(settings, left, li, ri, match_weight)
        prob = prob if competing is None else competing
    if not model.training.get("reused"):  # a reused model keeps the thresholds it chose
        model.match_threshold = (
            settings.match_threshold
            if settings.match_threshold is not None
            else choose_match_threshold(
                prob, settings.target_precision, settings.min_match_probability
            )
        )
        model.review_threshold = min(settings.review_threshold, model.match_threshold)

    ids_l = left[settings.id_column].cast(pl.Utf8)
    ids_r = other[settings.id_column].cast(pl.Utf8)
    decision = threshold_decisions(prob, model)
    if right is not None and settings.max_matches_per_left:
        limit_matches(
            li, match_weight, decision, settings.max_matches_per_left, settings.ambiguity_margin
        )
    apply_review_rules(settings, gamma, decision)
    if right is not None and settings.one_per_right_in in left.columns:
        one_per_right(
            li,
            ri,
            left[settings.one_per_right_in],
            match_weight,
            decision,
            settings.ambiguity_margin,
        )
    if overrides is not None:
        _apply_overrides(decision, li, ri, ids_l, ids_r, _as_polars(overrides, "overrides"))

    edges = np.flatnonzero(decision == MATCH)
    el, er = li[edges], ri[edges]
    if right is not None:
        ids = pl.concat([ids_l, ids_r])
        er = er + left.height
        auth = None
        if settings.authority_column:
            auth = pl.concat(
                [
                    pl.Series([None] * left.height, dtype=pl.Utf8),
                    right[settings.authority_column].cast(pl.Utf8),
                ]
            )
        clusters = make_clusters(ids, el, er, auth)
        clusters = clusters.with_columns(
            pl.Series("side", ["left"] * left.height + ["right"] * right.height)
        )
    else:
        auth = left[settings.authority_column].cast(pl.Utf8) if settings.authority_column else None
        clusters = make_clusters(ids_l, el, er, auth)
    kept = kept_pairs(settings, li, match_weight, decision)
    frame = _pairs_frame(
        settings, ids_l, ids_r, li, ri, gamma, weights, match_weight, prob, decision, kept
    )
    stats = {"candidate_pairs": len(li), "matches": len(edges), "blocking": block_stats}
    return LinkResult(pairs=frame, clusters=clusters, model=model, stats=stats)


def _pairs_frame(
    settings: CompiledProfile,
    ids_l: pl.Series,
    ids_r: pl.Series,
    li: np.ndarray,
    ri: np.ndarray,
    gamma: np.ndarray,
    weights: np.ndarray,
    match_weight: np.ndarray,
    prob: np.ndarray,
    decision: np.ndarray,
    kept: np.ndarray | None,
) -> pl.DataFrame:
    """The result's pairs, built once from the arrays (only the kept rows are gathered)."""
    if kept is not None:
        li, ri, gamma, weights = li[kept], ri[kept], gamma[kept], weights[kept]
        match_weight, prob, decision = match_weight[kept], prob[kept], decision[kept]
    labels = pl.Series(DECISIONS, dtype=pl.Utf8)
    return pl.DataFrame(
        [
            ids_l.gather(li).alias("left_id"),
            ids_r.gather(ri).alias("right_id"),
            pl.Series("match_weight", match_weight),
            pl.Series("match_probability", prob),
            labels.gather(decision).alias("decision"),
            *[
                pl.Series(f"gamma_{c.name}", gamma[:, k])
                for k, c in enumerate(settings.comparisons)
            ],
            *[pl.Series(f"w_{c.name}", weights[:, k]) for k, c in enumerate(settings.comparisons)],
        ]
    )


def _apply_overrides(
    decision: np.ndarray,
    li: np.ndarray,
    ri: np.ndarray,
    ids_l: pl.Series,
    ids_r: pl.Series,
    overrides: pl.DataFrame,
) -> None:
    """A human's word ('same' / 'different') beats the model, whichever way round the pair is
    (in place)."""
    o = overrides.select(
        pl.col("left_id").cast(pl.Utf8), pl.col("right_id").cast(pl.Utf8), "decision"
    )
    both = pl.concat(
        [
            o,
            o.select(
                pl.col("right_id").alias("left_id"), pl.col("left_id").alias("right_id"), "decision"
            ),
        ]
    ).unique(subset=["left_id", "right_id"], keep="first")
    index_l = ids_l.to_frame("left_id").with_row_index("__l")
    index_r = ids_r.to_frame("right_id").with_row_index("__r")
    wanted = both.join(index_l, on="left_id").join(index_r, on="right_id")
    if wanted.height == 0:
        return
    pairs = (
        pl.DataFrame({"__l": li, "__r": ri})
        .with_row_index("__pair")
        .with_columns(pl.col("__l").cast(pl.UInt32), pl.col("__r").cast(pl.UInt32))
    )
    hit = pairs.join(wanted.select("__l", "__r", "decision"), on=["__l", "__r"])
    rows = hit["__pair"].to_numpy()
    same = (hit["decision"] == "same").to_numpy()
    decision[rows[same]] = MATCH
    decision[rows[(hit["decision"] == "different").to_numpy()]] = NON_MATCH


def link(
    left: Any,
    right: Any,
    profile: Profile,
    *,
    overrides: Any = None,
    model: Model | None = None,
    increment: Increment | None = None,
) -> LinkResult:
    """Link two tables (e.g. vendor records → registry).

    ``overrides``: human decisions (left_id, right_id, decision ∈ {same, different}) that the
    model never overrules. ``model``: keep the m probabilities of an earlier, better-labelled
    linkage of the same comparisons (only u and λ are estimated on this data). ``increment``:
    score only the pairs touching changed records and the carried pairs, with a stored model
    (:mod:`reconcile.increment`); ignored when its model does not fit the profile.
    """
    return _run(
        _as_polars(left, "left"), _as_polars(right, "right"), profile, overrides, model, increment
    )


def dedupe(
    table: Any,
    profile: Profile,
    *,
    overrides: Any = None,
    model: Model | None = None,
    increment: Increment | None = None,
) -> LinkResult:
    """Find the records of one table that describe the same entity (arguments as ``link``)."""
    return _run(_as_polars(table, "table"), None, profile, overrides, model, increment)
