"""Turn drawn scores into canonical subject-result and term-result rows (with injected errors)."""

from __future__ import annotations

import numpy as np
import polars as pl

from doisoat import grading
from doisoat.model import SUBJECT_RESULT_COLUMNS, TERM_RESULT_COLUMNS

CONDUCT_SHARES = np.array([0.01, 0.04, 0.2, 0.75])  # CD, D, K, T


def _regular_json(regular: np.ndarray, count: int) -> pl.Expr:
    cols = [pl.Series(f"r{i}", regular[:, i]) for i in range(count)]
    frame = pl.DataFrame(cols)
    return frame.select(
        pl.concat_str([pl.lit("["), pl.concat_str(frame.columns, separator=","), pl.lit("]")])
    ).to_series()


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
    counts = [int((~np.isnan(term_scores["1"][0][0, j])).sum()) if n else 0 for j in range(k)]
    parts = []
    levels: dict[str, np.ndarray] = {}
    exported_scored: dict[str, np.ndarray] = {}
    for term in ("1", "2", "year"):
        holds = np.ones(n, dtype=bool) if term == "1" else full_year
        if term == "year":
            avg = year_avg.copy()
            ok = year_ok
        else:
            regular, mid, fin, avg, ok = term_scores[term]
            avg = avg.copy()
        bump = wrong & (wrong_term == term)
        rows_idx = np.nonzero(bump)[0]
        cols_idx = wrong_subject[bump]
        shift = np.where(avg[rows_idx, cols_idx] > 9.6, -0.3, 0.3)
        avg[rows_idx, cols_idx] = grading.round_half_up(avg[rows_idx, cols_idx] + shift)
        exported_scored[term] = avg
        for j, subject in enumerate(scored):
            data = {
                "record_id": record_ids,
                "school_year": pl.Series([school_year] * n),
                "term": pl.Series([term] * n),
                "subject": pl.Series([subject] * n),
                "average": pl.Series(avg[:, j]),
            }
            if term == "year":
                data["regular_scores"] = pl.Series(["[]"] * n)
                data["midterm"] = pl.Series([None] * n, dtype=pl.Float64)
                data["final"] = pl.Series([None] * n, dtype=pl.Float64)
            else:
                data["regular_scores"] = _regular_json(regular[:, j, :], counts[j])
                data["midterm"] = pl.Series(mid[:, j])
                data["final"] = pl.Series(fin[:, j])
            data["rating"] = pl.Series([None] * n, dtype=pl.String)
            parts.append(pl.DataFrame(data).filter(pl.Series(holds)))
        for c, subject in enumerate(comment):
            rating = np.where(ok[:, c], "D", "CD")
            parts.append(pl.DataFrame({
                "record_id": record_ids,
                "school_year": pl.Series([school_year] * n),
                "term": pl.Series([term] * n),
                "subject": pl.Series([subject] * n),
                "regular_scores": pl.Series(["[]"] * n),
                "midterm": pl.Series([None] * n, dtype=pl.Float64),
                "final": pl.Series([None] * n, dtype=pl.Float64),
                "average": pl.Series([None] * n, dtype=pl.Float64),
                "rating": pl.Series(rating),
            }).filter(pl.Series(holds)))
        fails = (~ok).sum(axis=1) if ok.size else np.zeros(n, dtype=int)
        true_avg = year_avg if term == "year" else term_scores[term][3]
        levels[term] = grading.academic_tt22(true_avg, fails)
    subjects = pl.concat(parts).select(SUBJECT_RESULT_COLUMNS)
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
    for term, conduct, exc in (("1", conduct1, absent1), ("2", conduct2, absent2),
                               ("year", conduct_year, absent1 + absent2)):
        holds = np.ones(n, dtype=bool) if term == "1" else full_year
        academic = levels[term].copy()
        off = academic_wrong & (wrong_term == term)
        academic[off] = np.where(academic[off] == 3, 2, academic[off] + 1)
        unexcused = np.zeros(n, dtype=np.int64)
        promotion = title = np.array([None] * n, dtype=object)
        if term == "year":
            promoted = grading.promoted_tt22(levels["year"], conduct_year, exc + unexcused)
            promotion = np.where(promoted, "promoted", "not_promoted").astype(object)
            title = grading.title_tt22(levels["year"], conduct_year, true_year).astype(object)
            title[title == ""] = None
        frames.append(pl.DataFrame({
            "record_id": rows["record_id"],
            "school_year": [school_year] * n,
            "term": [term] * n,
            "academic": grading.level_codes(academic).astype(str),
            "conduct": grading.level_codes(conduct).astype(str),
            "absent_excused": exc.astype(np.int64),
            "absent_unexcused": unexcused,
            "promotion": pl.Series(promotion.tolist(), dtype=pl.String),
            "title": pl.Series(title.tolist(), dtype=pl.String),
        }).filter(pl.Series(holds)))
    return pl.concat(frames).select(TERM_RESULT_COLUMNS)
