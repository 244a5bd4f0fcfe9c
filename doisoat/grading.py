"""Grading rules of Thông tư 22/2021 (and the older TT58/TT26 results), vectorised.

The simulator uses these to write what a correct gradebook holds; the grade reconciliation uses
the same functions to recompute what a vendor exported. Every function works on numpy arrays so
that a province's grades are recomputed in a few array operations, never a loop per student.

Levels are small integers so that "two levels down" is arithmetic: TT22 academic and conduct
results are 3 = Tốt (T), 2 = Khá (K), 1 = Đạt (D), 0 = Chưa đạt (CD).
"""

from __future__ import annotations

import numpy as np

TT22_LEVELS = ("CD", "D", "K", "T")
TT22_LEVEL_NAMES_VI = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"}
TT58_ACADEMIC = ("Kem", "Y", "TB", "K", "G")
TT58_ACADEMIC_NAMES_VI = {"G": "Giỏi", "K": "Khá", "TB": "Trung bình", "Y": "Yếu", "Kem": "Kém"}
MAX_ABSENT_SESSIONS = 45


def round_half_up(values: np.ndarray | float, decimals: int = 1) -> np.ndarray:
    """Round half up to ``decimals`` places, robust to binary fractions (7.25 → 7.3, not 7.2)."""
    scale = 10.0**decimals
    arr = np.asarray(values, dtype=float)
    return np.floor(arr * scale + 0.5 + 1e-9) / scale


def term_average(
    regular_sum: np.ndarray, regular_count: np.ndarray, midterm: np.ndarray, final: np.ndarray
) -> np.ndarray:
    """ĐTBmhk = (Σ regular + 2 × midterm + 3 × final) / (number of regular + 5), one decimal."""
    return round_half_up((regular_sum + 2 * midterm + 3 * final) / (regular_count + 5))


def year_average(term1: np.ndarray, term2: np.ndarray) -> np.ndarray:
    """ĐTBmcn = (term 1 + 2 × term 2) / 3, one decimal."""
    return round_half_up((np.asarray(term1) + 2 * np.asarray(term2)) / 3)


def _tt22_level(scores: np.ndarray, failed_comment: np.ndarray) -> np.ndarray:
    """Level before the one-subject adjustment.

    ``scores`` is students × scored subjects (NaN = none).
    """
    filled = np.where(np.isnan(scores), np.inf, scores)
    lowest = filled.min(axis=1)
    at_least_8 = (scores >= 8.0).sum(axis=1)
    at_least_65 = (scores >= 6.5).sum(axis=1)
    at_least_5 = (scores >= 5.0).sum(axis=1)
    good = (failed_comment == 0) & (lowest >= 6.5) & (at_least_8 >= 6)
    fair = (failed_comment == 0) & (lowest >= 5.0) & (at_least_65 >= 6)
    passed = (failed_comment <= 1) & (at_least_5 >= 6) & (lowest >= 3.5)
    return np.select([good, fair, passed], [3, 2, 1], default=0)


def academic_tt22(scores: np.ndarray, failed_comment: np.ndarray) -> np.ndarray:
    """TT22 academic level (3 T, 2 K, 1 D, 0 CD) for a term or the year.

    ``scores``: students × scored subjects, the term (or year) averages, NaN where a student has no
    such subject. ``failed_comment``: how many comment-assessed subjects are Chưa đạt.
    When a single subject pulls the result down two or more levels, the result is raised one level
    (TT22, Điều 9): we test that by forgiving the weakest scored subject, or one failed comment
    subject, and seeing how high the level would then be.
    """
    scores = np.asarray(scores, dtype=float)
    failed_comment = np.asarray(failed_comment)
    level = _tt22_level(scores, failed_comment)
    if scores.shape[1] == 0:
        return level
    weakest = np.nanargmin(np.where(np.isnan(scores), np.inf, scores), axis=1)
    forgiven = scores.copy()
    forgiven[np.arange(scores.shape[0]), weakest] = 10.0
    without_weakest = _tt22_level(forgiven, failed_comment)
    without_one_fail = np.where(
        failed_comment >= 1, _tt22_level(scores, np.maximum(failed_comment - 1, 0)), level
    )
    best_alone = np.maximum(without_weakest, without_one_fail)
    return np.where(best_alone - level >= 2, level + 1, level)


def conduct_year_tt22(term1: np.ndarray, term2: np.ndarray) -> np.ndarray:
    """Year conduct (rèn luyện) from the two terms' levels, as TT22 Điều 8 rules it."""
    t1 = np.asarray(term1)
    t2 = np.asarray(term2)
    good = (t2 == 3) & (t1 >= 2)
    fair = ((t2 == 2) & (t1 >= 1)) | ((t2 == 1) & (t1 == 3)) | ((t2 == 3) & (t1 <= 1))
    passed = ((t2 == 1) & (t1 <= 2)) | ((t2 == 2) & (t1 == 0))
    return np.select([good, fair, passed], [3, 2, 1], default=0)


def title_tt22(academic: np.ndarray, conduct: np.ndarray, year_scores: np.ndarray) -> np.ndarray:
    """Year award: "XS" (Học sinh Xuất sắc), "G" (Học sinh Giỏi) or "" (none)."""
    both_good = (np.asarray(academic) == 3) & (np.asarray(conduct) == 3)
    nines = (np.asarray(year_scores, dtype=float) >= 9.0).sum(axis=1)
    return np.select([both_good & (nines >= 6), both_good], ["XS", "G"], default="")


def promoted_tt22(
    academic: np.ndarray, conduct: np.ndarray, absent_sessions: np.ndarray
) -> np.ndarray:
    """Lên lớp: both year results at least Đạt and at most 45 sessions absent."""
    return (
        (np.asarray(academic) >= 1)
        & (np.asarray(conduct) >= 1)
        & (np.asarray(absent_sessions) <= MAX_ABSENT_SESSIONS)
    )


def academic_tt58(
    overall: np.ndarray, math: np.ndarray, literature: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """TT58/TT26 academic level: 4 Giỏi, 3 Khá, 2 Trung bình, 1 Yếu, 0 Kém."""
    overall = np.asarray(overall, dtype=float)
    core = np.maximum(np.nan_to_num(math, nan=0.0), np.nan_to_num(literature, nan=0.0))
    lowest = np.where(np.isnan(scores), np.inf, scores).min(axis=1)
    good = (overall >= 8.0) & (core >= 8.0) & (lowest >= 6.5)
    fair = (overall >= 6.5) & (core >= 6.5) & (lowest >= 5.0)
    average = (overall >= 5.0) & (core >= 5.0) & (lowest >= 3.5)
    weak = (overall >= 3.5) & (lowest >= 2.0)
    return np.select([good, fair, average, weak], [4, 3, 2, 1], default=0)


def level_codes(levels: np.ndarray, scale: tuple[str, ...] = TT22_LEVELS) -> np.ndarray:
    """Integer levels → the codes the canonical schema stores (T/K/D/CD or G/K/TB/Y/Kem)."""
    return np.asarray(scale, dtype=object)[np.asarray(levels)]


def level_values(codes: np.ndarray, scale: tuple[str, ...] = TT22_LEVELS) -> np.ndarray:
    """Codes → integer levels; unknown codes become -1."""
    lookup = {code: i for i, code in enumerate(scale)}
    return np.array([lookup.get(c, -1) for c in codes], dtype=int)
