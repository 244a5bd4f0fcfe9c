"""Columnar comparison keys for the engine: the ground floor's fold, once per distinct value.

The key itself is ``doisoat.vn.fold`` (one definition: NFKD, marks removed, đ/Đ/Ð → d, lower
case, single spaces; punctuation kept); :func:`fold` here runs its polars twin
``doisoat.vn.fold_expr`` over a column, once per distinct value, then turns punctuation into
spaces (a linkage key compares words: «Ánh-Tuyết», «Ánh Tuyết» and «Ánh. Tuyết» are one name),
and gives null for a blank text, so that two blank names never agree. Folded values are
comparison keys only, never stored.
"""

from __future__ import annotations

import polars as pl

from doisoat.vn import fold_expr


def _word_key(e: pl.Expr) -> pl.Expr:
    """The one fold, then punctuation as word breaks."""
    spaced = fold_expr(e).str.replace_all(r"[^\w\s]", " ")
    return spaced.str.replace_all(r"\s+", " ").str.strip_chars()


def _lower_text(e: pl.Expr) -> pl.Expr:
    return e.str.normalize("NFC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _by_distinct(series: pl.Series, rule) -> pl.Series:
    """Apply a string rule once per distinct value (or per distinct word, for nearly unique
    values such as full names): names repeat, so this is several times faster than per row."""
    s = series.cast(pl.Utf8)
    distinct = s.drop_nulls().unique()
    if distinct.len() <= max(1000, s.len() // 5):
        done = pl.select(rule(pl.lit(distinct))).to_series()
        out = s.replace_strict(distinct, done, default=None)
    else:
        words = s.str.split(" ")
        distinct = words.explode().drop_nulls().unique()
        done = pl.select(rule(pl.lit(distinct))).to_series()
        out = words.list.eval(pl.element().replace_strict(distinct, done, default=None))
        out = out.list.join(" ").str.replace_all(r"\s+", " ").str.strip_chars()
    return _blank_to_null(out).alias(series.name)


def _blank_to_null(s: pl.Series) -> pl.Series:
    return s.set(s.str.len_chars().fill_null(0) == 0, None)


def fold(expr: pl.Expr | str) -> pl.Expr:
    """``doisoat.vn.fold`` of a text column with punctuation as spaces, null where the key is
    empty (blank text or punctuation only)."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.map_batches(lambda s: _by_distinct(s, _word_key), return_dtype=pl.Utf8)


def lower_nfc(expr: pl.Expr | str) -> pl.Expr:
    """Case-insensitive key that keeps diacritics (the 'exact' level of names)."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.map_batches(lambda s: _by_distinct(s, _lower_text), return_dtype=pl.Utf8)


def join_names(*parts: pl.Expr | str) -> pl.Expr:
    """Full name from its parts, skipping empty parts (null when every part is empty)."""
    cols = [pl.col(p) if isinstance(p, str) else p for p in parts]
    joined = pl.concat_str([c.fill_null("") for c in cols], separator=" ")
    joined = joined.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(joined.str.len_chars() > 0).then(joined).otherwise(None)


def digits(expr: pl.Expr | str, width: int | None = None) -> pl.Expr:
    """Digits only (Excel's ``1234567890.0`` and spaces removed), optionally left-padded."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    d = e.cast(pl.Utf8).str.strip_chars().str.replace(r"\.0+$", "").str.replace_all(r"\D", "")
    if width is not None:
        d = pl.when(d.str.len_chars() < width).then(d.str.pad_start(width, "0")).otherwise(d)
    return pl.when(d.str.len_chars() > 0).then(d).otherwise(None)


def initials(expr: pl.Expr | str) -> pl.Expr:
    """First letters of each word of an already-folded name ('nguyen van an' → 'nva')."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.str.replace_all(r"(\S)\S*\s*", "$1")
