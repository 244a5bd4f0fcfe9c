"""The simulated district: canonical tables plus the ground truth of every injected problem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from doisoat.model import REGISTRY_SOURCE

if TYPE_CHECKING:
    from simulate.grades import GradeBook


# The principal's recorded approvals of changes to locked grades, as the simulator writes them.
APPROVAL_SCHEMA = {
    "school_code": pl.String,
    "local_id": pl.String,
    "subject": pl.String,
    "term": pl.String,
    "approved_by": pl.String,
    "approved_at": pl.Date,
    "witness": pl.String,
    "reason": pl.String,
}


RELATION_SCHEMA = {"person_id": pl.Int64, "relation": pl.String, "of_person_id": pl.Int64}


@dataclass
class District:
    """Everything a night of a simulated district holds, in the canonical schema.

    ``records`` holds every source's student records, the registry's (``source == REGISTRY_SOURCE``)
    included; ``persons`` maps each record to the real person behind it (the truth the linkage is
    measured against); ``problems`` lists every injected problem with the records it touches.
    ``schools`` also says how each school's exports are damaged (``export_text``: unicode, tcvn3,
    vni or mojibake) and when it last synchronised with the registry (``last_sync``).
    Grades are generated on demand: ``subject_results`` / ``term_results`` materialise them,
    ``result_chunks()`` streams them for provinces that do not fit in memory at once.
    ``approvals`` are the principal's recorded approvals of changes to locked grades.
    """

    seed: int
    night: dt.date
    school_year: str
    schools: pl.DataFrame  # school_code, name, level, province_code, district, vendor, ...
    snapshots: pl.DataFrame  # snapshot_id, source, school_code, night
    records: pl.DataFrame  # STUDENT_COLUMNS
    persons: pl.DataFrame  # record_id, person_id
    problems: pl.DataFrame  # problem, record_id, other_record_id, person_id, school_code, detail
    results: GradeBook
    approvals: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=APPROVAL_SCHEMA))
    # hard simulation only: who is whose twin, sibling or namesake (person_id, relation, of)
    relations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RELATION_SCHEMA))

    @property
    def subject_results(self) -> pl.DataFrame:
        return self.results.frames()[0]

    @property
    def term_results(self) -> pl.DataFrame:
        return self.results.frames()[1]

    def result_chunks(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        return self.results.chunks()

    def summary(self) -> dict[str, int]:
        return {
            "schools": self.schools.height,
            "records": self.records.height,
            "registry_records": self.records.filter(pl.col("source") == REGISTRY_SOURCE).height,
            "vendor_records": self.records.filter(pl.col("source") != REGISTRY_SOURCE).height,
            "problems": self.problems.height,
        }
