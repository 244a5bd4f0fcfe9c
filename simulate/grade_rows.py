"""Turn drawn scores into canonical subject-result and term-result rows (with injected errors)."""

from __future__ import annotations

import numpy as np
import polars as pl

from doisoat import grading
from doisoat.model import SUBJECT_RESULT_COLUMNS, TERM_RESULT_COLUMNS
from simulate.comments import year_comments

CONDUCT_SHARES = np.array([0.01, 0.04, 0.2, 0.75])  # CD, D, K, T


_SCORE_TEXT = pl.Series([f"{v / 2:.1f}" for v in range(21)])  # the 21 half-point scores


def _regular_json(regular: np.ndarray) -> pl.Series:
    """JSON lists of the regular scores, built column-wise (rows × slots, NaN = no score)."""
    slots = []
    for i in range(regular.shape[1]):
        column = regular[:, i]
        idx = np.where(np.isnan(column), 0, np.round(column * 2)).astype(np.int64)
        text = _SCORE_TEXT.gather(idx)
        slots.append(pl.when(pl.Series(np.isnan(column))).then(None).otherwise(text))
    frame = pl.select(pl.concat_str(slots, separator=",", ignore_nulls=True).alias("s"))
    return frame.select(pl.concat_str([pl.lit("["), pl.col("s"), pl.lit("]")])).to_series()


def _long(
    record_ids: pl.Series,
    codes: list[str],
    holds: np.ndarray,
    school_year: str,
    term: str,
    columns: dict[str, np.ndarray | pl.Series],
) -> pl.DataFrame:
    """Rows × subjects in long form: a row per record and subject, for records that hold it."""
    n, k = len(record_ids), len(codes)
    row_idx = np.repeat(np.arange(n), k)
    col_idx = np.tile(np.arange(k), n)
    keep = holds[row_idx]
    row_idx, col_idx = row_idx[keep], col_idx[keep]
    data = {
        "record_id": record_ids.gather(row_idx),
        "school_year": pl.repeat(school_year, len(row_idx), eager=True, dtype=pl.String),
        "term": pl.repeat(term, len(row_idx), eager=True, dtype=pl.String),
        "subject": pl.Series(codes, dtype=pl.String).gather(col_idx),
    }
    for name, values in columns.items():
        if isinstance(values, pl.Series):
            data[name] = values.gather(row_idx * k + col_idx) if values.len() == n * k else values
        else:
            data[name] = pl.Series(name, np.asarray(values)[row_idx, col_idx])
    frame = pl.DataFrame(data)
    missing = [
        pl.lit(None, dtype=_TYPES[c]).alias(c)
        for c in SUBJECT_RESULT_COLUMNS
        if c not in frame.columns
    ]
    return frame.with_columns(missing).select(SUBJECT_RESULT_COLUMNS)


_TYPES = {
    "regular_scores": pl.String,
    "midterm": pl.Float64,
    "final": pl.Float64,
    "average": pl.Float64,
    "rating": pl.String,
}
_RATING = pl.Series(["CD", "D"])


