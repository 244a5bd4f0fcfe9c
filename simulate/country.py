"""A simulated country, province by province: what the national run (on Spark) reads.

A country is simulated as its 34 provinces (since 1 July 2025, Nghị quyết 202/2025/QH15), each a
:func:`simulate.generate` district of its own size, plus the stories that only a national view
sees (:mod:`simulate.crossings`): a student who moved between provinces and is enrolled twice,
nowhere, or under a new code; one student under two registry codes in two provinces; one code
held by two students of two provinces. :func:`simulate_country` yields one province's frames at
a time, so a country of millions is written with the memory of its largest province
(:func:`simulate.country_files.write_country` writes them).

Layout (the contract between ``doisoat simulate --country`` / ``doisoat export``, which write
it, and ``doisoat country``, which reads it)::

    <root>/manifest.json                          what is below: provinces and their sizes, seed,
                                                  night, school year, datasets, counts
    <root>/records/province=PP/part-*.parquet     student records, the canonical columns of
                                                  DESIGN.md typed as the store types them (String,
                                                  Int64, Date); ``source`` = moet for the
                                                  registry, the vendor's name otherwise
    <root>/schools/province=PP/part-*.parquet     the province's schools (code, name, level,
                                                  vendor, snapshot_id …)
    <root>/truth/province=PP/part-*.parquet       simulated only: record_id → person_id
    <root>/problems/province=PP/part-*.parquet    simulated only: every injected problem
    <root>/relations/province=PP/part-*.parquet   simulated with --hard only: twins, siblings,
                                                  namesakes (person_id, relation, of_person_id)

``PP`` is the two-digit code of the 2025 province (``01`` Hà Nội, ``79`` Hồ Chí Minh …, the keys
of :data:`doisoat.vn.PROVINCES_2025`), written as text with its leading zero; the files hold no
``province`` column (the folder gives it, Hive style). Readers must keep it text: Spark infers
``01`` as the integer 1 unless ``spark.sql.sources.partitionColumnTypeInference.enabled`` is
false; polars needs ``hive_schema={"province": pl.String}``. A school's own code keeps the
pre-2025 code of the province that opened it (``74…`` schools are in province ``79``).

Identifiers are unique across the country: a snapshot id is ``int("1" + PP + n)`` for the
province's n-th snapshot (its registry snapshot is ``1PP1``), so ``record_id`` =
``source:snapshot:local_id`` never repeats between provinces; ``person_id`` (truth) is
``int(PP) * 10**9 +`` the person's number in their home province, and a student who moved keeps
it in both provinces. Truth ``problems`` columns: ``problem`` (as a district's truth names them:
a conflict type of :mod:`doisoat.conflict_types`, a text mark such as ``TEXT_NFD``, or
``TRANSFER`` for a move released and received across provinces, no conflict but a link to
find), ``record_id``, ``other_record_id``, ``person_id`` (-1 for a school's own problem, such as
``SYNC_OVERDUE``), ``school_code``, ``detail`` (JSON text), ``cross_province`` (true for the
national stories). A problem is written with the province whose records it was made in (a
receiving province for a move's story).

``manifest.json`` says ``kind``: ``simulated`` (all the datasets above) or ``export`` (``doisoat
export``: records and schools only, one entry per province that exported into the folder, each
with the night of its newest snapshot; the manifest's ``night`` is the newest of them).

Sizes: the students of a province are taken proportional to its population (assumption: the
school-age share is the same everywhere). :data:`POPULATION_2023` holds the 63 former provinces'
average population of 2023 in thousands, rounded, as the General Statistics Office's statistical
yearbook (Niên giám thống kê 2023) gives it approximately; a 2025 province is the sum of its
predecessors, which also gives the mix of pre-2025 codes among its schools. Hồ Chí Minh (with
Bình Dương and Bà Rịa–Vũng Tàu, ≈ 13 %) and Hà Nội (≈ 9 %) are the largest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from doisoat.model import REGISTRY_SOURCE, STUDENT_COLUMNS, StudentRecordBase
from doisoat.vn import PROVINCES_2025
from simulate.crossings import Crossings
from simulate.district import RELATION_SCHEMA, District
from simulate.generate import DEFAULT_NIGHT, generate, school_calendar
from simulate.population import make_schools

POPULATION_2023: dict[str, int] = {
    "01": 8587, "02": 899, "04": 547, "06": 326, "08": 805, "10": 771, "11": 640, "12": 482,
    "14": 1300, "15": 847, "17": 885, "19": 1337, "20": 802, "22": 1381, "24": 1922, "25": 1510,
    "26": 1211, "27": 1517, "30": 1956, "31": 2097, "33": 1290, "34": 1882, "35": 885,
    "36": 1887, "37": 1010, "38": 3760, "40": 3471, "42": 1323, "44": 918, "45": 650,
    "46": 1160, "48": 1245, "49": 1520, "51": 1248, "52": 1505, "54": 877, "56": 1253,
    "58": 599, "60": 1250, "62": 580, "64": 1590, "66": 1918, "67": 670, "68": 1332, "70": 1030,
    "72": 1190, "74": 2763, "75": 3255, "77": 1188, "79": 9456, "80": 1734, "82": 1790,
    "83": 1300, "84": 1020, "86": 1030, "87": 1600, "89": 1906, "91": 1760, "92": 1260,
    "93": 730, "94": 1200, "95": 920, "96": 1210,
}  # fmt: skip
"""Average population of 2023 per former province, thousands (approximate, GSO yearbook)."""

MIN_PROVINCE_STUDENTS = 30  # every province has at least two schools and a few stories
PERSON_BLOCK = 10**9  # person_id = int(PP) * PERSON_BLOCK + the person's number at home
_RECORD_ID = r"^([a-z]+):(\d+):"


def province_shares() -> dict[str, float]:
    """Each 2025 province's share of the country's students (its share of the population)."""
    totals = {
        code: sum(POPULATION_2023[old] for old in p.predecessors)
        for code, p in PROVINCES_2025.items()
    }
    whole = sum(totals.values())
    return {code: total / whole for code, total in sorted(totals.items())}


def global_snapshot_id(province: str, local: int) -> int:
    """A snapshot id unique in the country: ``1`` + the province's two digits + its number."""
    return int(f"1{province}{local}")


