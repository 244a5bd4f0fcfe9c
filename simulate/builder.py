"""The records of one simulated night: vendor rosters, the registry, and every injected story.

Kept apart from :mod:`simulate.generate`, which draws the schools and the people and puts the
district together; this module turns people into records and writes the truth of each problem.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from doisoat.model import REGISTRY_SOURCE, record_id
from simulate.enrol import (
    DRIFT_KINDS,
    LOCAL_ID_PREFIX,
    RATES,
    TRANSFER_CASES,
    Partition,
    dates_between,
    holdings,
    local_id,
    problem_row,
    record_cols,
    rows_frame,
    to_records,
)
from simulate.identity_mess import (
    drift,
    fresh_code,
    inconsistent_personal_id,
    invalid_code,
    mistyped_code,
)


def registry_id(code: str) -> str:
    """The record id of the registry's record of ``code`` (the registry is snapshot 1)."""
    return record_id(REGISTRY_SOURCE, 1, code)


def problems_frame(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "problem": pl.String,
        "record_id": pl.String,
        "other_record_id": pl.String,
        "person_id": pl.Int64,
        "school_code": pl.String,
        "detail": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


class Builder:
    """Builds the records of one night; kept as an object only to share the many inputs."""

    def __init__(self, rng, schools, persons, taken, night, cal) -> None:
        self.rng = rng
        self.schools = schools
        self.persons = persons
        self.taken = taken
        self.night = night
        self.cal = cal
        self.by_code = {r["school_code"]: r for r in schools.iter_rows(named=True)}
        self.problems: list[dict] = []
        self.extra_vendor: list[dict] = []
        self.extra_registry: list[dict] = []
        self.replace_vendor: dict[int, dict | None] = {}
        self.replace_registry: dict[int, dict | None] = {}
        self.held_terms: dict[str, tuple[int, str]] = {}  # extra record_id → (person, terms)
        self.term1_mismatch: set[str] = set()
        self.next_number: dict[str, int] = {}  # school → its next free local number

    # -- base rows -------------------------------------------------------------------------
    def _base_vendor(self) -> pl.DataFrame:
        p = self.persons.join(
            self.schools.select("school_code", "vendor", "snapshot_id", "serial"), on="school_code"
        )
        rank = pl.int_range(pl.len()).over("school_code") + 1
        local = pl.concat_str([pl.lit(LOCAL_ID_PREFIX), rank.cast(pl.String).str.zfill(4)])
        counts = p.group_by("school_code").len()
        self.next_number = dict(zip(counts["school_code"], counts["len"] + 1, strict=True))
        return p.with_columns(local.alias("local_id")).with_columns(
            pl.concat_str(
                [pl.col("vendor"), pl.col("snapshot_id").cast(pl.String), pl.col("local_id")],
                separator=":",
            ).alias("record_id"),
            pl.col("vendor").alias("source"),
            pl.col("dob").dt.strftime("%d/%m/%Y").alias("dob_raw"),
            pl.lit(str(self.cal["school_year"])).alias("school_year"),
            pl.lit("studying").alias("status"),
            pl.lit(None, dtype=pl.Date).alias("status_date"),
            pl.lit(None, dtype=pl.String).alias("transfer_school_code"),
            pl.when(pl.lit(True)).then(pl.col("personal_id")).alias("personal_id"),
        )

    def _registry_row(self, row: dict, **changes) -> dict:
        out = dict(row)
        out.update(changes)
        out["source"] = REGISTRY_SOURCE
        out["snapshot_id"] = 1
        out["local_id"] = out["moet_code"]
        out["record_id"] = registry_id(out["moet_code"])
        return out

    # -- the whole night -------------------------------------------------------------------
    def build(self):
        vendor = self._base_vendor()
        rng = self.rng
        n = vendor.height
        vendor = vendor.with_columns(
            pl.when(pl.Series(rng.random(n) < 0.3))
            .then(None)
            .otherwise(pl.col("personal_id"))
            .alias("personal_id")
        )
        part = Partition(rng, vendor["person_id"].to_numpy())
        chosen = {
            "transfer": part.take(RATES["transfer"], n),
            "dropped_out": part.take(RATES["dropped_out"], n),
            **{p: part.take(RATES[p], n) for p in _SIMPLE_IDENTITY},
            "ID_MISMATCH": part.take(RATES["ID_MISMATCH"] * 2, n),
            "ID_SHARED": part.take(RATES["ID_SHARED"], n),
            "owners": part.take(RATES["ID_SHARED"] * 10, n),
            "DEMOGRAPHIC_DRIFT": part.take(RATES["DEMOGRAPHIC_DRIFT"], n),
        }
        needed = np.concatenate(list(chosen.values()))
        involved = vendor.filter(pl.col("person_id").is_in(needed)).join(
            self.persons.select("person_id", pl.col("personal_id").alias("true_personal_id")),
            on="person_id",
        )
        self.rows = {r["person_id"]: r for r in involved.iter_rows(named=True)}
        self._transfers(chosen["transfer"])
        self._dropouts(chosen["dropped_out"])
        for problem in _SIMPLE_IDENTITY:
            self._identity(problem, chosen[problem])
        self._mismatch(chosen["ID_MISMATCH"])
        self._shared(chosen["ID_SHARED"], chosen["owners"])
        self._drift(chosen["DEMOGRAPHIC_DRIFT"])
        self._text_marks(vendor)
        return self._assemble(vendor)

    def _assemble(self, vendor: pl.DataFrame):
        keep_v = ~pl.col("person_id").is_in(list(self.replace_vendor))
        changed_v = [r for r in self.replace_vendor.values() if r is not None]
        vend = pl.concat(
            [
                vendor.filter(keep_v).select(record_cols(vendor)),
                rows_frame(changed_v + self.extra_vendor, vendor),
            ],
            how="vertical_relaxed",
        )
        registry_base = (
            vendor.join(
                self.persons.select("person_id", pl.col("personal_id").alias("true_pid")),
                on="person_id",
            )
            .with_columns(
                pl.lit(REGISTRY_SOURCE).alias("source"),
                pl.lit(1, dtype=pl.Int64).alias("snapshot_id"),
                pl.col("moet_code").alias("local_id"),
                pl.concat_str([pl.lit(registry_id("")), pl.col("moet_code")]).alias("record_id"),
                pl.when(pl.Series(self.rng.random(vendor.height) < 0.1))
                .then(None)
                .otherwise(pl.col("true_pid"))
                .alias("personal_id"),
            )
            .drop("true_pid")
        )
        keep_r = ~pl.col("person_id").is_in(list(self.replace_registry))
        changed_r = [r for r in self.replace_registry.values() if r is not None]
        registry = pl.concat(
            [
                registry_base.filter(keep_r).select(record_cols(vendor)),
                rows_frame(changed_r + self.extra_registry, vendor),
            ],
            how="vertical_relaxed",
        )
        both = pl.concat([registry, vend], how="vertical_relaxed")
        records = to_records(both.drop("person_id")).with_columns(
            pl.col("src_row").cast(pl.Int64), pl.col("grade").cast(pl.Int64)
        )
        persons_map = both.select("record_id", "person_id")
        held = holdings(vend, self.held_terms, self.term1_mismatch)
        return records, problems_frame(self.problems), persons_map, held

    # -- stories ---------------------------------------------------------------------------
    def _transfers(self, people: np.ndarray) -> None:
        rng = self.rng
        cases = list(TRANSFER_CASES)
        weights = np.array(list(TRANSFER_CASES.values()))
        picks = rng.choice(len(cases), size=len(people), p=weights / weights.sum())
        dates = dates_between(
            rng, self.cal["term2_start"], self.night - dt.timedelta(days=26), len(people)
        )
        levels = self.schools.group_by("level").agg(pl.col("school_code"))
        same_level = {r["level"]: r["school_code"] for r in levels.iter_rows(named=True)}
        for person, case_idx, when in zip(people, picks, dates, strict=True):
            row = self.rows[person]
            home = row["school_code"]
            options = [c for c in same_level[self.by_code[home]["level"]] if c != home]
            if not options:
                continue
            origin = options[int(rng.integers(0, len(options)))]
            case = cases[case_idx]
            sending = self._sending_record(
                row, origin, home, when, released=case != "DUAL_ENROLLMENT"
            )
            receiving = dict(
                row, status="transferred_in", status_date=when, transfer_school_code=origin
            )
            if case == "TRANSFER_UNRECEIVED":
                sending["transfer_school_code"] = home
                self.replace_vendor[person] = None
                self.replace_registry[person] = self._registry_row(
                    row,
                    school_code=origin,
                    status="transferred_out",
                    status_date=when,
                    transfer_school_code=home,
                )
                self.problems.append(
                    problem_row(
                        case, sending["record_id"], None, person, origin, date=when, to=home
                    )
                )
            else:
                self.replace_vendor[person] = receiving
                self.replace_registry[person] = self._registry_row(
                    row, status="transferred_in", status_date=when, transfer_school_code=origin
                )
            if case == "TRANSFER_CODE_CHANGED":
                new_code = fresh_code(rng, row["moet_code"][:2], self.taken)
                receiving["moet_code"] = new_code
                self.replace_registry[person] = self._registry_row(
                    row,
                    school_code=origin,
                    status="transferred_out",
                    status_date=when,
                    transfer_school_code=home,
                )
                self.extra_registry.append(
                    self._registry_row(
                        dict(row, moet_code=new_code),
                        status="transferred_in",
                        status_date=when,
                        transfer_school_code=origin,
                    )
                )
                self.problems.append(
                    problem_row(
                        case,
                        receiving["record_id"],
                        sending["record_id"],
                        person,
                        home,
                        old_code=row["moet_code"],
                        new_code=new_code,
                    )
                )
            elif case == "DUAL_ENROLLMENT":
                self.problems.append(
                    problem_row(
                        case,
                        sending["record_id"],
                        receiving["record_id"],
                        person,
                        origin,
                        schools=[origin, home],
                    )
                )
            elif case == "TRANSFER_RECORD_MISMATCH":
                self.term1_mismatch.add(receiving["record_id"])
                self.problems.append(
                    problem_row(
                        case, receiving["record_id"], sending["record_id"], person, home, term="1"
                    )
                )
            self.extra_vendor.append(sending)
            self.held_terms[sending["record_id"]] = (int(person), "1")

    def _sending_record(
        self, row: dict, origin: str, home: str, when: dt.date, released: bool
    ) -> dict:
        school = self.by_code[origin]
        number = self.next_number.get(origin, 1)  # the sending school's next free number
        self.next_number[origin] = number + 1
        local = local_id(number)
        return dict(
            row,
            school_code=origin,
            source=school["vendor"],
            snapshot_id=school["snapshot_id"],
            local_id=local,
            record_id=record_id(school["vendor"], school["snapshot_id"], local),
            class_name=f"{row['grade']}A1",
            status="transferred_out" if released else "studying",
            status_date=when if released else None,
            transfer_school_code=home if released else None,
        )

    def _dropouts(self, people: np.ndarray) -> None:
        dates = dates_between(self.rng, self.cal["term2_start"], self.night, len(people))
        for person, when in zip(people, dates, strict=True):
            row = self.rows[person]
            self.replace_vendor[person] = dict(row, status="dropped_out", status_date=when)
            self.replace_registry[person] = self._registry_row(
                row, status="dropped_out", status_date=when
            )
            self.held_terms[row["record_id"]] = (int(person), "1")

    def _identity(self, problem: str, people: np.ndarray) -> None:
        rng = self.rng
        for person in people:
            row = self.rows[person]
            rid = row["record_id"]
            if problem == "ID_MISSING":
                self.replace_vendor[person] = dict(row, moet_code=None)
                self.problems.append(
                    problem_row(
                        problem,
                        rid,
                        registry_id(row["moet_code"]),
                        person,
                        row["school_code"],
                        code=row["moet_code"],
                    )
                )
            elif problem in ("ID_INVALID", "ID_NOT_IN_REGISTRY"):
                bad = (
                    invalid_code(rng, row["moet_code"])
                    if problem == "ID_INVALID"
                    else mistyped_code(rng, row["moet_code"], self.taken)
                )
                self.replace_vendor[person] = dict(row, moet_code=bad)
                self.problems.append(
                    problem_row(
                        problem,
                        rid,
                        None,
                        person,
                        row["school_code"],
                        given=bad,
                        right=row["moet_code"],
                    )
                )
            elif problem == "ID_DUPLICATE":
                new_code = fresh_code(rng, row["moet_code"][:2], self.taken)
                second = self._registry_row(dict(row, moet_code=new_code), personal_id=None)
                self.extra_registry.append(second)
                if rng.random() < 0.5:
                    self.replace_vendor[person] = dict(row, moet_code=new_code)
                self.problems.append(
                    problem_row(
                        problem,
                        registry_id(row["moet_code"]),
                        second["record_id"],
                        person,
                        row["school_code"],
                        codes=[row["moet_code"], new_code],
                        vendor_record=rid,
                    )
                )
            elif problem == "UNREGISTERED":
                self.replace_vendor[person] = dict(row, moet_code=None)
                self.replace_registry[person] = None
                self.problems.append(problem_row(problem, rid, None, person, row["school_code"]))
            elif problem == "PERSONAL_ID_INCONSISTENT":
                pid, kind = inconsistent_personal_id(rng, row["true_personal_id"])
                self.replace_vendor[person] = dict(row, personal_id=pid)
                self.problems.append(
                    problem_row(
                        problem, rid, None, person, row["school_code"], personal_id=pid, kind=kind
                    )
                )

    def _mismatch(self, people: np.ndarray) -> None:
        """Classmates whose codes were swapped when the roster was typed."""
        by_school: dict[str, list[int]] = {}
        for person in people:
            by_school.setdefault(self.rows[person]["school_code"], []).append(int(person))
        for members in by_school.values():
            for a, b in zip(members[::2], members[1::2], strict=False):
                ra, rb = self.rows[a], self.rows[b]
                self.replace_vendor[a] = dict(ra, moet_code=rb["moet_code"])
                self.replace_vendor[b] = dict(rb, moet_code=ra["moet_code"])
                for r, other in ((ra, rb), (rb, ra)):
                    self.problems.append(
                        problem_row(
                            "ID_MISMATCH",
                            r["record_id"],
                            registry_id(other["moet_code"]),
                            r["person_id"],
                            r["school_code"],
                            given=other["moet_code"],
                            right=r["moet_code"],
                        )
                    )

    def _shared(self, people: np.ndarray, clean_pool: np.ndarray) -> None:
        """A student given a schoolmate's code: the code is shared and this record mismatched."""
        pool: dict[str, list[int]] = {}
        for person in clean_pool:
            pool.setdefault(self.rows[person]["school_code"], []).append(int(person))
        for person in people:
            row = self.rows[person]
            mates = pool.get(row["school_code"])
            if not mates:
                continue
            owner = self.rows[mates.pop()]
            self.replace_vendor[person] = dict(row, moet_code=owner["moet_code"])
            self.problems.append(
                problem_row(
                    "ID_SHARED",
                    row["record_id"],
                    owner["record_id"],
                    person,
                    row["school_code"],
                    code=owner["moet_code"],
                )
            )
            self.problems.append(
                problem_row(
                    "ID_MISMATCH",
                    row["record_id"],
                    registry_id(owner["moet_code"]),
                    person,
                    row["school_code"],
                    given=owner["moet_code"],
                    right=row["moet_code"],
                )
            )

    def _drift(self, people: np.ndarray) -> None:
        rng = self.rng
        for person in people:
            row = self.rows[person]
            kind = DRIFT_KINDS[int(rng.integers(0, len(DRIFT_KINDS)))]
            if kind == "dob_day_month_swapped" and (
                row["dob"].day > 12 or row["dob"].day == row["dob"].month
            ):
                kind = "name_typo"
            changed = drift(rng, row, kind)
            self.replace_vendor[person] = changed
            fields = [
                f
                for f in ("family_name", "middle_name", "given_name", "dob", "gender")
                if changed[f] != row[f]
            ]
            self.problems.append(
                problem_row(
                    "DEMOGRAPHIC_DRIFT",
                    row["record_id"],
                    registry_id(row["moet_code"]),
                    person,
                    row["school_code"],
                    kind=kind,
                    fields=fields,
                )
            )

    def _text_marks(self, vendor: pl.DataFrame) -> None:
        """Records an exporter writes in NFD, or with 'Ð' (U+00D0) typed for 'Đ'."""
        rng = self.rng
        ids = vendor["record_id"].to_numpy()
        persons = vendor["person_id"].to_numpy()
        schools = vendor["school_code"].to_numpy()
        nfd = rng.random(len(ids)) < RATES["TEXT_NFD"]
        has_d = vendor["full_name"].str.contains("Đ").to_numpy()
        eth = has_d & (rng.random(len(ids)) < 0.2)
        for mask, problem in ((nfd & ~eth, "TEXT_NFD"), (eth, "TEXT_D_ETH")):
            for rid, person, school in zip(ids[mask], persons[mask], schools[mask], strict=True):
                if person in self.replace_vendor and self.replace_vendor[person] is None:
                    continue
                self.problems.append(problem_row(problem, rid, None, person, school))


_SIMPLE_IDENTITY = (
    "ID_MISSING",
    "ID_INVALID",
    "ID_NOT_IN_REGISTRY",
    "ID_DUPLICATE",
    "UNREGISTERED",
    "PERSONAL_ID_INCONSISTENT",
)
