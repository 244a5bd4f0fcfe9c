"""The school calendar: the dates of one school year that deadlines and locks hang on.

One home for it (the settings, the sync and locked-period rules and the simulator all read
it): the Ministry publishes each year's time frame, a province decides its own dates within
it, and a district writes them under ``[calendar."2025-2026"]`` in ``doisoat.toml``. Where
no year is configured the usual frame is assumed: term 1 ends mid-January, the year at the
end of May.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The usual frame (month, day): the 17th of January and the 30th of May.
_USUAL_TERM1_END = (1, 17)
_USUAL_YEAR_END = (5, 30)
_YEAR_STARTS_IN_MONTH = 8  # a night from August on belongs to the year that starts then


def school_year_of(night: dt.date) -> str:
    """``"2025-2026"`` for any night from August 2025 to July 2026."""
    start = night.year if night.month >= _YEAR_STARTS_IN_MONTH else night.year - 1
    return f"{start}-{start + 1}"


@dataclass(frozen=True)
class SchoolCalendar:
    """The dates of one school year the rules hang on."""

    school_year: str
    term1_end: dt.date
    year_end: dt.date

    @property
    def start_year(self) -> int:
        return int(self.school_year[:4])

    @classmethod
    def usual(cls, night: dt.date) -> SchoolCalendar:
        """The usual frame of the school year ``night`` belongs to."""
        year = school_year_of(night)
        end = int(year[:4]) + 1
        return cls(year, dt.date(end, *_USUAL_TERM1_END), dt.date(end, *_USUAL_YEAR_END))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SchoolCalendar:
        """From a mapping with ``school_year``, ``term1_end`` and ``year_end``."""
        return cls(str(values["school_year"]), values["term1_end"], values["year_end"])

    def previous(self) -> SchoolCalendar:
        """The year before, same dates (good enough for the deadline that crosses the summer)."""
        start = self.start_year - 1
        return SchoolCalendar(
            f"{start}-{start + 1}",
            self.term1_end.replace(year=self.term1_end.year - 1),
            self.year_end.replace(year=self.year_end.year - 1),
        )
