"""A deterministic synthetic district: ``generate(students, seed)`` → :class:`District`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from doisoat.model import REGISTRY_SOURCE
from doisoat.vn.calendar import SchoolCalendar
from simulate import grades
from simulate.builder import Builder, problems_frame
from simulate.district import District
from simulate.enrol import class_names, problem_row
from simulate.hard import damage_records, relations_of, reshape_persons
from simulate.population import make_persons, make_schools

DEFAULT_NIGHT = dt.date(2026, 6, 10)
REGISTRY_SNAPSHOT = 1


def school_calendar(night: dt.date) -> dict[str, dt.date | str | int]:
    """The school year a night belongs to and its key dates (term ends, sync deadlines)."""
    calendar = SchoolCalendar.usual(night)
    return {
        "start_year": calendar.start_year,
        "school_year": calendar.school_year,
        "term2_start": calendar.term1_end + dt.timedelta(days=2),
        "term1_end": calendar.term1_end,
        "year_end": calendar.year_end,
    }


def generate(
    students: int,
    seed: int = 1,
    night: dt.date | None = None,
    *,
    hard: bool = False,
    schools: pl.DataFrame | None = None,
) -> District:
    """Simulate a district of about ``students`` students, the same for the same seed.

    ``hard=True`` adds what a real province has and the default leaves out (:mod:`simulate.hard`:
    students absent from the registry, twins, siblings, namesakes, double damage); the default
    simulation is unchanged by it (the additions draw from their own random stream).
    ``schools`` (as :func:`~simulate.population.make_schools` makes them) are the schools to
    fill instead of drawing them: a simulated country draws every province's schools first, so
    that a transfer can name a school of a province not simulated yet."""
    if students < 10:
        raise ValueError("simulate at least 10 students")
    night = night or DEFAULT_NIGHT
    cal = school_calendar(night)
    rng = np.random.default_rng(seed)
    schools = make_schools(rng, students) if schools is None else schools
    persons, taken = make_persons(rng, schools, students, int(cal["start_year"]))
    hard_rng = np.random.default_rng([seed, 19]) if hard else None
    if hard_rng is not None:
        persons = reshape_persons(hard_rng, persons)
    persons = persons.sort(["school_code", "grade", "person_id"])
    persons = persons.with_columns(class_names(persons).alias("class_name"))
    schools = _with_school_facts(rng, schools, night, cal)
    builder = Builder(rng, schools, persons, taken, night, cal)
    records, problems, persons_map, holdings = builder.build()
    if hard_rng is not None:
        records, persons_map, extra = damage_records(
            hard_rng, records, persons_map, problems, REGISTRY_SOURCE
        )
        problems = pl.concat([problems, problems_frame(extra)])
        holdings = holdings.filter(pl.col("record_id").is_in(records["record_id"].implode()))
    book = grades.GradeBook(seed, holdings, persons, str(cal["school_year"]))
    problems = pl.concat(
        [problems, _sync_problems(schools, cal, night), book.problems()], how="vertical_relaxed"
    )
    snapshots = pl.DataFrame(
        {
            "snapshot_id": [REGISTRY_SNAPSHOT, *schools["snapshot_id"].to_list()],
            "source": [REGISTRY_SOURCE, *schools["vendor"].to_list()],
            "school_code": [None, *schools["school_code"].to_list()],
            "night": [night] * (schools.height + 1),
        }
    )
    return District(
        seed=seed,
        night=night,
        school_year=str(cal["school_year"]),
        schools=schools.drop("weight"),
        snapshots=snapshots,
        records=records,
        persons=persons_map,
        problems=problems,
        results=book,
        relations=relations_of(persons) if hard else relations_of(None),
    )


def _with_school_facts(rng, schools: pl.DataFrame, night: dt.date, cal: dict) -> pl.DataFrame:
    n = schools.height
    vendor = schools["vendor"].to_numpy()
    roll = rng.random(n)
    export_text = np.select(
        [
            (vendor == "vietschool") & (roll < 0.4),
            (vendor == "vietschool") & (roll < 0.6),
            (vendor == "quangich") & (roll < 0.15),
        ],
        ["tcvn3", "vni", "mojibake"],
        default="unicode",
    )
    year_end: dt.date = cal["year_end"]
    lateness = rng.random(n)
    overdue = lateness < 0.05
    if n >= 5:  # every district of some size has a school behind with its synchronisation
        overdue[np.argmin(lateness)] = True
    on_time = [year_end + dt.timedelta(days=int(d)) for d in rng.integers(1, 7, n)]
    late = [cal["term1_end"] + dt.timedelta(days=int(d)) for d in rng.integers(1, 7, n)]
    last_sync = [b if o else a for a, b, o in zip(on_time, late, overdue, strict=True)]
    return schools.with_columns(
        pl.Series("export_text", export_text),
        pl.Series("last_sync", last_sync, dtype=pl.Date),
        pl.Series("snapshot_id", np.arange(2, n + 2, dtype=np.int64)),
        pl.Series("serial", np.arange(1, n + 1, dtype=np.int64)),
    )


def _sync_problems(schools: pl.DataFrame, cal: dict, night: dt.date) -> pl.DataFrame:
    deadline = cal["year_end"] + dt.timedelta(days=7)
    if night <= deadline:
        deadline = cal["term1_end"] + dt.timedelta(days=7)
    late = schools.filter(pl.col("last_sync") < deadline - dt.timedelta(days=7))
    rows = [
        problem_row(
            "SYNC_OVERDUE",
            "",
            None,
            -1,
            s["school_code"],
            last_sync=s["last_sync"],
            deadline=deadline,
        )
        for s in late.iter_rows(named=True)
    ]
    return problems_frame(rows)
