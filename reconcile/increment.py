"""Incremental linkage: tonight blocks only the records that are new or changed.

A province changes a little each night: a few transfers, corrections, new pupils. Re-blocking
and re-comparing two million records to rediscover the same million links is waste. An
:class:`Increment` says what the engine already knows — the model it learned when it last
matched everything, which records changed since, and the pairs worth scoring again (the last
run's plausible pairs) — and the engine then compares only those pairs plus the new candidate
pairs that touch a changed record. Unchanged records keep their links because the same pairs,
scored by the same model, reach the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.blocking import candidate_pairs, pairs_union
from reconcile.profile import CompiledProfile
from reconcile.scoring import Model


@dataclass(frozen=True)
class Increment:
    """``model``: reused whole (m, u, λ, thresholds; nothing is re-estimated).
    ``changed_left`` / ``changed_right``: ids of the records to block anew (for ``dedupe``
    only ``changed_left``). ``carried``: (left_id, right_id) pairs to score again; pairs with
    a changed record, or an id that no longer exists, are left out."""

    model: Model
    changed_left: pl.Series
    changed_right: pl.Series | None = None
    carried: pl.DataFrame | None = None


def fits(model: Model, settings: CompiledProfile) -> bool:
    """Whether a stored model has exactly this profile's comparisons and levels."""
    names = [c.name for c in settings.comparisons]
    levels = [list(c.levels) for c in settings.comparisons]
    return model.names == names and model.levels == levels


def _mask(frame: pl.DataFrame, id_column: str, ids: pl.Series | None) -> np.ndarray | None:
    if ids is None:
        return None
    return frame[id_column].cast(pl.Utf8).is_in(ids.cast(pl.Utf8).implode()).to_numpy()


def carried_indices(
    carried: pl.DataFrame, left: pl.DataFrame, other: pl.DataFrame, id_column: str, dedupe: bool
) -> pl.DataFrame:
    index_l = left.select(pl.col(id_column).cast(pl.Utf8).alias("left_id")).with_row_index("__l")
    index_r = other.select(pl.col(id_column).cast(pl.Utf8).alias("right_id")).with_row_index("__r")
    pairs = (
        carried.select(pl.col("left_id").cast(pl.Utf8), pl.col("right_id").cast(pl.Utf8))
        .join(index_l, on="left_id")
        .join(index_r, on="right_id")
        .select("__l", "__r")
    )
    if dedupe:
        pairs = pairs.filter(pl.col("__l") != pl.col("__r")).select(
            pl.min_horizontal("__l", "__r").alias("__l"),
            pl.max_horizontal("__l", "__r").alias("__r"),
        )
    return pairs


def _unchanged(carried: pl.DataFrame, increment: Increment) -> pl.DataFrame:
    """A changed record's old pairs are not carried: it is blocked anew, as a full run would."""
    changed = [increment.changed_left]
    if increment.changed_right is not None:
        changed.append(increment.changed_right)
    ids = pl.concat([c.cast(pl.Utf8) for c in changed]).implode()
    return carried.filter(
        ~pl.col("left_id").cast(pl.Utf8).is_in(ids) & ~pl.col("right_id").cast(pl.Utf8).is_in(ids)
    )


def increment_pairs(
    settings: CompiledProfile,
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    increment: Increment,
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """The pairs an incremental run scores: new candidates touching a changed record, and the
    carried pairs. Stats say how many of each."""
    other = right if right is not None else left
    pairs, stats = candidate_pairs(
        left,
        right,
        settings.blocking,
        changed_left=_mask(left, settings.id_column, increment.changed_left),
        changed_right=_mask(right, settings.id_column, increment.changed_right)
        if right is not None
        else None,
    )
    stats = {**stats, "incremental": {"new_candidate_pairs": pairs.height}}
    if increment.carried is not None and increment.carried.height:
        carried = carried_indices(
            _unchanged(increment.carried, increment), left, other, settings.id_column, right is None
        )
        stats["incremental"]["carried_pairs"] = carried.height
        pairs = pairs_union(pairs, carried)
    return pairs, stats
