"""A province as hard as the field (opt-in: ``generate(..., hard=True)``).

The default simulation gives every student a registry record, draws given names uniformly and
damages a record once at most: linkage then looks perfect. A real province has students no
registry snapshot holds, twins, siblings, strangers who share a common full name and birth date,
and records damaged twice. This module adds those, each written to the ground truth, without
touching the default simulation (it draws from its own random stream).

Two steps: :func:`reshape_persons` changes who the people are (before records are made from
them, so every record of a person agrees), :func:`damage_records` changes the records after the
night is built (students missing from the registry, double damage, missing birth date and code).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from doisoat import vn
from simulate.district import RELATION_SCHEMA
from simulate.enrol import problem_row, strip_diacritics

# Shares of persons (reshape) and of clean vendor records (damage).
HARD_RATES = {
    "twins": 0.01,  # persons who are the second of a pair of twins
    "siblings": 0.03,  # persons given the family (name and parents) of a schoolmate
    "namesakes": 0.01,  # persons given the full name and birth date of a stranger elsewhere
    "absent": 0.04,  # students in no registry snapshot
    "double_damage": 0.015,  # records with two damages at once
    "no_dob_no_code": 0.004,  # records without a birth date and without a code
}
# Given names a province really concentrates on (most common first); the rest of the shipped
# lists follow with Zipf weights, so that namesakes occur as often as they do in a province.
COMMON_GIVEN = {
    "M": ("Huy", "Khang", "Bảo", "Minh", "Phúc", "Anh", "Nam", "Khoa", "Long", "Duy", "Quân"),
    "F": ("Anh", "Linh", "Ngọc", "Vy", "Nhi", "Hân", "Thảo", "Trang", "My", "Hương", "Như"),
}
ZIPF_EXPONENT = 1.0
DOUBLE_KINDS = (
    "given_and_family_typo",
    "swapped_and_no_diacritics",
    "swapped_and_typo",
    "typo_and_no_dob",
    "typo_and_dob_swapped",
)
_TYPO_LETTERS = "aeiounhtgmc"


def _given_weights(gender: str) -> tuple[np.ndarray, np.ndarray]:
    names = list(vn.given_names(gender, one_word=True))  # type: ignore[arg-type]
    common = [n for n in COMMON_GIVEN[gender] if n in names]
    order = common + [n for n in names if n not in common]
    weights = 1.0 / np.arange(1, len(order) + 1) ** ZIPF_EXPONENT
    return np.array(order, dtype=object), weights / weights.sum()


def _pairs_within(
    rng: np.random.Generator, groups: np.ndarray, chosen: np.ndarray
) -> list[tuple[int, int]]:
    """Pair each chosen index with another index of the same group (not itself)."""
    members: dict[object, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    out = []
    for b in chosen:
        pool = members[groups[b]]
        if len(pool) < 2:
            continue
        a = pool[int(rng.integers(0, len(pool)))]
        if a != b:
            out.append((a, int(b)))
    return out


def reshape_persons(rng: np.random.Generator, persons: pl.DataFrame) -> pl.DataFrame:
    """Common given names, twins, siblings and namesakes; returns the persons with a
    ``relation`` column (``twin_of:<id>``, ``sibling_of:<id>``, ``namesake_of:<id>`` or null)."""
    n = persons.height
    gender = persons["gender"].to_numpy()
    given = persons["given_name"].to_numpy().copy()
    for g in ("M", "F"):
        names, weights = _given_weights(g)
        who = np.flatnonzero(gender == g)
        given[who] = names[rng.choice(len(names), size=len(who), p=weights)]
    cols = {
        c: persons[c].to_list()
        for c in (
            "family_name",
            "middle_name",
            "dob",
            "father_name",
            "mother_name",
            "gender",
            "personal_id",
        )
    }
    cols["given_name"] = list(given)
    relation: list[str | None] = [None] * n
    ids = set(cols["personal_id"])
    school = persons["school_code"].to_numpy()
    grade = persons["grade"].to_numpy()
    order = rng.permutation(n)
    counts = {k: int(round(HARD_RATES[k] * n)) for k in ("twins", "siblings", "namesakes")}
    twins = order[: counts["twins"]]
    siblings = order[counts["twins"] : counts["twins"] + counts["siblings"]]
    namesakes = order[counts["twins"] + counts["siblings"] :][: counts["namesakes"]]
    touched: set[int] = set()
    person_id = persons["person_id"].to_list()

    same_class = np.array([f"{s}/{g}" for s, g in zip(school, grade, strict=True)], dtype=object)
    for a, b in _pairs_within(rng, same_class, twins):
        if a in touched or b in touched:
            continue
        touched.update((a, b))
        for c in ("family_name", "middle_name", "dob", "father_name", "mother_name", "gender"):
            cols[c][b] = cols[c][a]
        names, weights = _given_weights(cols["gender"][a])
        while True:  # a twin has another given name than the other twin
            other = names[rng.choice(len(names), p=weights)]
            if other != cols["given_name"][a]:
                break
        cols["given_name"][b] = other
        cols["personal_id"][b] = _pid_like(rng, cols["personal_id"][b], cols["personal_id"][a], ids)
        relation[b] = f"twin_of:{person_id[a]}"
    for a, b in _pairs_within(rng, school, siblings):
        if a in touched or b in touched:
            continue
        touched.update((a, b))
        for c in ("family_name", "father_name", "mother_name"):
            cols[c][b] = cols[c][a]
        relation[b] = f"sibling_of:{person_id[a]}"
    # namesakes: a stranger of the same grade at another school of the province
    by_grade: dict[int, list[int]] = {}
    for i, g in enumerate(grade):
        by_grade.setdefault(int(g), []).append(i)
    for b in namesakes:
        b = int(b)
        pool = by_grade[int(grade[b])]
        a = pool[int(rng.integers(0, len(pool)))]
        if a in touched or b in touched or school[a] == school[b]:
            continue
        touched.update((a, b))
        for c in ("family_name", "middle_name", "given_name", "dob", "gender"):
            cols[c][b] = cols[c][a]
        cols["personal_id"][b] = _pid_like(rng, cols["personal_id"][b], cols["personal_id"][a], ids)
        relation[b] = f"namesake_of:{person_id[a]}"
    out = persons.with_columns(
        pl.Series(c, v, dtype=persons.schema[c]) for c, v in cols.items()
    ).with_columns(pl.Series("relation", relation, dtype=pl.Utf8))
    return out.with_columns(
        pl.concat_str(["family_name", "middle_name", "given_name"], separator=" ").alias(
            "full_name"
        )
    )


def _pid_like(rng: np.random.Generator, own: str, model: str, taken: set[str]) -> str:
    """``own``'s personal ID with the sex-and-century digit and birth year of ``model``, and a
    serial nobody holds (real personal IDs never repeat)."""
    pid = own[:3] + model[3:6] + own[6:]
    while pid in taken:
        pid = own[:3] + model[3:6] + f"{int(rng.integers(0, 10**6)):06d}"
    taken.add(pid)
    return pid


def typo(rng: np.random.Generator, text: str) -> str:
    """One letter of a name word replaced."""
    if not text:
        return text
    pos = int(rng.integers(0, len(text)))
    letter = _TYPO_LETTERS[int(rng.integers(0, len(_TYPO_LETTERS)))]
    if text[pos].lower() == letter:
        letter = "y"
    return text[:pos] + letter + text[pos + 1 :]


def double_damage(rng: np.random.Generator, row: dict, kind: str) -> dict:
    """Two damages on one record at once (the misses of independent data)."""
    out = dict(row)
    if kind == "given_and_family_typo":
        out["given_name"] = typo(rng, row["given_name"])
        out["family_name"] = typo(rng, row["family_name"])
    elif kind in ("swapped_and_no_diacritics", "swapped_and_typo"):
        out["family_name"], out["given_name"] = row["given_name"], row["family_name"]
        if kind == "swapped_and_typo":
            out["family_name"] = typo(rng, out["family_name"])
        else:
            for field in ("family_name", "middle_name", "given_name"):
                out[field] = strip_diacritics(out[field] or "")
    elif kind == "typo_and_no_dob":
        out["given_name"] = typo(rng, row["given_name"])
        out["dob"] = None
    else:  # typo_and_dob_swapped
        out["given_name"] = typo(rng, row["given_name"])
        dob = row["dob"]
        if dob.day <= 12 and dob.day != dob.month:
            out["dob"] = dob.replace(day=dob.month, month=dob.day)
        else:
            out["family_name"] = typo(rng, row["family_name"])
    out["full_name"] = " ".join(
        p for p in (out["family_name"], out["middle_name"], out["given_name"]) if p
    )
    out["dob_raw"] = out["dob"].strftime("%d/%m/%Y") if out["dob"] is not None else None
    return out


def damage_records(
    rng: np.random.Generator,
    records: pl.DataFrame,
    persons_map: pl.DataFrame,
    problems: pl.DataFrame,
    registry_source: str,
) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """Students missing from the registry, double damage, and records without birth date and
    code; only records of people no other story touches. Returns (records, persons_map,
    new problem rows)."""
    who = records.select("record_id", "source").join(persons_map, on="record_id")
    per = who.group_by("person_id").agg(
        (pl.col("source") == registry_source).sum().alias("reg"),
        (pl.col("source") != registry_source).sum().alias("ven"),
    )
    # a person is in a story if a problem names them or any of their records (the owner of a
    # code another student was given is named only by their record)
    named = pl.concat([problems["record_id"], problems["other_record_id"]]).drop_nulls()
    storied = (
        pl.concat(
            [
                problems["person_id"],
                who.filter(pl.col("record_id").is_in(named.implode()))["person_id"],
            ]
        )
        .drop_nulls()
        .unique()
        .implode()
    )
    clean = per.filter(
        (pl.col("reg") == 1) & (pl.col("ven") == 1) & ~pl.col("person_id").is_in(storied)
    )["person_id"].to_numpy()
    clean = rng.permutation(np.sort(clean))
    total = per.height
    take = {k: int(round(HARD_RATES[k] * total)) for k in DAMAGE_STORIES}
    chosen, cursor = {}, 0
    for story in DAMAGE_STORIES:
        chosen[story] = set(clean[cursor : cursor + take[story]].tolist())
        cursor += take[story]
    pick = who.filter(pl.col("person_id").is_in(np.concatenate([clean[:cursor], [-1]])))
    reg_of = dict(
        pick.filter(pl.col("source") == registry_source)
        .select("person_id", "record_id")
        .iter_rows()
    )
    ven_of = dict(
        pick.filter(pl.col("source") != registry_source)
        .select("person_id", "record_id")
        .iter_rows()
    )
    rows = {
        r["record_id"]: r
        for r in records.filter(pl.col("record_id").is_in(list(ven_of.values()))).iter_rows(
            named=True
        )
    }
    new_rows: dict[str, dict] = {}
    drop: list[str] = []
    out_problems: list[dict] = []
    for person in sorted(chosen["absent"]):
        rid = ven_of[person]
        row = rows[rid]
        new_rows[rid] = dict(row, moet_code=None)
        drop.append(reg_of[person])
        out_problems.append(
            problem_row("UNREGISTERED", rid, None, person, row["school_code"], hard="absent")
        )
    for person in sorted(chosen["double_damage"]):
        rid = ven_of[person]
        row = rows[rid]
        kind = DOUBLE_KINDS[int(rng.integers(0, len(DOUBLE_KINDS)))]
        changed = double_damage(rng, row, kind)
        no_code = rng.random() < 0.5
        if no_code:
            changed["moet_code"] = None
            out_problems.append(
                problem_row(
                    "ID_MISSING", rid, reg_of[person], person, row["school_code"], hard=kind
                )
            )
        new_rows[rid] = changed
        fields = [
            f
            for f in ("family_name", "middle_name", "given_name", "gender")
            if changed[f] != row[f]
        ] + (["dob"] if changed["dob"] is not None and changed["dob"] != row["dob"] else [])
        if fields:
            out_problems.append(
                problem_row(
                    "DEMOGRAPHIC_DRIFT",
                    rid,
                    reg_of[person],
                    person,
                    row["school_code"],
                    kind=kind,
                    fields=fields,
                )
            )
    for person in sorted(chosen["no_dob_no_code"]):
        rid = ven_of[person]
        row = rows[rid]
        new_rows[rid] = dict(row, moet_code=None, dob=None, dob_raw=None)
        out_problems.append(
            problem_row(
                "ID_MISSING", rid, reg_of[person], person, row["school_code"], hard="no_dob"
            )
        )
    replaced = pl.DataFrame(list(new_rows.values()), schema=records.schema)
    gone = set(drop) | set(new_rows)
    kept = records.filter(~pl.col("record_id").is_in(list(gone)))
    records = pl.concat([kept, replaced]).sort("record_id", maintain_order=True)
    persons_map = persons_map.filter(~pl.col("record_id").is_in(drop))
    return records, persons_map, out_problems


DAMAGE_STORIES = ("absent", "double_damage", "no_dob_no_code")


def relations_of(persons: pl.DataFrame | None) -> pl.DataFrame:
    """The twins, siblings and namesakes :func:`reshape_persons` made (the ground truth)."""
    if persons is None or "relation" not in persons.columns:
        return pl.DataFrame(schema=RELATION_SCHEMA)
    parts = pl.col("relation").str.split(":")
    return persons.filter(pl.col("relation").is_not_null()).select(
        "person_id",
        parts.list.get(0).str.replace("_of", "").alias("relation"),
        parts.list.get(1).cast(pl.Int64).alias("of_person_id"),
    )
