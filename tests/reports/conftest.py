"""Fixtures of the reports tests: a hand-made night, and a simulated district in the store."""

from __future__ import annotations

import datetime as dt

import night_factory as factory
import pytest

from reports import ReportInputs


@pytest.fixture
def night_inputs() -> ReportInputs:
    return ReportInputs(
        night=factory.NIGHT,
        conflicts=factory.conflicts(),
        schools=factory.SCHOOLS,
        people=factory.people(),
        student_counts=factory.student_counts(),
        trend=factory.trend(),
        previous_night=factory.PREVIOUS,
        generated_at=dt.datetime(2026, 6, 11, 2, 30, tzinfo=dt.UTC),
    )


@pytest.fixture(scope="session")
def district():
    import simulate

    return simulate.generate(400, seed=7)
