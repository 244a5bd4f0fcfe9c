"""Comparison vectors: the agreement level of every candidate pair on every comparison.

All work is columnar: equalities in polars, string similarities with ``rapidfuzz.process.cpdist``
(on all cores) over only the pairs that still need it. Level ``-1`` means "missing on a side".
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from reconcile.normalise import fold, initials, join_names, lower_nfc
from reconcile.profile import Comparison, Settings

NULL = -1


def _key(comp: Comparison, part: str) -> str:
    return f"__{comp.name}_{part}"


def tf_key(comp: Comparison) -> str:
    """The column whose value frequency adjusts this comparison's exact levels."""
    return _key(comp, "fold") if comp.kind == "name" else comp.columns[0]


def prepare(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Add the profile's derived columns and the internal keys of name comparisons."""
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


def _similarity(a: pl.Series, b: pl.Series, scorer) -> np.ndarray:
    if a.len() == 0:
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(
        a.cast(pl.Utf8).to_list(),
        b.cast(pl.Utf8).to_list(),
        scorer=scorer,
        workers=-1,
        dtype=np.float32,
    )


def _eq(a: pl.Series, b: pl.Series) -> np.ndarray:
    return (a == b).fill_null(False).to_numpy()


def _string_levels(comp: Comparison, a: pl.Series, b: pl.Series) -> np.ndarray:
    n = a.len()
    out = np.full(n, len(comp.levels) - 1, dtype=np.int8)
    missing = (a.is_null() | b.is_null()).to_numpy()
    same = _eq(a, b)
    out[same] = 0
    todo = np.flatnonzero(~missing & ~same)
    level = 1
    if comp.levenshtein and todo.size:
        dist = _similarity(a.gather(todo), b.gather(todo), Levenshtein.distance)
        for k in comp.levenshtein:
            hit = (dist <= k) & (out[todo] == len(comp.levels) - 1)
            out[todo[hit]] = level
            level += 1
    else:
        level += len(comp.levenshtein)
    if comp.jaro_winkler and todo.size:
        still = todo[out[todo] == len(comp.levels) - 1]
        sim = _similarity(a.gather(still), b.gather(still), JaroWinkler.normalized_similarity)
        for t in comp.jaro_winkler:
            hit = (sim >= t) & (out[still] == len(comp.levels) - 1)
            out[still[hit]] = level
            level += 1
    out[missing] = NULL
    return out


def _name_levels(comp: Comparison, left: pl.DataFrame, right: pl.DataFrame) -> np.ndarray:
    def pair(part: str) -> tuple[pl.Series, pl.Series]:
        return left[_key(comp, part)], right[_key(comp, part)]

    n = left.height
    last = len(comp.levels) - 1
    out = np.full(n, last, dtype=np.int8)
    a_fold, b_fold = pair("fold")
    missing = (a_fold.is_null() | b_fold.is_null()).to_numpy()
    fam = _eq(*pair("family"))
    giv = _eq(*pair("given"))
    ini = _eq(*pair("initials"))
    rules = [
        _eq(*pair("exact")),
        _eq(a_fold, b_fold),
        fam & giv,
        _eq(*pair("sorted")),
    ]
    for level, hit in enumerate(rules):
        out[(out == last) & hit] = level
    todo = np.flatnonzero((out == last) & ~missing)
    if todo.size:
        sim = _similarity(
            a_fold.gather(todo), b_fold.gather(todo), JaroWinkler.normalized_similarity
        )
        close = sim >= comp.jaro_winkler[0]
        out[todo[close]] = 4
    rest = (out == last) & giv
    out[rest & ini] = 5
    out[rest & ~ini] = 6
    out[missing] = NULL
    return out


def _date_levels(comp: Comparison, a: pl.Series, b: pl.Series) -> np.ndarray:
    missing = (a.is_null() | b.is_null()).to_numpy()
    a, b = a.cast(pl.Date), b.cast(pl.Date)
    ay, am, ad = (s.to_numpy() for s in (a.dt.year(), a.dt.month(), a.dt.day()))
    by, bm, bd = (s.to_numpy() for s in (b.dt.year(), b.dt.month(), b.dt.day()))
    days = np.abs((a.cast(pl.Int32) - b.cast(pl.Int32)).fill_null(0).to_numpy())
    out = np.full(a.len(), 4, dtype=np.int8)
    exact = (ay == by) & (am == bm) & (ad == bd)
    swapped = (ay == by) & (am == bd) & (ad == bm) & ~exact
    year = (am == bm) & (ad == bd) & (np.abs(ay - by) == 1)
    close = days <= comp.close_days
    for level, hit in ((3, close), (2, year), (1, swapped), (0, exact)):
        out[hit] = level
    out[missing] = NULL
    return out


def comparison_levels(
    settings: Settings, left: pl.DataFrame, right: pl.DataFrame, li: np.ndarray, ri: np.ndarray
) -> np.ndarray:
    """γ matrix (pairs × comparisons, int8) for the pairs ``(left[li], right[ri])``."""
    gamma = np.empty((len(li), len(settings.comparisons)), dtype=np.int8)
    lidx = pl.Series(li, dtype=pl.UInt32)
    ridx = pl.Series(ri, dtype=pl.UInt32)
    for k, comp in enumerate(settings.comparisons):
        if comp.kind == "name":
            cols = [
                _key(comp, p) for p in ("exact", "fold", "family", "given", "sorted", "initials")
            ]
            gamma[:, k] = _name_levels(comp, left.select(cols)[lidx], right.select(cols)[ridx])
            continue
        if comp.kind == "custom":
            cols = list(comp.columns)
            levels = comp.function(left.select(cols)[lidx], right.select(cols)[ridx])
            gamma[:, k] = np.asarray(levels, dtype=np.int8)
            continue
        a = left[comp.columns[0]].gather(lidx)
        b = right[comp.columns[0]].gather(ridx)
        if comp.kind == "exact":
            lv = np.where(_eq(a, b), 0, 1).astype(np.int8)
            lv[(a.is_null() | b.is_null()).to_numpy()] = NULL
            gamma[:, k] = lv
        elif comp.kind == "string":
            gamma[:, k] = _string_levels(comp, a, b)
        else:
            gamma[:, k] = _date_levels(comp, a, b)
    return gamma
