"""Authoring a linkage: plain declarative objects, compiled into checked settings.

A :class:`Profile` says *what* to compare and *how* to block; it holds no data and does no work.
:func:`compile_profile` checks it once (names, levels, thresholds) so that the engine can trust it.

Levels of a comparison are ordered from the strongest agreement to ``else`` (the last level).
A pair whose value is missing on either side gets level ``-1``: it adds no evidence either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from doisoat.errors import ConfigError

#: A custom comparison: (left rows, right rows) of the candidate pairs → level index per pair.
LevelFunction = Callable[[pl.DataFrame, pl.DataFrame], np.ndarray]

KINDS = ("exact", "string", "name", "date", "custom")


@dataclass(frozen=True)
class Comparison:
    """One field's comparison: its columns, its kind and its agreement levels."""

    name: str
    kind: str
    columns: tuple[str, ...]
    levels: tuple[str, ...]
    jaro_winkler: tuple[float, ...] = ()
    levenshtein: tuple[int, ...] = ()
    close_days: int = 31
    tf: bool = False
    function: LevelFunction | None = None


def exact(column: str, *, name: str | None = None, tf: bool = False) -> Comparison:
    """Agree or not: identity codes, gender, school."""
    return Comparison(name or column, "exact", (column,), ("exact", "else"), tf=tf)


def string(
    column: str,
    *,
    name: str | None = None,
    jaro_winkler: Sequence[float] = (0.92, 0.8),
    levenshtein: Sequence[int] = (),
    tf: bool = False,
) -> Comparison:
    """Exact, then Levenshtein distance levels (≤ k edits), then Jaro-Winkler similarity levels."""
    jw = tuple(sorted(jaro_winkler, reverse=True))
    lev = tuple(sorted(levenshtein))
    levels = ("exact",) + tuple(f"levenshtein<={k}" for k in lev)
    levels += tuple(f"jaro_winkler>={t}" for t in jw) + ("else",)
    return Comparison(
        name or column, "string", (column,), levels, jaro_winkler=jw, levenshtein=lev, tf=tf
    )


NAME_LEVELS = (
    "exact",
    "folded",  # same letters, diacritics or case differ
    "family_given",  # family and given agree, middle name differs or is missing
    "swapped",  # same words in another order (family and given swapped)
    "close",  # Jaro-Winkler of the folded full names ≥ threshold
    "given_initials",  # same given name, same initials of family and middle
    "given",  # same given name only
    "else",
)


def name(
    family: str,
    middle: str,
    given: str,
    *,
    comparison_name: str = "name",
    close: float = 0.92,
    tf: bool = True,
) -> Comparison:
    """Person names in parts: folded diacritics, family+given, order swap, initials levels.

    With ``tf=True`` the two exact levels are adjusted by how common the full name is, so that
    two "Nguyễn Văn An" agree less than two "Vũ Khải Tuệ".
    """
    return Comparison(
        comparison_name, "name", (family, middle, given), NAME_LEVELS, jaro_winkler=(close,), tf=tf
    )


DATE_LEVELS = ("exact", "day_month_swapped", "year_off_by_one", "close", "else")


def date(column: str, *, name: str | None = None, close_days: int = 31) -> Comparison:
    """Dates: exact, day/month swapped, one year off (same day and month), within N days."""
    return Comparison(name or column, "date", (column,), DATE_LEVELS, close_days=close_days)


def custom(
    name: str, columns: Sequence[str], levels: Sequence[str], function: LevelFunction
) -> Comparison:
    """Any other rule: ``function(left_rows, right_rows)`` returns a level index per pair. It is
    called on chunks of pairs from several threads at once, so it must keep no state."""
    return Comparison(name, "custom", tuple(columns), tuple(levels), function=function)


@dataclass(frozen=True)
class BlockingRule:
    """Candidate pairs are those equal on every key column (nulls never block together).

    Blocks whose pair count exceeds ``max_block_pairs`` are skipped: a key that common carries
    no information, and the other rules still see those records.
    """

    keys: tuple[str, ...]
    max_block_pairs: int = 20_000

    @property
    def name(self) -> str:
        return "+".join(self.keys)


def block_on(*keys: str, max_block_pairs: int = 20_000) -> BlockingRule:
    return BlockingRule(tuple(keys), max_block_pairs)


