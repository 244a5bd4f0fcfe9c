"""The identity mess of real rosters, applied to vendor records: wrong, missing and shared codes."""

from __future__ import annotations

import numpy as np
import polars as pl

from doisoat.vn import check_moet_code
from simulate.enrol import problem_row, strip_diacritics


def invalid_code(rng: np.random.Generator, code: str) -> str:
    """A code no repair can save: a digit lost, one too many, or a letter typed in."""
    kind = rng.integers(0, 3)
    if kind == 0:
        short = code[:4] + code[5:]
        # 9 digits whose padded form starts with a province code (0 + 1…) read as a code Excel
        # stripped of its zero, which is valid: lose one more digit instead
        return short if not check_moet_code(short).valid else code[:4] + code[6:]
    if kind == 1:
        return code + str(rng.integers(0, 10))
    return code[:3] + "O" + code[4:]


def mistyped_code(rng: np.random.Generator, code: str, taken: set[str]) -> str:
    """A well-formed code with one digit wrong that nobody in the registry holds."""
    while True:
        pos = int(rng.integers(2, 10))
        digit = str(int(rng.integers(0, 10)))
        candidate = code[:pos] + digit + code[pos + 1 :]
        if candidate != code and candidate not in taken:
            taken.add(candidate)
            return candidate


def fresh_code(rng: np.random.Generator, prefix: str, taken: set[str]) -> str:
    """A new code the registry issues (a re-import or a receiving school's new code)."""
    while True:
        candidate = f"{prefix}{int(rng.integers(0, 10**8)):08d}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def drift(rng: np.random.Generator, row: dict, kind: str) -> dict:
    """The same student written differently by the school than by the registry."""
    out = dict(row)
    if kind == "name_typo":
        given = row["given_name"]
        pos = int(rng.integers(0, len(given)))
        letter = "aeiounhtgmc"[int(rng.integers(0, 11))]
        if given[pos].lower() == letter:
            letter = "y"
        out["given_name"] = given[:pos] + letter + given[pos + 1 :]
    elif kind == "name_no_diacritics":
        for field in ("family_name", "middle_name", "given_name"):
            out[field] = strip_diacritics(row[field])
    elif kind == "name_order_swapped":
        out["family_name"], out["given_name"] = row["given_name"], row["family_name"]
    elif kind == "dob_day_month_swapped":
        dob = row["dob"]
        out["dob"] = dob.replace(day=dob.month, month=dob.day)
    elif kind == "gender_flipped":
        out["gender"] = "F" if row["gender"] == "M" else "M"
    out["full_name"] = " ".join(
        p for p in (out["family_name"], out["middle_name"], out["given_name"]) if p
    )
    if out.get("dob") is not None:
        out["dob_raw"] = out["dob"].strftime("%d/%m/%Y")
    return out


def swappable_dob(rows: pl.DataFrame) -> pl.Series:
    """Dates whose day and month can be swapped into another valid, different date."""
    return (pl.col("dob").dt.day() <= 12) & (pl.col("dob").dt.day() != pl.col("dob").dt.month())


def inconsistent_personal_id(rng: np.random.Generator, pid: str) -> tuple[str, str]:
    """A personal ID whose sex digit or birth year disagrees with the record."""
    if rng.random() < 0.5:
        digit = int(pid[3])
        flipped = digit + 1 if digit % 2 == 0 else digit - 1
        return pid[:3] + str(flipped) + pid[4:], "gender_digit"
    year = (int(pid[4:6]) + int(rng.integers(1, 4))) % 100
    return pid[:4] + f"{year:02d}" + pid[6:], "birth_year"


__all__ = [
    "drift",
    "fresh_code",
    "inconsistent_personal_id",
    "invalid_code",
    "mistyped_code",
    "problem_row",
    "strip_diacritics",
    "swappable_dob",
]
