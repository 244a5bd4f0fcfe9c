"""The stories only a national view sees: students, codes and registry records across provinces.

A province's night sees its own schools; the Ministry's question is about what crosses a
border. Each story takes a student of the province being simulated (a *clean* one: one registry
and one vendor record, studying, in no other story, so each record tells one story) and:

- ``TRANSFER``: moves them to a school of a later province, released and received (no conflict,
  but the vendor record left behind must be linked to a registry record in another province);
- ``DUAL_ENROLLMENT``: the same move, never released: studying in two provinces at once;
- ``TRANSFER_CODE_CHANGED``: released, and received under a new code of the receiving province
  (two registry records, one per province);
- ``TRANSFER_UNRECEIVED``: released to a school of another province that never enrolled them;
- ``ID_DUPLICATE``: a second registry record under another province's code (a stale
  registration where the student once studied);
- ``ID_SHARED``: their vendor record holds the code of a student of an earlier province (one
  code, two students, two provinces; also an ``ID_MISMATCH``).

Provinces are simulated one at a time in the order of their codes, so a story that adds records
to a receiving province chooses a *later* one (weighted by its size) and is carried until that
province is simulated; the owner of a shared code is drawn from the provinces already done. Only
a few students per thousand are carried: memory stays that of one province.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from doisoat.model import REGISTRY_SOURCE, record_id
from simulate.enrol import dates_between, local_id, problem_row
from simulate.identity_mess import fresh_code

if TYPE_CHECKING:
    from simulate.country import ProvinceFrames, ProvincePlan

# Shares of a province's students in each story (at least one each where the story can be told).
CROSS_RATES = {
    "TRANSFER": 0.002,
    "TRANSFER_UNRECEIVED": 0.001,
    "DUAL_ENROLLMENT": 0.001,
    "TRANSFER_CODE_CHANGED": 0.001,
    "ID_DUPLICATE": 0.001,
    "ID_SHARED": 0.0005,
}
RECEIVED = frozenset({"TRANSFER", "DUAL_ENROLLMENT", "TRANSFER_CODE_CHANGED", "ID_DUPLICATE"})
OWNERS_PER_PROVINCE = 50  # students of a finished province whose codes may be shared later
PROBLEM_SCHEMA = {
    "problem": pl.String,
    "record_id": pl.String,
    "other_record_id": pl.String,
    "person_id": pl.Int64,
    "school_code": pl.String,
    "detail": pl.String,
    "cross_province": pl.Boolean,
}


@dataclass
class Move:
    """A student on their way to a later province, with their rows as they were at home."""

    kind: str
    person: int
    vendor: dict
    registry: dict
    origin: str  # the school left behind
    school: str  # the receiving school
    when: dt.date


class Crossings:
    """Tells the stories across provinces while the provinces are simulated in order."""

    def __init__(self, seed: int, plans: list[ProvincePlan], night: dt.date, cal: dict) -> None:
        self.seed = seed
        self.order = [p.code for p in plans]
        self.size = {p.code: p.students for p in plans}
        self.schools = {p.code: p.schools.select("school_code", "level") for p in plans}
        self.pending: dict[str, list[Move]] = {code: [] for code in self.order}
        self.owners: list[dict] = []
        self.window = (cal["term2_start"], night - dt.timedelta(days=26))

    def apply(self, frames: ProvinceFrames) -> ProvinceFrames:
        """The province with its students sent away and the students it receives."""
        code = frames.code
        rng = np.random.default_rng([self.seed, int(code), 17])
        position = self.order.index(code)
        later = self.order[position + 1 :]
        people = _clean_people(frames)
        rng.shuffle(people)
        wanted = {
            kind: 0
            if (kind in RECEIVED and not later) or (kind == "ID_SHARED" and not self.owners)
            else max(1, round(rate * frames.students))
            for kind, rate in CROSS_RATES.items()
        }
        wanted["ID_SHARED"] = min(wanted["ID_SHARED"], len(self.owners))
        chosen: dict[str, np.ndarray] = {}
        cursor = 0
        for kind, count in wanted.items():
            chosen[kind] = people[cursor : cursor + count]
            cursor += count
        rows = _rows_of(frames, people[:cursor])
        sent = _Changes()
        levels = dict(frames.schools.select("school_code", "level").iter_rows())
        for kind, persons in chosen.items():
            for person in persons.tolist():
                vendor, registry = rows[person]
                if kind == "ID_SHARED":
                    self._share(rng, sent, person, vendor)
                    continue
                choices = later if kind in RECEIVED else [c for c in self.order if c != code]
                to = self._province(rng, choices)
                school = self._school(rng, to, levels[vendor["school_code"]])
                when = dates_between(rng, *self.window, 1)[0]
                move = Move(kind, person, vendor, registry, vendor["school_code"], school, when)
                self._send(sent, move)
                if kind in RECEIVED:
                    self.pending[to].append(move)
        received = self._receive(rng, frames)
        self.owners.extend(_owners(frames, people[cursor : cursor + OWNERS_PER_PROVINCE], rows))
        return sent.applied(frames, received)

    # -- choosing ------------------------------------------------------------------------------
    def _province(self, rng: np.random.Generator, choices: list[str]) -> str:
        weights = np.array([self.size[c] for c in choices], dtype=float)
        return choices[int(rng.choice(len(choices), p=weights / weights.sum()))]

    def _school(self, rng: np.random.Generator, province: str, level: str) -> str:
        schools = self.schools[province]
        same = schools.filter(pl.col("level") == level)
        pool = (same if same.height else schools)["school_code"]
        return str(pool[int(rng.integers(0, len(pool)))])

    # -- the sending province --------------------------------------------------------------------
    def _send(self, sent: _Changes, move: Move) -> None:
        vendor, registry = move.vendor, move.registry
        released = {
            "status": "transferred_out",
            "status_date": move.when,
            "transfer_school_code": move.school,
        }
        if move.kind in ("TRANSFER", "TRANSFER_CODE_CHANGED", "TRANSFER_UNRECEIVED"):
            sent.replace[vendor["record_id"]] = dict(vendor, **released)
        if move.kind in ("TRANSFER", "DUAL_ENROLLMENT"):  # the registry moves the student
            sent.replace[registry["record_id"]] = None
        if move.kind in ("TRANSFER_CODE_CHANGED", "TRANSFER_UNRECEIVED"):
            sent.replace[registry["record_id"]] = dict(registry, **released)
        if move.kind == "TRANSFER_UNRECEIVED":
            sent.problem(
                problem_row(
                    move.kind,
                    vendor["record_id"],
                    None,
                    move.person,
                    move.origin,
                    date=move.when,
                    to=move.school,
                )
            )

    def _share(self, rng: np.random.Generator, sent: _Changes, person: int, vendor: dict) -> None:
        owner = self.owners.pop(int(rng.integers(0, len(self.owners))))
        sent.replace[vendor["record_id"]] = dict(vendor, moet_code=owner["code"])
        school = vendor["school_code"]
        sent.problem(
            problem_row(
                "ID_SHARED",
                vendor["record_id"],
                owner["vendor_id"],
                person,
                school,
                code=owner["code"],
                owner_school=owner["school"],
            )
        )
        sent.problem(
            problem_row(
                "ID_MISMATCH",
                vendor["record_id"],
                owner["registry_id"],
                person,
                school,
                given=owner["code"],
                right=vendor["moet_code"],
            )
        )

    # -- the receiving province ------------------------------------------------------------------
    def _receive(self, rng: np.random.Generator, frames: ProvinceFrames) -> _Changes:
        out = _Changes()
        moves = self.pending.pop(frames.code, [])
        if not moves:
            return out
        records = frames.records
        vendors = records.filter(pl.col("source") != REGISTRY_SOURCE)
        numbers = vendors.group_by("school_code").agg(
            pl.col("local_id").str.slice(2).cast(pl.Int64, strict=False).max().alias("last")
        )
        next_number = {s: (n or 0) + 1 for s, n in numbers.iter_rows()}
        facts = {r["school_code"]: r for r in frames.schools.iter_rows(named=True)}
        registry_snapshot = int(
            records.filter(pl.col("source") == REGISTRY_SOURCE)["snapshot_id"].min() or 0
        )
        taken = set(records["moet_code"].drop_nulls().to_list())
        for move in moves:
            school = facts[move.school]
            number = next_number.get(move.school, 1)
            next_number[move.school] = number + 1
            local = local_id(number)
            code = move.vendor["moet_code"]
            if move.kind in ("TRANSFER_CODE_CHANGED", "ID_DUPLICATE"):
                code = fresh_code(rng, frames.code, taken)
            arrived = {
                "school_code": move.school,
                "status": "transferred_in",
                "status_date": move.when,
                "transfer_school_code": move.origin,
            }
            vendor = dict(
                move.vendor,
                **arrived,
                source=school["vendor"],
                snapshot_id=school["snapshot_id"],
                local_id=local,
                moet_code=code,
                record_id=record_id(school["vendor"], school["snapshot_id"], local),
                class_name=f"{move.vendor['grade']}A1",
            )
            registry = dict(
                move.registry,
                **arrived,
                snapshot_id=registry_snapshot,
                local_id=code,
                moet_code=code,
                record_id=record_id(REGISTRY_SOURCE, registry_snapshot, code),
            )
            sending = move.vendor["record_id"]
            if move.kind == "ID_DUPLICATE":  # a registration left where they once studied
                registry.update(
                    status="studying", status_date=None, transfer_school_code=None, personal_id=None
                )
                out.add(registry, move.person)
                out.problem(
                    problem_row(
                        move.kind,
                        move.registry["record_id"],
                        registry["record_id"],
                        move.person,
                        move.origin,
                        codes=[move.registry["moet_code"], code],
                        vendor_record=sending,
                    )
                )
                continue
            out.add(vendor, move.person)
            out.add(registry, move.person)
            if move.kind == "DUAL_ENROLLMENT":
                out.problem(
                    problem_row(
                        move.kind,
                        sending,
                        vendor["record_id"],
                        move.person,
                        move.origin,
                        schools=[move.origin, move.school],
                    )
                )
            elif move.kind == "TRANSFER_CODE_CHANGED":
                out.problem(
                    problem_row(
                        move.kind,
                        vendor["record_id"],
                        sending,
                        move.person,
                        move.school,
                        old_code=move.vendor["moet_code"],
                        new_code=code,
                    )
                )
            else:
                out.problem(
                    problem_row(
                        move.kind,
                        vendor["record_id"],
                        sending,
                        move.person,
                        move.school,
                        date=move.when,
                    )
                )
        return out


class _Changes:
    """Rows replaced or dropped (``None``) by record id, rows added, and problems written."""

    def __init__(self) -> None:
        self.replace: dict[str, dict | None] = {}
        self.added: list[dict] = []
        self.truth: list[tuple[str, int]] = []
        self.problems: list[dict] = []

    def add(self, row: dict, person: int) -> None:
        self.added.append(row)
        self.truth.append((row["record_id"], person))

    def problem(self, row: dict) -> None:
        self.problems.append(dict(row, cross_province=True))

    def applied(self, frames: ProvinceFrames, received: _Changes) -> ProvinceFrames:
        schema = frames.records.schema
        new_rows = [r for r in self.replace.values() if r is not None] + received.added
        dropped = [rid for rid, row in self.replace.items() if row is None]
        records = pl.concat(
            [
                frames.records.filter(~pl.col("record_id").is_in(list(self.replace))),
                pl.DataFrame([{c: r.get(c) for c in schema} for r in new_rows], schema=schema),
            ]
        )
        truth = pl.concat(
            [
                frames.truth.filter(~pl.col("record_id").is_in(dropped)),
                pl.DataFrame(received.truth, schema=frames.truth.schema, orient="row"),
            ]
        )
        problems = pl.concat(
            [
                frames.problems,
                pl.DataFrame(self.problems + received.problems, schema=PROBLEM_SCHEMA),
            ]
        )
        return dataclasses.replace(frames, records=records, truth=truth, problems=problems)


def _clean_people(frames: ProvinceFrames) -> np.ndarray:
    """Students with one registry and one vendor record, both studying, in no story yet."""
    who = frames.records.select("record_id", "source", "status").join(frames.truth, on="record_id")
    per = who.group_by("person_id").agg(
        (pl.col("source") == REGISTRY_SOURCE).sum().alias("registry"),
        (pl.col("source") != REGISTRY_SOURCE).sum().alias("vendor"),
        (pl.col("status") == "studying").all().alias("studying"),
    )
    problems = frames.problems
    named = pl.concat([problems["record_id"], problems["other_record_id"]]).drop_nulls()
    storied = pl.concat(
        [
            problems["person_id"],
            who.filter(pl.col("record_id").is_in(named.implode()))["person_id"],
        ]
    ).unique()
    clean = per.filter(
        (pl.col("registry") == 1)
        & (pl.col("vendor") == 1)
        & pl.col("studying")
        & ~pl.col("person_id").is_in(storied.implode())
    )
    return np.sort(clean["person_id"].to_numpy())


def _rows_of(frames: ProvinceFrames, people: np.ndarray) -> dict[int, tuple[dict, dict]]:
    """Each chosen person's (vendor row, registry row)."""
    mine = frames.truth.filter(pl.col("person_id").is_in(people.tolist()))
    rows = frames.records.join(mine, on="record_id")
    out: dict[int, dict[str, dict]] = {}
    for row in rows.iter_rows(named=True):
        person = row.pop("person_id")
        side = "registry" if row["source"] == REGISTRY_SOURCE else "vendor"
        out.setdefault(person, {})[side] = row
    return {p: (r["vendor"], r["registry"]) for p, r in out.items()}


def _owners(
    frames: ProvinceFrames, people: np.ndarray, rows: dict[int, tuple[dict, dict]]
) -> list[dict]:
    """Students of a finished province whose codes a later province's vendor may reuse."""
    missing = [p for p in people.tolist() if p not in rows]
    rows = {**rows, **_rows_of(frames, np.array(missing, dtype=np.int64))} if missing else rows
    return [
        {
            "code": rows[p][0]["moet_code"],
            "vendor_id": rows[p][0]["record_id"],
            "registry_id": rows[p][1]["record_id"],
            "school": rows[p][0]["school_code"],
        }
        for p in people.tolist()
    ]