@dataclass(frozen=True)
class ProvincePlan:
    """What is known of a province before it is simulated: its size, seed and schools."""

    code: str
    name: str
    students: int
    seed: int
    schools: pl.DataFrame  # as make_schools draws them (with their weights)


def plan_country(students: int, seed: int) -> list[ProvincePlan]:
    """Every province's size and schools, drawn before any is simulated (a move names a school
    of a province simulated later)."""
    plans = []
    for code, share in province_shares().items():
        n = max(MIN_PROVINCE_STUDENTS, round(students * share))
        predecessors = PROVINCES_2025[code].predecessors
        mix = {old: float(POPULATION_2023[old]) for old in predecessors}
        schools = make_schools(np.random.default_rng([seed, int(code), 7]), n, mix)
        plans.append(
            ProvincePlan(code, PROVINCES_2025[code].name, n, seed * 1000 + int(code), schools)
        )
    return plans


def record_schema() -> dict[str, pl.DataType]:
    """The canonical student record columns with the polars types the store reads them as."""
    kinds: dict[type, pl.DataType] = {int: pl.Int64(), dt.date: pl.Date()}
    out: dict[str, pl.DataType] = {}
    for name in STUDENT_COLUMNS:
        annotation = StudentRecordBase.model_fields[name].annotation
        options = getattr(annotation, "__args__", (annotation,))
        base = next((t for t in options if t is not type(None)), str)
        out[name] = kinds.get(base, pl.String())
    return out


@dataclass
class ProvinceFrames:
    """One simulated province, in the country's identifiers."""

    code: str
    name: str
    students: int
    records: pl.DataFrame  # canonical columns
    truth: pl.DataFrame  # record_id, person_id
    problems: pl.DataFrame  # + cross_province
    schools: pl.DataFrame
    relations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RELATION_SCHEMA))

    def summary(self) -> dict[str, object]:
        registry = int((self.records["source"] == REGISTRY_SOURCE).sum())
        return {
            "code": self.code,
            "name": self.name,
            "students": self.students,
            "schools": self.schools.height,
            "records": self.records.height,
            "registry_records": registry,
            "vendor_records": self.records.height - registry,
            "problems": self.problems.height,
            "cross_province_problems": int(self.problems["cross_province"].sum()),
        }


def simulate_country(
    students: int, seed: int = 1, night: dt.date | None = None, *, hard: bool = False
) -> Iterator[ProvinceFrames]:
    """The country's provinces, one at a time in the order of their codes, the same for the
    same seed. ``hard`` simulates each province as :func:`simulate.generate` does with
    ``hard=True`` (the harder mess of the accuracy issue)."""
    if students < MIN_PROVINCE_STUDENTS * len(PROVINCES_2025):
        raise ValueError(
            f"simulate at least {MIN_PROVINCE_STUDENTS * len(PROVINCES_2025)} students"
        )
    night = night or DEFAULT_NIGHT
    plans = plan_country(students, seed)
    crossings = Crossings(seed, plans, night, school_calendar(night))
    for plan in plans:
        district = generate(
            plan.students, seed=plan.seed, night=night, hard=hard, schools=plan.schools
        )
        frames = _in_country_ids(district, plan)
        yield crossings.apply(frames)


def _in_country_ids(district: District, plan: ProvincePlan) -> ProvinceFrames:
    """A district's frames re-keyed to country-wide snapshot, record and person ids."""
    snap = f"${{1}}:1{plan.code}${{2}}:"

    def rekey(column: str) -> pl.Expr:
        return pl.col(column).str.replace(_RECORD_ID, snap)

    person = pl.col("person_id") + int(plan.code) * PERSON_BLOCK
    schema = record_schema()
    records = district.records.with_columns(
        rekey("record_id"),
        pl.concat_str([pl.lit(f"1{plan.code}"), pl.col("snapshot_id").cast(pl.String)])
        .cast(pl.Int64)
        .alias("snapshot_id"),
    ).select([pl.col(c).cast(t) for c, t in schema.items()])
    truth = district.persons.select(rekey("record_id"), person.alias("person_id"))
    problems = district.problems.with_columns(
        rekey("record_id"),
        rekey("other_record_id"),
        pl.col("detail").str.replace_all(r'"([a-z]+):(\d+):', f'"${{1}}:1{plan.code}${{2}}:'),
        pl.when(pl.col("person_id") >= 0).then(person).otherwise(pl.col("person_id")),
        pl.lit(False).alias("cross_province"),
    )
    schools = district.schools.with_columns(
        pl.concat_str([pl.lit(f"1{plan.code}"), pl.col("snapshot_id").cast(pl.String)])
        .cast(pl.Int64)
        .alias("snapshot_id")
    )
    relations = district.relations.with_columns(
        pl.col("person_id") + int(plan.code) * PERSON_BLOCK,
        pl.col("of_person_id") + int(plan.code) * PERSON_BLOCK,
    )
    return ProvinceFrames(
        plan.code, plan.name, plan.students, records, truth, problems, schools, relations
    )


__all__ = [
    "POPULATION_2023",
    "ProvinceFrames",
    "ProvincePlan",
    "global_snapshot_id",
    "plan_country",
    "province_shares",
    "record_schema",
    "simulate_country",
]
