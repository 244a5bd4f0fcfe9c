"""Decisions on scored pairs: thresholds, one match per left record, review rules, one left
record per right record in a group, and which non-matches the result keeps.

Pure numpy over pair arrays (record indices, weights, γ, decision codes), changed in place, so
that every executor calls the same rules: the single machine on all pairs at once, Spark on the
pairs of a bucket of left (or right) records at a time — the rules only ever look at the pairs
of one record, so a bucket holding all of a record's pairs gives the same answer.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.profile import CompiledProfile
from reconcile.scoring import Model

MATCH, REVIEW, NON_MATCH = 0, 1, 2
DECISIONS = ("match", "review", "non-match")


def threshold_decisions(prob: np.ndarray, model: Model) -> np.ndarray:
    """The model's word alone: match, review or non-match by the two thresholds."""
    decision = np.full(len(prob), NON_MATCH, dtype=np.int8)
    decision[prob >= model.review_threshold] = REVIEW
    decision[prob >= model.match_threshold] = MATCH
    return decision


def by_left_best_first(li: np.ndarray, match_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair positions ordered by left record, best weight first, and where each left starts."""
    order = (
        pl.DataFrame({"l": li, "w": match_weight})
        .with_row_index("i")
        .sort(["l", "w"], descending=[False, True])["i"]
        .to_numpy()
    )
    sorted_l = li[order]
    starts = np.r_[0, np.flatnonzero(sorted_l[1:] != sorted_l[:-1]) + 1]
    return order, starts


def limit_matches(
    li: np.ndarray, match_weight: np.ndarray, decision: np.ndarray, limit: int, margin: float
) -> None:
    """Keep at most ``limit`` matches per left record; close runners-up go to review (in place)."""
    if not len(li):
        return
    order, starts = by_left_best_first(li, match_weight)
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.arange(len(order)) - first
    ordered_weight = match_weight[order]
    demoted = (rank >= limit) & (decision[order] == MATCH)
    close = (ordered_weight[first] - ordered_weight) < margin
    decision[order[demoted & close]] = REVIEW
    decision[order[demoted & ~close]] = NON_MATCH


def apply_review_rules(settings: CompiledProfile, gamma: np.ndarray, decision: np.ndarray) -> None:
    """Matches resting on weak evidence become review (in place): see ``ReviewRule``."""
    index = {c.name: k for k, c in enumerate(settings.comparisons)}
    for rule in settings.review_rules:
        k = index.get(rule.comparison)
        if k is None:
            continue
        levels = settings.comparisons[k].levels
        weak = np.isin(gamma[:, k], [levels.index(lv) for lv in rule.levels if lv in levels])
        for name in rule.unless:
            if name in index:
                weak &= gamma[:, index[name]] != 0
        decision[weak & (decision == MATCH)] = REVIEW


def one_per_right(
    li: np.ndarray,
    ri: np.ndarray,
    group: pl.Series,
    match_weight: np.ndarray,
    decision: np.ndarray,
    margin: float,
) -> None:
    """A right record (a registry student) is one person per group of left records (a vendor
    snapshot): of its matches in a group only the best stays; a close runner-up goes to review
    (in place)."""
    hits = np.flatnonzero(decision == MATCH)
    if not len(hits):
        return
    frame = pl.DataFrame(
        {
            "i": hits,
            "r": ri[hits],
            "g": group.gather(li[hits]).cast(pl.Utf8).fill_null(""),
            "w": match_weight[hits],
        }
    ).sort(["r", "g", "w"], descending=[False, False, True])
    frame = frame.with_columns(
        pl.col("w").first().over(["r", "g"]).alias("best"),
        pl.int_range(pl.len()).over(["r", "g"]).alias("rank"),
    ).filter(pl.col("rank") > 0)
    if frame.height == 0:
        return
    idx = frame["i"].to_numpy()
    close = (frame["best"] - frame["w"]).to_numpy() < margin
    decision[idx[close]] = REVIEW
    decision[idx[~close]] = NON_MATCH


def kept_pairs(
    settings: CompiledProfile, li: np.ndarray, match_weight: np.ndarray, decision: np.ndarray
) -> np.ndarray | None:
    """Positions of the pairs the result keeps (``None``: all): over ``keep_weight_above``, or
    not a non-match, or (``keep_best_per_left``) each left record's best try."""
    if settings.keep_weight_above is None:
        return None
    keep = (match_weight > settings.keep_weight_above) | (decision != NON_MATCH)
    if settings.keep_best_per_left and len(li):
        order, starts = by_left_best_first(li, match_weight)
        keep[order[starts]] = True
    return np.flatnonzero(keep)
