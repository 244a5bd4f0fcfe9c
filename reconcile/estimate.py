"""Estimating a model from counts: what every executor hands over after comparing.

The single machine holds every pair's γ vector; Spark holds them spread over a cluster. Both
reduce them to the same few numbers before estimating: the distinct γ patterns with their
counts (all candidate pairs, and the labelled ones), the level shares of a random sample of
pairs (u), and per exact level how many pairs of all pairs agree on a value (Σ count_l·count_r).
From there on the estimate is this module's, and so the same on every executor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reconcile.profile import Comparison, CompiledProfile
from reconcile.scoring import Model, default_m, expectation_maximisation, level_frequencies

MIN_LABELLED_PAIRS = 20


def exact_key(comp: Comparison) -> str | None:
    """The prepared column whose equal values make this comparison's level 0 ('exact'), or
    ``None`` when no column says it (a custom comparison)."""
    if comp.kind == "name":
        return f"__{comp.name}_exact"
    return None if comp.kind == "custom" else comp.columns[0]


def exact_level_u(
    settings: CompiledProfile,
    u: list[np.ndarray],
    agreements: dict[int, tuple[float, float]],
    labelled_patterns: np.ndarray,
    labelled_counts: np.ndarray,
) -> None:
    """Replace each sampled u of the 'exact' level by its exact value over all pairs (in place).

    ``agreements[k] = (agree, total)``: of all pairs (not only candidates), how many agree on a
    value of comparison k's exact key (Σ count_left(v)·count_right(v), or Σ c(c−1)/2 for a
    dedupe) and how many have the key on both sides. The labelled matches among them are taken
    out, since u is about non-matches. A random sample of a few hundred thousand pairs cannot
    see agreements rarer than one in a million; this can.
    """
    n_labelled = float(np.sum(labelled_counts))
    for k, (agree, total) in agreements.items():
        if n_labelled > 0:
            agree -= float(np.sum(labelled_counts[labelled_patterns[:, k] == 0]))
            total -= n_labelled
        if total <= 0:
            continue
        exact = max(agree, 1.0) / total
        rest = u[k][1:]
        u[k] = np.concatenate([[exact], rest / rest.sum() * (1.0 - exact)])


def borrowed_m(settings: CompiledProfile, model: Model, n_levels: list[int]) -> list[np.ndarray]:
    """m of an earlier model for the comparisons it shares (same name, same number of levels)."""
    by_name = dict(zip(model.names, model.m, strict=True))
    start = default_m(n_levels)
    return [
        by_name[c.name] if c.name in by_name and len(by_name[c.name]) == n else fallback
        for c, n, fallback in zip(settings.comparisons, n_levels, start, strict=True)
    ]


def fit_model(
    settings: CompiledProfile,
    patterns: np.ndarray,
    counts: np.ndarray,
    labelled_patterns: np.ndarray,
    labelled_counts: np.ndarray,
    u: list[np.ndarray],
    base_model: Model | None,
    training: dict[str, Any],
) -> Model:
    """m from labelled pairs or an earlier model, then EM over the candidate pairs' patterns.

    ``patterns``/``counts``: the distinct γ vectors of all candidate pairs and their counts;
    ``labelled_*`` the same for the pairs the label column says are matches; ``u`` from random
    pairs (exact levels already from :func:`exact_level_u`). ``training`` goes into the model
    with the pair counts added.
    """
    n_levels = [len(c.levels) for c in settings.comparisons]
    n_pairs = int(np.sum(counts))
    n_labelled = int(np.sum(labelled_counts))
    if base_model is not None:
        m0, lam0 = borrowed_m(settings, base_model, n_levels), 0.01
    elif n_labelled >= MIN_LABELLED_PAIRS:
        m0 = level_frequencies(labelled_patterns, n_levels, counts=labelled_counts)
        lam0 = max(n_labelled / max(n_pairs, 1), 1e-4)
    else:
        m0, lam0 = default_m(n_levels), 0.1
    if n_pairs:
        m, _, lam, iters = expectation_maximisation(
            patterns,
            counts,
            n_levels,
            m0,
            u,
            lam0,
            settings.em_iterations,
            fixed_m=base_model is not None,
        )
    else:
        m, lam, iters = m0, lam0, 0
    return Model(
        names=[c.name for c in settings.comparisons],
        levels=[list(c.levels) for c in settings.comparisons],
        m=m,
        u=u,
        lam=lam,
        em_iterations_run=iters,
        training={"candidate_pairs": n_pairs, "labelled_pairs": n_labelled, **training},
    )
