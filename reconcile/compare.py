"""Comparison vectors: the agreement level of every candidate pair on every comparison.

All work is columnar: equalities in polars, string similarities with ``rapidfuzz.process.cpdist``
(on all cores) over only the pairs that still need it. Level ``-1`` means "missing on a side".
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from reconcile.normalise import fold, initials, join_names, lower_nfc
from reconcile.profile import Comparison, CompiledProfile

NULL = -1
TWO_TYPOS_SIMILARITY = 0.85  # folded full names this close may be one letter off in two words


def _key(comp: Comparison, part: str) -> str:
    return f"__{comp.name}_{part}"


def tf_key(comp: Comparison) -> str:
    """The column whose value frequency adjusts this comparison's exact levels."""
    return _key(comp, "fold") if comp.kind == "name" else comp.columns[0]


def prepare(frame: pl.DataFrame, settings: CompiledProfile) -> pl.DataFrame:
    """Add the profile's derived columns and the internal keys of name comparisons; an
    optional column the frame lacks is added first, as nulls (unknown)."""
    absent = {c: t for c, t in settings.optional_columns.items() if c not in frame.columns}
    if absent:
        frame = frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in absent.items())
    if settings.derive:
        frame = frame.with_columns(**dict(settings.derive))
    extra = []
    for comp in settings.comparisons:
        if comp.kind != "name":
            continue
        fam, mid, giv = comp.columns
        extra += [
            # keys of the parts (few distinct values) joined: much cheaper than keying full names
            join_names(lower_nfc(fam), lower_nfc(mid), lower_nfc(giv)).alias(_key(comp, "exact")),
            join_names(fold(fam), fold(mid), fold(giv)).alias(_key(comp, "fold")),
            fold(fam).alias(_key(comp, "family")),
            fold(giv).alias(_key(comp, "given")),
        ]
    if extra:
        frame = frame.with_columns(extra)
        more = []
        for comp in settings.comparisons:
            if comp.kind != "name":
                continue
            folded = pl.col(_key(comp, "fold"))
            more += [
                folded.str.split(" ").list.sort().list.join(" ").alias(_key(comp, "sorted")),
                initials(join_names(fold(comp.columns[0]), fold(comp.columns[1]))).alias(
                    _key(comp, "initials")
                ),
            ]
        frame = frame.with_columns(more)
    return frame


# pairs compared at once, on one thread: bounds the memory of a province's comparisons
CHUNK_PAIRS = 1 << 20


class _Column:
    """One column of one side, ready to compare by row index without gathering its values:
    64-bit hashes for equality (two different values share a hash with odds of 2^-64), the
    null mask, and the values themselves for the few pairs that need a similarity."""

    def __init__(self, values: pl.Series) -> None:
        self.values = values
        self.hash = values.hash().to_numpy()
        self.null = values.is_null().to_numpy()


def _columns(a: pl.Series, b: pl.Series, same: bool) -> tuple[_Column, _Column]:
    if a.dtype != b.dtype:
        a, b = a.cast(pl.Utf8), b.cast(pl.Utf8)
    left = _Column(a)
    return left, (left if same else _Column(b))


