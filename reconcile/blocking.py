"""Candidate pairs: the union of equi-joins on each blocking rule's keys (polars, no loops)."""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.profile import BlockingRule

_L = "__l"
_R = "__r"
_K = "__pair"
_SHIFT = 1 << 32


def _keyed(frame: pl.DataFrame, rule: BlockingRule, index_name: str) -> pl.DataFrame:
    keys = list(rule.keys)
    return frame.select(
        [pl.int_range(pl.len(), dtype=pl.UInt32).alias(index_name), *keys]
    ).drop_nulls(keys)


def _drop_big_blocks(
    left: pl.DataFrame, right: pl.DataFrame | None, rule: BlockingRule
) -> tuple[pl.DataFrame, pl.DataFrame | None, int]:
    keys = list(rule.keys)
    lc = left.group_by(keys).agg(pl.len().alias("__nl"))
    if right is None:
        sizes = lc.with_columns((pl.col("__nl") * (pl.col("__nl") - 1) // 2).alias("__pairs"))
    else:
        rc = right.group_by(keys).agg(pl.len().alias("__nr"))
        sizes = lc.join(rc, on=keys, how="inner").with_columns(
            (pl.col("__nl").cast(pl.Int64) * pl.col("__nr")).alias("__pairs")
        )
    big = sizes.filter(pl.col("__pairs") > rule.max_block_pairs).select(keys)
    if big.height == 0:
        return left, right, 0
    left = left.join(big, on=keys, how="anti")
    if right is not None:
        right = right.join(big, on=keys, how="anti")
    return left, right, big.height


def _rule_pairs(
    lk: pl.DataFrame,
    rk: pl.DataFrame | None,
    keys: list[str],
    changed_left: np.ndarray | None,
    changed_right: np.ndarray | None,
) -> pl.LazyFrame:
    """One rule's pairs as 64-bit keys; with ``changed_*`` masks, only pairs that touch a
    changed row (changed × all, all × changed), so that a night blocks only what is new."""

    def only(frame: pl.DataFrame, index: str, mask: np.ndarray) -> pl.LazyFrame:
        return frame.lazy().filter(pl.Series(mask)[frame[index]].alias("__c"))

    def key(joined: pl.LazyFrame) -> pl.LazyFrame:
        return joined.select(
            (pl.col(_L).cast(pl.UInt64) * _SHIFT + pl.col(_R).cast(pl.UInt64)).alias(_K)
        )

    if rk is None:  # dedupe: each pair once, lower index first
        other = lk.lazy().rename({_L: _R})
        if changed_left is None:
            return key(lk.lazy().join(other, on=keys).filter(pl.col(_L) < pl.col(_R)))
        touched = only(lk, _L, changed_left).join(other, on=keys).filter(pl.col(_L) != pl.col(_R))
        ordered = touched.select(
            pl.min_horizontal(_L, _R).alias(_L), pl.max_horizontal(_L, _R).alias(_R)
        )
        return key(ordered)
    if changed_left is None and changed_right is None:
        return key(lk.lazy().join(rk.lazy(), on=keys))
    parts = []
    if changed_left is not None:
        parts.append(key(only(lk, _L, changed_left).join(rk.lazy(), on=keys)))
    if changed_right is not None:
        parts.append(key(lk.lazy().join(only(rk, _R, changed_right), on=keys)))
    return pl.concat(parts)


def candidate_pairs(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    rules: tuple[BlockingRule, ...],
    *,
    changed_left: np.ndarray | None = None,
    changed_right: np.ndarray | None = None,
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """Row-index pairs (``__l``, ``__r``) equal on at least one rule, each pair once.

    ``right=None`` deduplicates ``left`` against itself (only ``__l < __r``). Also returns, per
    rule, how many pairs it produced and how many over-large blocks it skipped. Boolean masks
    ``changed_left`` / ``changed_right`` keep only the pairs that touch a changed row (block
    sizes are still judged on the whole tables, so a block is skipped or not as in a full run).
    """
    parts = []
    stats: dict[str, dict[str, int]] = {}
    for rule in rules:
        lk = _keyed(left, rule, _L)
        rk = _keyed(right, rule, _R) if right is not None else None
        lk, rk, skipped = _drop_big_blocks(lk, rk, rule)
        pairs = _rule_pairs(lk, rk, list(rule.keys), changed_left, changed_right).collect()
        stats[rule.name] = {"pairs": pairs.height, "skipped_blocks": skipped}
        parts.append(pairs)
    keys64 = pl.concat(parts).unique(maintain_order=False).sort(_K)[_K]
    allpairs = pl.DataFrame(
        {
            _L: (keys64 // _SHIFT).cast(pl.UInt32),
            _R: (keys64 % _SHIFT).cast(pl.UInt32),
        }
    )
    return allpairs, stats


def pairs_union(*frames: pl.DataFrame) -> pl.DataFrame:
    """Index pairs of several sources, each pair once, in (``__l``, ``__r``) order."""
    both = pl.concat(
        [f.select(pl.col(_L).cast(pl.UInt32), pl.col(_R).cast(pl.UInt32)) for f in frames]
    )
    return both.unique().sort(_L, _R)


def random_pairs(n_left: int, n_right: int | None, count: int, seed: int) -> pl.DataFrame:
    """Uniform random pairs (the sample the u probabilities are estimated from)."""
    rng = np.random.default_rng(seed)
    if n_right is None:
        total = n_left * (n_left - 1) // 2
        count = int(min(count, total))
        li = rng.integers(0, n_left, size=count * 2)
        ri = rng.integers(0, n_left, size=count * 2)
        keep = li != ri
        li, ri = li[keep][:count], ri[keep][:count]
        lo, hi = np.minimum(li, ri), np.maximum(li, ri)
        return pl.DataFrame({_L: lo.astype(np.uint32), _R: hi.astype(np.uint32)})
    count = int(min(count, n_left * n_right))
    li = rng.integers(0, n_left, size=count)
    ri = rng.integers(0, n_right, size=count)
    return pl.DataFrame({_L: li.astype(np.uint32), _R: ri.astype(np.uint32)})