def emit(school_year, rows, scored, comment, term_scores, year_avg, year_ok, extra):
    """``extra``: per-record uniform draws (n × 4) for conduct and absences."""
    n = rows.height
    record_ids = rows["record_id"]
    full_year = (rows["terms"] != "1").to_numpy()
    wrong = rows["average_wrong"].to_numpy()
    pick = rows["wrong_pick"].to_numpy()
    k = len(scored)
    wrong_subject = pick % max(k, 1)
    wrong_term = np.where(~full_year, "1", np.where(pick % 2 == 0, "2", "year"))
    parts = []
    levels: dict[str, np.ndarray] = {}
    for term in ("1", "2", "year"):
        holds = np.ones(n, dtype=bool) if term == "1" else full_year
        if term == "year":
            avg, ok = year_avg.copy(), year_ok
            columns: dict = {"regular_scores": pl.repeat("[]", n * k, eager=True)}
        else:
            regular, mid, fin, avg, ok = term_scores[term]
            avg = avg.copy()
            columns = {
                "regular_scores": _regular_json(regular.reshape(n * k, -1)),
                "midterm": mid,
                "final": fin,
            }
        bump = wrong & (wrong_term == term)
        rows_idx = np.nonzero(bump)[0]
        cols_idx = wrong_subject[bump]
        shift = np.where(avg[rows_idx, cols_idx] > 9.6, -0.3, 0.3)
        avg[rows_idx, cols_idx] = grading.round_half_up(avg[rows_idx, cols_idx] + shift)
        columns["average"] = avg
        if k:
            parts.append(_long(record_ids, scored, holds, school_year, term, columns))
        if comment:
            rating = _RATING.gather(ok.astype(np.int64).reshape(-1))
            parts.append(
                _long(
                    record_ids,
                    comment,
                    holds,
                    school_year,
                    term,
                    {"regular_scores": pl.repeat("[]", rating.len(), eager=True), "rating": rating},
                )
            )
        fails = (~ok).sum(axis=1) if ok.size else np.zeros(n, dtype=int)
        true_avg = year_avg if term == "year" else term_scores[term][3]
        levels[term] = grading.academic_tt22(true_avg, fails)
    subjects = pl.concat(parts)
    terms = _term_rows(school_year, rows, levels, full_year, year_avg, extra)
    return subjects, terms


def _term_rows(school_year, rows, levels, full_year, true_year, extra):
    n = rows.height
    cumulative = np.cumsum(CONDUCT_SHARES)
    conduct1 = np.searchsorted(cumulative, extra[:, 0] * cumulative[-1])
    conduct2 = np.searchsorted(cumulative, extra[:, 1] * cumulative[-1])
    conduct_year = grading.conduct_year_tt22(conduct1, conduct2)
    absent1 = np.floor(-np.log1p(-extra[:, 2]) * 2.0).astype(np.int64)
    absent2 = np.floor(-np.log1p(-extra[:, 3]) * 2.0).astype(np.int64)
    academic_wrong = rows["academic_wrong"].to_numpy()
    pick = rows["wrong_pick"].to_numpy()
    wrong_term = np.where(~full_year, "1", np.where(pick % 2 == 0, "2", "year"))
    frames = []
    for term, conduct, exc in (
        ("1", conduct1, absent1),
        ("2", conduct2, absent2),
        ("year", conduct_year, absent1 + absent2),
    ):
        holds = np.ones(n, dtype=bool) if term == "1" else full_year
        academic = levels[term].copy()
        off = academic_wrong & (wrong_term == term)
        academic[off] = np.where(academic[off] == 3, 2, academic[off] + 1)
        unexcused = np.zeros(n, dtype=np.int64)
        promotion = title = comment = np.array([None] * n, dtype=object)
        if term == "year":
            promoted = grading.promoted_tt22(levels["year"], conduct_year, exc + unexcused)
            promotion = np.where(promoted, "promoted", "not_promoted").astype(object)
            title = grading.title_tt22(levels["year"], conduct_year, true_year).astype(object)
            title[title == ""] = None
            # the fraction of a draw already spent on conduct: independent enough for a variant
            comment = year_comments(academic, conduct, (extra[:, 0] * 97.0) % 1.0)
        frames.append(
            pl.DataFrame(
                {
                    "record_id": rows["record_id"],
                    "school_year": [school_year] * n,
                    "term": [term] * n,
                    "academic": grading.level_codes(academic).astype(str),
                    "conduct": grading.level_codes(conduct).astype(str),
                    "absent_excused": exc.astype(np.int64),
                    "absent_unexcused": unexcused,
                    "promotion": pl.Series(promotion.tolist(), dtype=pl.String),
                    "title": pl.Series(title.tolist(), dtype=pl.String),
                    "homeroom_comment": pl.Series(comment.tolist(), dtype=pl.String),
                }
            ).filter(pl.Series(holds))
        )
    return pl.concat(frames).select(TERM_RESULT_COLUMNS)
