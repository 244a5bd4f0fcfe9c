"""Gradebooks of the simulated district, generated in chunks so a province fits in memory.

Scores are drawn per person, subject and term, so the sending and the receiving school of a
transferred student hold the same term-1 grades, unless the truth says they must differ. Averages
and results follow TT22 exactly (``doisoat.grading``), except where a problem is injected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import polars as pl

from doisoat import grading, vn
from doisoat.model import SUBJECT_RESULT_COLUMNS, TERM_RESULT_COLUMNS
from simulate.grade_rows import emit

CHUNK_RECORDS = 40_000
RATE_AVERAGE_WRONG = 0.003
RATE_ACADEMIC_WRONG = 0.001


def curriculum(level: str, grade: int) -> tuple[list[str], list[str], list[int]]:
    """Scored subjects, comment subjects and the regular assessments each scored one needs."""
    codes = vn.curriculum_subjects(level, grade, "tt22")
    scored = [c for c in codes if vn.SUBJECTS[c].assessment == "score"]
    comment = [c for c in codes if vn.SUBJECTS[c].assessment == "comment"]
    counts = [vn.regular_scores_required(c, level, grade) for c in scored]
    return scored, comment, counts


class GradeBook:
    """Lazily generated subject and term results of every vendor record."""

    def __init__(
        self, seed: int, holdings: pl.DataFrame, persons: pl.DataFrame, school_year: str
    ) -> None:
        self.seed = seed
        self.school_year = school_year
        level = persons.select("person_id", "ability", "school_code")
        self.holdings = holdings.join(level.drop("school_code"), on="person_id").with_columns(
            pl.when(pl.col("grade") >= 10)
            .then(pl.lit("thpt"))
            .otherwise(pl.lit("thcs"))
            .alias("level")
        )
        rng = np.random.default_rng([seed, 7])
        n = self.holdings.height
        self.holdings = self.holdings.with_columns(
            pl.Series("average_wrong", rng.random(n) < RATE_AVERAGE_WRONG),
            pl.Series("academic_wrong", rng.random(n) < RATE_ACADEMIC_WRONG),
            pl.Series("wrong_pick", rng.integers(0, 1000, n)),
        )
        self._cache: tuple[pl.DataFrame, pl.DataFrame] | None = None

    @classmethod
    def from_holdings(cls, other: GradeBook, holdings: pl.DataFrame) -> GradeBook:
        """The same gradebook drawn for other holdings (another night's record ids or edits)."""
        book = cls.__new__(cls)
        book.seed = other.seed
        book.school_year = other.school_year
        book.holdings = holdings
        book._cache = None
        return book

    def scored_subjects(self, level: str, grade: int) -> list[str]:
        return curriculum(level, grade)[0]

    def problems(self) -> pl.DataFrame:
        """GRADE_AVERAGE_MISMATCH truth rows, known before any grade is drawn."""
        wrong = self.holdings.filter(pl.col("average_wrong") | pl.col("academic_wrong"))
        rows = []
        for r in wrong.iter_rows(named=True):
            scored, _comment, _ = curriculum(r["level"], r["grade"])
            term = "1" if r["terms"] == "1" else ("2", "year")[r["wrong_pick"] % 2]
            detail = (
                {"field": "average", "subject": scored[r["wrong_pick"] % len(scored)], "term": term}
                if r["average_wrong"]
                else {"field": "academic", "term": term}
            )
            rows.append(
                {
                    "problem": "GRADE_AVERAGE_MISMATCH",
                    "record_id": r["record_id"],
                    "other_record_id": None,
                    "person_id": r["person_id"],
                    "school_code": r["school_code"],
                    "detail": _json(detail),
                }
            )
        return pl.DataFrame(rows, schema=_PROBLEM_SCHEMA)

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """(subject results, term results) for successive slices of the vendor records."""
        for (level, grade), group in self.holdings.group_by(
            ["level", "grade"], maintain_order=True
        ):
            for start in range(0, group.height, size):
                yield self._chunk(str(level), int(grade), group.slice(start, size))

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        if self._cache is None:
            parts = list(self.chunks())
            self._cache = (
                pl.concat([p[0] for p in parts]) if parts else _empty_subjects(),
                pl.concat([p[1] for p in parts]) if parts else _empty_terms(),
            )
        return self._cache

    # -- one chunk ---------------------------------------------------------------------------
    def _chunk(
        self, level: str, grade: int, rows: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        scored, comment, counts = curriculum(level, grade)
        persons = rows["person_id"].to_numpy()
        ability = rows["ability"].to_numpy()
        n, k = len(persons), len(scored)
        max_regular = max(counts)
        # Per person and subject draws, seeded by the person so every school holding the
        # person's term 1 sees the same scores.
        term_scores = {}
        for term in ("1", "2"):
            draws = _person_draws(self.seed, persons, term, k * (max_regular + 2) + len(comment))
            noise = draws[:, : k * (max_regular + 2)].reshape(n, k, max_regular + 2)
            base = ability[:, None, None] + (noise - 0.5) * 4.0
            base = np.clip(np.round(base * 2) / 2, 0, 10)  # scores in halves, 0–10
            regular = base[:, :, :max_regular]
            mask = np.arange(max_regular)[None, None, :] < np.array(counts)[None, :, None]
            regular = np.where(mask, regular, np.nan)
            mid = base[:, :, max_regular]
            fin = base[:, :, max_regular + 1]
            reg_sum = np.nansum(regular, axis=2)
            avg = grading.term_average(reg_sum, np.array(counts)[None, :], mid, fin)
            comment_ok = draws[:, k * (max_regular + 2) :] > 0.02
            term_scores[term] = (regular, mid, fin, avg, comment_ok)
        # Term-1 grades that differ from the person's draw: the receiving school's copy of a
        # transferred student (TRANSFER_RECORD_MISMATCH) and locked grades edited on a later night.
        shift = rows["term1_shift"].to_numpy()
        edited = np.nonzero(shift != 0)[0]
        if len(edited) and k:
            regular, mid, fin, avg, ok = term_scores["1"]
            fin, avg = fin.copy(), avg.copy()
            subject = rows["term1_shift_subject"].to_numpy()[edited] % k
            moved = fin[edited, subject] + shift[edited]
            moved = np.where(
                (moved < 0) | (moved > 10), fin[edited, subject] - shift[edited], moved
            )
            fin[edited, subject] = moved
            avg[edited, subject] = grading.term_average(
                np.nansum(regular[edited, subject], axis=1),
                np.array(counts)[subject],
                mid[edited, subject],
                moved,
            )
            term_scores["1"] = (regular, mid, fin, avg, ok)
        year_avg = grading.year_average(term_scores["1"][3], term_scores["2"][3])
        year_ok = term_scores["2"][4]
        extra = _person_draws(self.seed, persons, "3", 4)
        return emit(self.school_year, rows, scored, comment, term_scores, year_avg, year_ok, extra)


def _person_draws(seed: int, persons: np.ndarray, term: str, width: int) -> np.ndarray:
    """Uniform draws that depend only on (seed, person, term): stable across schools and chunks."""
    salt = np.uint64(int(term) * 0x9E3779B97F4A7C15 % 2**64)
    keys = persons.astype(np.uint64)[:, None] * np.uint64(1_000_003) + np.arange(
        width, dtype=np.uint64
    )
    x = keys ^ np.uint64(seed * 0x632BE59BD9B4E019 % 2**64) ^ salt
    # splitmix64 finaliser: a good hash, vectorised
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


_PROBLEM_SCHEMA = {
    "problem": pl.String,
    "record_id": pl.String,
    "other_record_id": pl.String,
    "person_id": pl.Int64,
    "school_code": pl.String,
    "detail": pl.String,
}


def _empty_subjects() -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in SUBJECT_RESULT_COLUMNS})


def _empty_terms() -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in TERM_RESULT_COLUMNS})