@dataclass(frozen=True)
class ReviewRule:
    """Pairs at one of ``levels`` of ``comparison`` are never matched on the model's word alone,
    unless a comparison of ``unless`` agrees exactly: the model adds up fields that are not
    independent (twins share a family, parents, school and birth date, and differ only in the
    given name), so such a pair is weak evidence and goes to a person."""

    comparison: str
    levels: tuple[str, ...]
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """Everything a linkage needs to know, and nothing about any particular data set.

    ``derive`` adds comparison keys (polars expressions) before blocking; ``optional_columns``
    names input columns a source may not have at all (with their type): a frame that lacks one
    reads it as unknown on every row, so the comparisons built on it add no evidence (level
    ``-1``) instead of the linkage failing; ``label_column`` names
    a column whose equal, non-null values mark pairs known to match (training examples);
    ``authority_column`` names the column whose value identifies a cluster (the registry code).
    ``one_per_right_in``: a left column (e.g. the vendor snapshot) within which a right record
    is one entity: each right record keeps its best match per value, the others go to review
    (close) or non-match. ``review_rules``: see :class:`ReviewRule`.
    Thresholds are match probabilities; ``match_threshold=None`` chooses the lowest threshold whose
    estimated precision reaches ``target_precision``, but never below ``min_match_probability``.
    """

    id_column: str
    comparisons: tuple[Comparison, ...]
    blocking: tuple[BlockingRule, ...]
    derive: Mapping[str, pl.Expr] = field(default_factory=dict)
    optional_columns: Mapping[str, type[pl.DataType] | pl.DataType] = field(default_factory=dict)
    label_column: str | None = None
    authority_column: str | None = None
    target_precision: float = 0.999
    match_threshold: float | None = None
    min_match_probability: float = 0.9
    review_threshold: float = 0.05
    max_matches_per_left: int | None = None
    ambiguity_margin: float = 2.0
    u_sample_pairs: int = 200_000
    em_iterations: int = 30
    keep_weight_above: float | None = None
    keep_best_per_left: bool = False
    one_per_right_in: str | None = None
    review_rules: tuple[ReviewRule, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class CompiledProfile:
    """A checked profile plus what the engine derives from it once."""

    profile: Profile
    input_columns: tuple[str, ...]
    comparison_columns: tuple[str, ...]

    def __getattr__(self, item: str):  # settings read like the profile they came from
        if item == "profile" or item.startswith("__"):  # unpickling (Spark tasks) asks first
            raise AttributeError(item)
        return getattr(self.profile, item)


def compile_profile(profile: Profile) -> CompiledProfile:
    """Check a profile once; every problem is reported together."""
    problems: list[str] = []
    names = [c.name for c in profile.comparisons]
    if not names:
        problems.append("a profile needs at least one comparison")
    if len(set(names)) != len(names):
        problems.append(f"comparison names must be unique: {names}")
    for c in profile.comparisons:
        if c.kind not in KINDS:
            problems.append(f"{c.name}: unknown kind {c.kind!r}")
        if len(c.levels) < 2:
            problems.append(f"{c.name}: a comparison needs at least two levels")
        if c.kind == "custom" and c.function is None:
            problems.append(f"{c.name}: a custom comparison needs a function")
    if not profile.blocking:
        problems.append("a profile needs at least one blocking rule")
    review = profile.review_threshold
    match = profile.match_threshold
    if not 0 < profile.target_precision < 1:
        problems.append("target_precision must be between 0 and 1")
    if match is not None and not review <= match <= 1:
        problems.append("thresholds must satisfy review_threshold <= match_threshold <= 1")
    if problems:
        raise ConfigError(
            "invalid linkage profile: " + "; ".join(problems),
            message_vi="Cấu hình đối sánh không hợp lệ: " + "; ".join(problems),
            details={"problems": problems},
        )
    derived = set(profile.derive)
    needed = {profile.id_column}
    for c in profile.comparisons:
        needed.update(c.columns)
    for rule in profile.blocking:
        needed.update(rule.keys)
    for col in (profile.label_column, profile.authority_column):
        if col:
            needed.add(col)
    comparison_columns = tuple(sorted({c for comp in profile.comparisons for c in comp.columns}))
    return CompiledProfile(profile, tuple(sorted(needed - derived)), comparison_columns)
