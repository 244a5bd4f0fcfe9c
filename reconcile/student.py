"""The student profile: canonical student records linked the way a district data officer would.

Comparison keys follow ``doisoat.vn``'s rules (folded names, 10-digit identity codes, 12-digit
personal IDs re-padded after Excel), restated as column expressions so that a province's million
rows are keyed in one pass. Codes that are not plainly 10 digits go through
``doisoat.vn.check_moet_code`` (only the distinct odd values, a small share of rows).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from doisoat.vn import check_moet_code
from reconcile.normalise import digits, fold, initials, join_names
from reconcile.profile import (
    Profile,
    ReviewRule,
    block_on,
    custom,
    date,
    exact,
    name,
    string,
)

CODE_KEY = "code_key"
PID_KEY = "pid_key"
_TEN_DIGITS = r"^\d{10}$"

OPTIONAL_COLUMNS: dict[str, type[pl.DataType]] = {
    "personal_id": pl.Utf8,
    PID_KEY: pl.Utf8,
    "gender": pl.Utf8,
    "grade": pl.Int64,
    "class_name": pl.Utf8,
    "father_name": pl.Utf8,
    "mother_name": pl.Utf8,
}
"""Canonical columns a source may not have at all (a registry extract without classes or
parents, a roster without national IDs): missing, they are unknown, not an error. The identity
itself (code, names, birth date, school) is required."""


def _check_one(raw: str) -> tuple[str | None, bool]:
    result = check_moet_code(raw)
    return (result.code if result.valid else None), bool(result.valid)


def repair_codes(codes: pl.Series) -> pl.DataFrame:
    """Per raw identity code: ``code_key`` (the valid 10-digit code or null) and ``code_status``
    (``missing`` | ``valid`` | ``invalid``). Plain 10-digit values skip the per-value check."""
    raw = codes.cast(pl.Utf8)
    stripped = raw.str.strip_chars()
    frame = pl.DataFrame({"raw": raw, "stripped": stripped})
    odd = (
        frame.filter(
            pl.col("stripped").is_not_null()
            & (pl.col("stripped") != "")
            & ~pl.col("stripped").str.contains(_TEN_DIGITS)
        )
        .select("raw")
        .unique()
    )
    checked = [_check_one(v) for v in odd["raw"].to_list()]
    repaired = pl.DataFrame(
        {
            "raw": odd["raw"],
            "__code": [c for c, _ in checked],
            "__valid": [v for _, v in checked],
        },
        schema={"raw": pl.Utf8, "__code": pl.Utf8, "__valid": pl.Boolean},
    )
    out = frame.join(repaired, on="raw", how="left", maintain_order="left")
    blank = pl.col("stripped").is_null() | (pl.col("stripped") == "")
    plain = pl.col("stripped").str.contains(_TEN_DIGITS)
    return out.select(
        pl.when(blank)
        .then(None)
        .when(plain)
        .then(pl.col("stripped"))
        .otherwise(pl.col("__code"))
        .alias(CODE_KEY),
        pl.when(blank)
        .then(pl.lit("missing"))
        .when(plain | pl.col("__valid").fill_null(False))
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
        .alias("code_status"),
    )


NAME_YEAR_BLOCK_PAIRS = 300


def with_keys(records: pl.DataFrame) -> pl.DataFrame:
    """Add ``code_key``/``code_status`` (repaired identity code) and ``pid_key`` to records
    (null when they have no ``personal_id`` column)."""
    codes = repair_codes(records["moet_code"])
    if "personal_id" not in records.columns:
        return records.with_columns(codes).with_columns(pl.lit(None, pl.Utf8).alias(PID_KEY))
    pid = digits("personal_id", width=12)
    return records.with_columns(codes).with_columns(
        pl.when(pid.str.len_chars() == 12).then(pid).otherwise(None).alias(PID_KEY)
    )


def _class_levels(left: pl.DataFrame, right: pl.DataFrame) -> np.ndarray:
    """Same grade and class → 0, same grade → 1, one grade apart (a year rolled over) → 2."""
    lg, rg = left["grade"].cast(pl.Int64), right["grade"].cast(pl.Int64)
    lc, rc = left["class_key"], right["class_key"]
    same_grade = (lg == rg).fill_null(False).to_numpy()
    same_class = (lc == rc).fill_null(False).to_numpy()
    near = ((lg - rg).abs() == 1).fill_null(False).to_numpy()
    out = np.full(left.height, 3, dtype=np.int8)
    out[near] = 2
    out[same_grade] = 1
    out[same_grade & same_class] = 0
    out[(lg.is_null() | rg.is_null()).to_numpy()] = -1
    return out


def student_profile(*, target_precision: float = 0.999) -> Profile:
    """Link vendor records to the registry (or dedupe either) on the canonical student columns.

    Input frames must hold the canonical columns plus ``code_key`` and ``pid_key``
    (:func:`with_keys` adds them); those of :data:`OPTIONAL_COLUMNS` may be missing. The
    registry's ``code_key`` names each identity.
    """
    full = join_names(fold("family_name"), fold("middle_name"), fold("given_name"))
    derive = {
        "given_f": fold("given_name"),
        "family_f": fold("family_name"),
        "name_sorted": full.str.split(" ").list.sort().list.join(" "),
        "initials_key": initials(full),
        "birth_year": pl.col("dob").dt.year(),
        "class_key": pl.col("class_name")
        .cast(pl.Utf8)
        .str.to_lowercase()
        .str.replace_all(r"\s", ""),
        "father_f": fold("father_name"),
        "mother_f": fold("mother_name"),
    }
    comparisons = (
        exact(CODE_KEY, name="moet_code"),
        string(PID_KEY, name="personal_id", levenshtein=(1,), jaro_winkler=()),
        name("family_name", "middle_name", "given_name", tf=True),
        date("dob"),
        exact("gender"),
        exact("school_code", name="school"),
        custom(
            "class",
            ("grade", "class_key"),
            ("same_class", "same_grade", "adjacent_grade", "else"),
            _class_levels,
        ),
        string("father_f", name="father_name", jaro_winkler=(0.9,)),
        string("mother_f", name="mother_name", jaro_winkler=(0.9,)),
    )
    blocking = (
        block_on(CODE_KEY),
        block_on(PID_KEY),
        block_on("given_f", "dob"),
        # a name right and the date wrong: only for names rare in their cohort (a block of at
        # most 300 pairs, ~17 students on each side); a common name's student is found by the
        # date and school rules, and its blocks were a third of a province's pairs and no match
        # of their own (1 M, hard simulation: 19.4 M → 12.1 M pairs, the same 993,924 found;
        # with 30 % of the mothers' names blanked, 23 of 993,703 true pairs lost)
        block_on("family_f", "given_f", "birth_year", max_block_pairs=NAME_YEAR_BLOCK_PAIRS),
        block_on("name_sorted", "birth_year", max_block_pairs=NAME_YEAR_BLOCK_PAIRS),
        block_on("school_code", "given_f", "family_f"),
        block_on("dob", "gender", "initials_key"),
        # two damages on one record (a typo in both names, names swapped and misspelt, a typo
        # and no birth date): the school and the birth date, or the mother, still find it
        block_on("school_code", "dob"),
        block_on("school_code", "mother_f"),
    )
    return Profile(
        id_column="record_id",
        comparisons=comparisons,
        blocking=blocking,
        derive=derive,
        optional_columns=OPTIONAL_COLUMNS,
        label_column=CODE_KEY,
        authority_column=CODE_KEY,
        target_precision=target_precision,
        # a link whose own probability (weighed against its rivals) is below the precision the
        # district is promised is for a person: at 1 M on the hard simulation the 12 links
        # between 0.9 and 0.999 were right 7 times in 12, students absent from the registry
        # linked to a stranger at another school
        min_match_probability=target_precision,
        max_matches_per_left=1,
        # a province has tens of millions of candidate pairs, nearly all hopeless: keep the
        # plausible ones (p > ~0.001) and each record's best try, which says why it failed
        keep_weight_above=-10.0,
        keep_best_per_left=True,
        # a registry student is one person in one school's roster: twins, a namesake or a
        # student missing from the registry must not take a registry record already taken
        one_per_right_in="snapshot_id",
        # birth dates unrelated, or two different personal IDs: siblings (who share a family,
        # parents and school), unless the code or the personal ID says otherwise. A wholly
        # different given name is no longer sent to review on its own: the twin it was meant
        # for is now outweighed by its rival (reconcile.compete: the other twin's own record
        # holds the registry student at 2^90), while the rule kept two-typo names («Hà Thị
        # Hiệp» / «mà Thị Hoệp», same birth date, school, class and parents) from linking —
        # measured on the hard simulation at 100 k: 18 such pairs in review, all one person
        review_rules=(
            ReviewRule("dob", ("else",), unless=("moet_code", "personal_id")),
            ReviewRule("personal_id", ("else",), unless=("moet_code",)),
        ),
    )


def registry_profile(*, target_precision: float = 0.999) -> Profile:
    """Dedupe the registry: one student under two codes. The code cannot be evidence here (each
    registry row has its own), so it is neither compared nor used as a label."""
    base = student_profile(target_precision=target_precision)
    return replace(
        base,
        comparisons=tuple(c for c in base.comparisons if c.name != "moet_code"),
        blocking=tuple(b for b in base.blocking if CODE_KEY not in b.keys),
        label_column=None,
        max_matches_per_left=None,
        one_per_right_in=None,
        # merging two registry identities is grave: names that only look alike (twins named
        # Huy and Duy) are for a person to decide, unless the personal ID is the same
        review_rules=(
            *base.review_rules,
            ReviewRule("name", _NOT_SAME_NAME, unless=("personal_id",)),
        ),
    )


_NOT_SAME_NAME = ("family_given", "close", "given_initials", "given", "else")
