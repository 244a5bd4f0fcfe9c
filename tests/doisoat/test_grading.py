"""TT22 and TT58 grading rules, checked against worked examples and by property."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from doisoat import grading

NAN = float("nan")


def test_round_half_up_is_not_bankers_rounding():
    assert grading.round_half_up(np.array([7.25, 7.35, 6.45, 8.05, 5.0]))[:5].tolist() == [
        7.3,
        7.4,
        6.5,
        8.1,
        5.0,
    ]


def test_term_average_worked_example():
    # regular 8, 9, 7 (sum 24, three of them), midterm 8, final 7.5:
    # (24 + 16 + 22.5) / 8 = 7.8125 → 7.8
    assert grading.term_average(
        np.array([24.0]), np.array([3]), np.array([8.0]), np.array([7.5])
    ).tolist() == [7.8]


def test_year_average_weights_term_two_double():
    assert grading.year_average(np.array([6.0]), np.array([7.5])).tolist() == [7.0]
    assert grading.year_average(np.array([8.2]), np.array([8.3])).tolist() == [8.3]  # 8.2667


def _level(scores, fails=0):
    return int(grading.academic_tt22(np.array([scores], dtype=float), np.array([fails]))[0])


def test_academic_tot_needs_six_above_eight_and_none_below_six_and_a_half():
    assert _level([8.0, 8.5, 9.0, 8.0, 8.1, 8.2, 6.5, 7.0]) == 3
    assert _level([8.0, 8.5, 9.0, 8.0, 8.1, 7.9, 6.5, 7.0]) == 2  # only five at 8.0


def test_academic_dat_and_chua_dat():
    assert _level([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 3.5, 4.0]) == 1
    assert _level([5.0, 5.0, 5.0, 5.0, 5.0, 4.9, 3.5, 4.0]) == 0


def test_one_subject_pulling_down_two_levels_is_raised_one():
    # Everything Tốt but one subject at 3.0: below 3.5 makes it Chưa đạt (0); without that
    # subject the student is Tốt (3): three levels down because of one subject → Đạt.
    assert _level([9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 3.0]) == 1
    # Tốt student with one comment subject Chưa đạt: plain Đạt (1), forgiven Tốt (3) → Khá.
    assert _level([9.0] * 8, fails=1) == 2
    # One level down because of one subject stays as it is.
    assert _level([9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 6.0]) == 2


def test_missing_subjects_are_ignored():
    assert _level([9.0, 9.0, 9.0, 9.0, 9.0, 9.0, NAN, NAN]) == 3


def test_conduct_year_table():
    t, k, d, cd = 3, 2, 1, 0
    cases = {
        (k, t): t,
        (t, t): t,
        (d, t): k,
        (cd, t): k,
        (t, k): k,
        (k, k): k,
        (d, k): k,
        (cd, k): d,
        (t, d): k,
        (k, d): d,
        (d, d): d,
        (cd, d): d,
        (t, cd): cd,
        (cd, cd): cd,
    }
    t1 = np.array([a for a, _ in cases])
    t2 = np.array([b for _, b in cases])
    assert grading.conduct_year_tt22(t1, t2).tolist() == list(cases.values())


def test_titles_and_promotion():
    scores = np.array([[9.0] * 6 + [8.0, 8.0], [8.0] * 8])
    assert grading.title_tt22(np.array([3, 3]), np.array([3, 3]), scores).tolist() == ["XS", "G"]
    assert grading.promoted_tt22(
        np.array([1, 0, 2]), np.array([1, 3, 2]), np.array([45, 0, 46])
    ).tolist() == [True, False, False]


def test_tt58_levels():
    scores = np.array([[8.5, 8.0, 8.0], [7.0, 6.5, 6.5], [9.0, 4.0, 9.0], [3.0, 3.0, 1.0]])
    overall = scores.mean(axis=1)
    levels = grading.academic_tt58(overall, scores[:, 0], scores[:, 1], scores)
    assert levels.tolist() == [4, 3, 2, 0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 10).map(lambda x: round(x, 1)), min_size=6, max_size=10),
    st.integers(0, 3),
)
def test_better_scores_never_lower_the_level(scores, fails):
    base = _level(scores, fails)
    better = [min(10.0, s + 1.0) for s in scores]
    assert _level(better, fails) >= base
    assert _level(scores, max(fails - 1, 0)) >= base


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=1, max_size=4), st.floats(0, 10), st.floats(0, 10))
def test_term_average_stays_within_the_scores(regular, mid, fin):
    regular = [round(x, 1) for x in regular]
    avg = grading.term_average(
        np.array([sum(regular)]),
        np.array([len(regular)]),
        np.array([round(mid, 1)]),
        np.array([round(fin, 1)]),
    )[0]
    low = min(regular + [round(mid, 1), round(fin, 1)])
    high = max(regular + [round(mid, 1), round(fin, 1)])
    assert low - 0.05 <= avg <= high + 0.05
