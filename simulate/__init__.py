"""A synthetic district with ground truth: the demo, the tests and the benchmarks run on it."""

from simulate.district import District
from simulate.generate import DEFAULT_NIGHT, generate, school_calendar
from simulate.nights import next_night

__all__ = ["DEFAULT_NIGHT", "District", "generate", "next_night", "school_calendar"]