def _eq(a: _Column, b: _Column, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    return (a.hash[li] == b.hash[ri]) & ~a.null[li] & ~b.null[ri]


def _missing(a: _Column, b: _Column, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    return a.null[li] | b.null[ri]


def _similarity(a: _Column, b: _Column, li: np.ndarray, ri: np.ndarray, scorer) -> np.ndarray:
    return process.cpdist(
        a.values.gather(li).cast(pl.Utf8).to_list(),
        b.values.gather(ri).cast(pl.Utf8).to_list(),
        scorer=scorer,
        workers=-1,
        dtype=np.float32,
    )


def _string_levels(comp: Comparison, a: _Column, b: _Column, li, ri) -> np.ndarray:
    last = len(comp.levels) - 1
    out = np.full(len(li), last, dtype=np.int8)
    missing = _missing(a, b, li, ri)
    same = _eq(a, b, li, ri)
    out[same] = 0
    todo = np.flatnonzero(~missing & ~same)
    level = 1
    if comp.levenshtein and todo.size:
        dist = _similarity(a, b, li[todo], ri[todo], Levenshtein.distance)
        for k in comp.levenshtein:
            hit = (dist <= k) & (out[todo] == last)
            out[todo[hit]] = level
            level += 1
    else:
        level += len(comp.levenshtein)
    if comp.jaro_winkler and todo.size:
        still = todo[out[todo] == last]
        sim = _similarity(a, b, li[still], ri[still], JaroWinkler.normalized_similarity)
        for t in comp.jaro_winkler:
            hit = (sim >= t) & (out[still] == last)
            out[still[hit]] = level
            level += 1
    out[missing] = NULL
    return out


_NAME_PARTS = ("exact", "fold", "family", "given", "sorted", "initials")


def _name_columns(comp: Comparison, left, right, same: bool) -> dict[str, tuple[_Column, _Column]]:
    return {p: _columns(left[_key(comp, p)], right[_key(comp, p)], same) for p in _NAME_PARTS}


def _name_levels(comp: Comparison, cols: dict[str, tuple[_Column, _Column]], li, ri) -> np.ndarray:
    def eq(part: str) -> np.ndarray:
        return _eq(*cols[part], li, ri)

    last = len(comp.levels) - 1
    out = np.full(len(li), last, dtype=np.int8)
    missing = _missing(*cols["fold"], li, ri)
    giv = eq("given")
    rules = [eq("exact"), eq("fold"), eq("family") & giv, eq("sorted")]
    for level, hit in enumerate(rules):
        out[(out == last) & hit] = level
    todo = np.flatnonzero((out == last) & ~missing)
    if todo.size:
        sim = _similarity(*cols["fold"], li[todo], ri[todo], JaroWinkler.normalized_similarity)
        keep = sim >= TWO_TYPOS_SIMILARITY
        todo, sim = todo[keep], sim[keep]
    if todo.size:
        # close full names whose given names are not (twins: same family, middle name and
        # birth date, another given name) are two people, not a typo; a letter wrong in both
        # the family and the given name lowers the similarity below the threshold, and is one
        near = giv[todo] | (
            _similarity(*cols["given"], li[todo], ri[todo], Levenshtein.distance) <= 1
        )
        both = np.flatnonzero(near & (sim < comp.jaro_winkler[0]))
        if both.size:
            family = _similarity(
                *cols["family"], li[todo[both]], ri[todo[both]], Levenshtein.distance
            )
            near[both[family > 1]] = False
        out[todo[near]] = 4
    # family and given swapped, and one of them misspelt
    todo = np.flatnonzero((out == last) & ~missing)
    if todo.size:
        gl, fr = cols["given"][0], cols["family"][1]
        fl, gr = cols["family"][0], cols["given"][1]
        todo = todo[_eq(gl, fr, li[todo], ri[todo]) | _eq(fl, gr, li[todo], ri[todo])]
    if todo.size:
        one = _similarity(gl, fr, li[todo], ri[todo], Levenshtein.distance) <= 1
        two = _similarity(fl, gr, li[todo], ri[todo], Levenshtein.distance) <= 1
        out[todo[one & two]] = 4
    rest = (out == last) & giv
    ini = eq("initials")
    out[rest & ini] = 5
    out[rest & ~ini] = 6
    out[missing] = NULL
    return out


def _date_parts(values: pl.Series) -> tuple[np.ndarray, ...]:
    d = values.cast(pl.Date)
    parts = (d.dt.year(), d.dt.month(), d.dt.day(), d.cast(pl.Int32))
    return tuple(p.fill_null(0).cast(pl.Int32).to_numpy() for p in parts) + (
        d.is_null().to_numpy(),
    )


def _date_levels(comp: Comparison, left: tuple, right: tuple, li, ri) -> np.ndarray:
    ay, am, ad, an, a_null = (p[li] for p in left)
    by, bm, bd, bn, b_null = (p[ri] for p in right)
    missing = a_null | b_null
    out = np.full(len(li), 4, dtype=np.int8)
    exact = (ay == by) & (am == bm) & (ad == bd)
    swapped = (ay == by) & (am == bd) & (ad == bm) & ~exact
    year = (am == bm) & (ad == bd) & (np.abs(ay - by) == 1)
    close = np.abs(an - bn) <= comp.close_days
    for level, hit in ((3, close), (2, year), (1, swapped), (0, exact)):
        out[hit] = level
    out[missing] = NULL
    return out


def _custom_levels(comp: Comparison, lsel: pl.DataFrame, rsel: pl.DataFrame, li, ri) -> np.ndarray:
    function = comp.function
    assert function is not None, "compile_profile refuses a custom comparison without one"
    lidx, ridx = pl.Series(li, dtype=pl.UInt32), pl.Series(ri, dtype=pl.UInt32)
    return np.asarray(function(lsel[lidx], rsel[ridx]), dtype=np.int8)


def _sides(
    comp: Comparison, left: pl.DataFrame, right: pl.DataFrame, same: bool
) -> tuple[Any, Any]:
    """What a comparison reads of each side, made once for all chunks of pairs (a name's
    columns come as one dict of both sides)."""
    if comp.kind == "name":
        return _name_columns(comp, left, right, same), None
    if comp.kind == "custom":
        cols = list(comp.columns)
        return left.select(cols), right.select(cols)
    if comp.kind == "date":
        parts = _date_parts(left[comp.columns[0]])
        return parts, (parts if same else _date_parts(right[comp.columns[0]]))
    return _columns(left[comp.columns[0]], right[comp.columns[0]], same)


def _levels(comp: Comparison, sides: tuple[Any, Any], li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    a, b = sides
    if comp.kind == "name":
        return _name_levels(comp, a, li, ri)
    if comp.kind == "custom":
        return _custom_levels(comp, a, b, li, ri)
    if comp.kind == "date":
        return _date_levels(comp, a, b, li, ri)
    if comp.kind == "exact":
        lv = np.where(_eq(a, b, li, ri), 0, 1).astype(np.int8)
        lv[_missing(a, b, li, ri)] = NULL
        return lv
    return _string_levels(comp, a, b, li, ri)


def comparison_levels(
    settings: CompiledProfile,
    left: pl.DataFrame,
    right: pl.DataFrame,
    li: np.ndarray,
    ri: np.ndarray,
    *,
    workers: int | None = None,
) -> np.ndarray:
    """γ matrix (pairs × comparisons, int8) for the pairs ``(left[li], right[ri])``.

    Equalities compare value hashes by row index; only the pairs a similarity level still
    needs have their strings gathered. Pairs go a chunk at a time, so a province's tens of
    millions of pairs never hold their strings in memory at once, and chunks are compared on
    ``workers`` threads (default: every core): numpy's gathers and equalities release the GIL,
    so one chunk's arithmetic runs while another's strings are being made (a Spark task's
    Arrow batch is one chunk, compared on the task's own thread).
    """
    same = left is right
    li = np.asarray(li, dtype=np.int64)
    ri = np.asarray(ri, dtype=np.int64)
    gamma = np.empty((len(li), len(settings.comparisons)), dtype=np.int8)
    sides = [_sides(comp, left, right, same) for comp in settings.comparisons]

    def fill(part: slice) -> None:
        for k, comp in enumerate(settings.comparisons):
            gamma[part, k] = _levels(comp, sides[k], li[part], ri[part])

    parts = [slice(start, start + CHUNK_PAIRS) for start in range(0, len(li), CHUNK_PAIRS)]
    workers = min(workers or os.cpu_count() or 1, len(parts))
    if workers <= 1:
        for part in parts:
            fill(part)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fill, parts))
    return gamma
