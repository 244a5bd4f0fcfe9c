"""Fellegi–Sunter scoring: u from random pairs, m from labelled pairs then EM, TF adjustments.

EM runs over *patterns* (distinct comparison vectors with their counts), not over pairs: a
million candidate pairs rarely show more than a few thousand patterns, so each iteration is tiny.
EM estimates m, λ and a candidate-set u; the weights use m from EM and u from random pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from reconcile.compare import NULL

_EPS = 1e-9
M_FLOOR = 1e-4


@dataclass
class Model:
    """Estimated parameters: per comparison, m and u for each level; λ; the chosen thresholds."""

    names: list[str]
    levels: list[list[str]]
    m: list[np.ndarray]
    u: list[np.ndarray]
    lam: float
    match_threshold: float = 0.9
    review_threshold: float = 0.05
    em_iterations_run: int = 0
    training: dict[str, Any] = field(default_factory=dict)

    @property
    def prior_weight(self) -> float:
        lam = min(max(self.lam, _EPS), 1 - _EPS)
        return float(np.log2(lam / (1 - lam)))

    def level_weights(self) -> list[np.ndarray]:
        return [
            np.log2(np.maximum(m, _EPS) / np.maximum(u, _EPS))
            for m, u in zip(self.m, self.u, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        weights = self.level_weights()
        return {
            "lambda": self.lam,
            "prior_weight": self.prior_weight,
            "match_threshold": self.match_threshold,
            "review_threshold": self.review_threshold,
            "em_iterations_run": self.em_iterations_run,
            "training": self.training,
            "comparisons": [
                {
                    "name": name,
                    "levels": [
                        {"level": lv, "m": float(m), "u": float(u), "weight": float(w)}
                        for lv, m, u, w in zip(levels, mm, uu, ww, strict=True)
                    ],
                }
                for name, levels, mm, uu, ww in zip(
                    self.names, self.levels, self.m, self.u, weights, strict=True
                )
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        comps = data["comparisons"]
        return cls(
            names=[c["name"] for c in comps],
            levels=[[lv["level"] for lv in c["levels"]] for c in comps],
            m=[np.array([lv["m"] for lv in c["levels"]]) for c in comps],
            u=[np.array([lv["u"] for lv in c["levels"]]) for c in comps],
            lam=data["lambda"],
            match_threshold=data["match_threshold"],
            review_threshold=data["review_threshold"],
            em_iterations_run=data.get("em_iterations_run", 0),
            training=data.get("training", {}),
        )


def level_frequencies(
    gamma: np.ndarray,
    n_levels: list[int],
    smoothing: float = 1.0,
    counts: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Share of each level among non-missing values, per comparison (add-``smoothing`` counts).

    ``gamma`` is one row per pair, or one row per pattern with its number of pairs in ``counts``
    (what a distributed executor collects: the same answer from a few thousand rows)."""
    out = []
    for k, n in enumerate(n_levels):
        col = gamma[:, k]
        present = col != NULL
        weights = None if counts is None else np.asarray(counts, dtype=float)[present]
        found = np.bincount(col[present].astype(np.int64), weights=weights, minlength=n)
        counts_k = found[:n].astype(float) + smoothing
        out.append(counts_k / counts_k.sum())
    return out


def default_m(n_levels: list[int]) -> list[np.ndarray]:
    """A starting point when no labels exist: most matches agree, few fall to 'else'."""
    out = []
    for n in n_levels:
        raw = np.array([0.5**i for i in range(n)], dtype=float)
        raw[-1] = 0.02
        out.append(raw / raw.sum())
    return out


