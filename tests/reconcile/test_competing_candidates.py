"""A pair's probability is weighed against its records' other candidates (reconcile.compete):
a twin outweighed by its own twin's record is no longer called a 0.999 match, and a pair with
no rival keeps what the model said."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.compete import competing_probability


def _by_hand(left, right, groups, weight, j):
    odds = 2.0 ** np.asarray(weight, dtype=float)
    rivals = {k for k in range(len(left)) if left[k] == left[j]}
    if groups is not None:
        rivals |= {k for k in range(len(left)) if right[k] == right[j] and groups[k] == groups[j]}
    return odds[j] / (1.0 + sum(odds[k] for k in rivals))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(0, 4),
            st.integers(0, 1),
            st.floats(-25, 25, allow_nan=False),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.booleans(),
)
def test_the_probability_is_the_pair_odds_over_nobody_and_every_rival(rows, right_exclusive):
    left, right, groups, weight = (np.array(c) for c in zip(*rows, strict=True))
    groups = groups if right_exclusive else None
    got = competing_probability(left, right, weight, right_groups=groups)
    expected = [_by_hand(left, right, groups, weight, j) for j in range(len(left))]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_a_twin_outweighed_by_its_own_twin_falls_and_a_lone_pair_keeps_its_probability():
    # vendor records 0 (twin A, absent from the registry) and 1 (twin B), registry record 0
    # (twin B) in one snapshot; vendor record 2 alone with registry record 1
    left = np.array([0, 1, 2])
    right = np.array([0, 0, 1])
    weight = np.array([10.0, 90.0, 12.0])  # the twin pair alone scores 0.999
    alone = 1.0 / (1.0 + 2.0**-weight)
    got = competing_probability(left, right, weight, right_groups=np.zeros(3, dtype=np.int64))
    assert alone[0] > 0.999 and got[0] < 1e-20
    assert got[1] == pytest.approx(1.0)
    assert got[2] == pytest.approx(alone[2], rel=1e-12)


def test_two_registry_records_nothing_separates_share_the_probability():
    # one student under two registry codes, the vendor record carrying neither code
    got = competing_probability(np.array([0, 0]), np.array([0, 1]), np.array([40.0, 40.0]))
    assert got == pytest.approx([0.5, 0.5])


def test_weights_of_a_hundred_bits_do_not_overflow():
    got = competing_probability(np.array([0, 0]), np.array([0, 1]), np.array([110.0, 60.0]))
    assert got[0] == pytest.approx(1.0) and 0.0 < got[1] < 1e-14