def gamma_patterns(
    gamma: np.ndarray, n_levels: list[int], counts: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct comparison vectors of ``gamma`` (a fixed order) and how many pairs show each:
    what EM needs. ``counts``: rows of ``gamma`` stand for that many pairs each (a distributed
    executor's ``groupBy`` of the γ columns, partial counts merged here)."""
    radix = np.array(n_levels, dtype=np.int64) + 1
    mult = np.concatenate([[1], np.cumprod(radix[:-1])]).astype(np.int64)
    keys = (gamma.astype(np.int64) + 1) @ mult
    weight = np.ones(len(keys)) if counts is None else np.asarray(counts, dtype=float)
    counted = (
        pl.DataFrame({"k": keys, "w": weight})
        .group_by("k")
        .agg(pl.col("w").sum().alias("count"))
        .sort("k")
    )
    uniq = counted["k"].to_numpy()
    counts = counted["count"].to_numpy().astype(float)
    decoded = ((uniq[:, None] // mult[None, :]) % radix[None, :]) - 1
    return decoded.astype(np.int8), counts


def _log_likelihood(patterns: np.ndarray, probs: list[np.ndarray]) -> np.ndarray:
    total = np.zeros(patterns.shape[0])
    for k, p in enumerate(probs):
        col = patterns[:, k]
        present = col != NULL
        total[present] += np.log(np.maximum(p[col[present]], _EPS))
    return total


def expectation_maximisation(
    patterns: np.ndarray,
    counts: np.ndarray,
    n_levels: list[int],
    m: list[np.ndarray],
    u: list[np.ndarray],
    lam: float,
    iterations: int,
    tolerance: float = 1e-6,
    fixed_m: bool = False,
) -> tuple[list[np.ndarray], list[np.ndarray], float, int]:
    """Fixed-point iteration for m, u and λ over the comparison-vector patterns.

    ``patterns`` (distinct γ vectors, -1 = missing) with ``counts`` (pairs per pattern): from
    :func:`gamma_patterns` on one machine, from a ``groupBy`` count on Spark.

    u is re-estimated too, but only to explain the candidate pairs: blocking makes non-matches
    among candidates agree far more than random pairs do, and a fixed random-sample u would push
    them into the match class. The caller scores with the random-sample u (the population's).
    ``fixed_m`` keeps m as given (m borrowed from a better-labelled linkage of the same fields).
    """
    patterns = np.asarray(patterns, dtype=np.int8)
    counts = np.asarray(counts, dtype=float)
    m = [x.copy() for x in m]
    u = [x.copy() for x in u]
    done = 0
    for iteration in range(1, iterations + 1):
        done = iteration
        lam_c = min(max(lam, _EPS), 1 - _EPS)
        logit = (
            np.log(lam_c)
            + _log_likelihood(patterns, m)
            - np.log(1 - lam_c)
            - _log_likelihood(patterns, u)
        )
        post = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        new_lam = float((post * counts).sum() / counts.sum())
        delta = abs(new_lam - lam)
        updates = [(u, (1 - post) * counts)] + ([] if fixed_m else [(m, post * counts)])
        for probs, weight in updates:
            for k, n in enumerate(n_levels):
                col = patterns[:, k]
                present = col != NULL
                sums = (
                    np.bincount(
                        col[present].astype(np.int64), weights=weight[present], minlength=n
                    )[:n]
                    + 1e-3
                )
                new = sums / sums.sum()
                delta = max(delta, float(np.abs(new - probs[k]).max()))
                probs[k] = new
        lam = new_lam
        if delta < tolerance:
            break
    # No level is impossible for a match: a typo in a parent's name must not cost 20 bits.
    m = [np.maximum(x, M_FLOOR) / np.maximum(x, M_FLOOR).sum() for x in m]
    return m, u, lam, done


def pair_weights(
    model: Model, gamma: np.ndarray, tf_adjust: dict[int, tuple[list[int], np.ndarray]]
) -> np.ndarray:
    """Per-pair, per-comparison match weight (bits), term-frequency adjusted where asked.

    ``tf_adjust[k] = (levels, tf)``: at those levels of comparison k, the pair's value frequency
    ``tf`` replaces the average u, i.e. the weight gains ``log2(u_level / tf)``.
    """
    weights = np.zeros(gamma.shape, dtype=np.float32)
    for k, w in enumerate(model.level_weights()):
        col = gamma[:, k]
        present = col != NULL
        weights[present, k] = w[col[present]]
        if k in tf_adjust:
            levels, tf = tf_adjust[k]
            for level in levels:
                hit = (col == level) & ~np.isnan(tf)
                adj = np.log2(model.u[k][level] / np.maximum(tf[hit], _EPS))
                weights[hit, k] += np.clip(adj, -10, 10).astype(np.float32)
    return weights


def probability(match_weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(match_weight, -60, 60)))


def choose_match_threshold(
    probabilities: np.ndarray, target: float, floor: float, counts: np.ndarray | None = None
) -> float:
    """Lowest threshold whose accepted pairs' expected precision still reaches ``target``.

    ``counts``: ``probabilities`` are distinct values, each held by that many pairs (what a
    distributed executor collects instead of every pair's probability)."""
    if counts is not None:
        return _threshold_from_counts(np.asarray(probabilities), np.asarray(counts), target, floor)
    p = np.sort(probabilities)[::-1]
    if p.size == 0:
        return floor
    expected_precision = np.cumsum(p) / np.arange(1, p.size + 1)
    ok = np.flatnonzero(expected_precision >= target)
    threshold = float(p[ok[-1]]) if ok.size else 1.0
    return max(threshold, floor)


def _threshold_from_counts(
    values: np.ndarray, counts: np.ndarray, target: float, floor: float
) -> float:
    """:func:`choose_match_threshold` over (value, count) runs. Within a run of equal values the
    running mean moves monotonically towards the value, so it reaches ``target`` somewhere in
    the run exactly when it does at the run's first or last pair."""
    order = np.argsort(values)[::-1]
    v, c = values[order].astype(float), counts[order].astype(float)
    if v.size == 0 or c.sum() == 0:
        return floor
    n_end, s_end = np.cumsum(c), np.cumsum(v * c)
    first = (s_end - v * c + v) / (n_end - c + 1)
    ok = np.flatnonzero(((first >= target) | (s_end / n_end >= target)) & (c > 0))
    threshold = float(v[ok[-1]]) if ok.size else 1.0
    return max(threshold, floor)
