"""The column-at-a-time grade reader gives exactly what reading every row one at a time gives.

Each vendor's simulated gradebook is read, then its cells are damaged at random (bad scores,
decimal commas, three decimals, blanks that only look empty, unknown subjects, missing local ids);
the fast reader and the row reader must agree on every result row and every quarantined row.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import connectors.export_file as export_file
from connectors import grades
from connectors.tabular.tables import Table

NIGHT = dt.date(2026, 6, 10)
DAMAGE = ["", None, "abc", "11", "-1", "7,5", " 8 ", "7.125", "\xa0", 8.0, 7.25, 12.0, "8;7,5",
          "8 ; 9|6", "8;x", "nan", "1_0", "Đ", "CĐ", "T", "Khá", "Toán", "Môn lạ", "HK1", "3"]


def _tables(path: Path) -> tuple[list[Table], object]:
    seen: dict = {}
    original = export_file.grade_rows

    def capture(tables, defaults, quarantine):
        seen["tables"], seen["defaults"] = tables, defaults
        return original(tables, defaults, quarantine)

    export_file.grade_rows = capture
    try:
        export_file.read_export(path, night=NIGHT)
    finally:
        export_file.grade_rows = original
    return seen["tables"], seen["defaults"]


def _one_at_a_time(tables: list[Table], defaults) -> tuple[pl.DataFrame, pl.DataFrame, list]:
    quarantine: list = []
    subjects, terms = [], []
    for index, table in enumerate(tables):
        if table.dataset.kind == "roster":
            continue
        found_subjects, found_terms = grades._row_by_row(table, index, table.rows, defaults,
                                                         quarantine)
        subjects.append(found_subjects)
        terms.append(found_terms)
    return (grades._ordered(subjects, grades.SUBJECT_SCHEMA),
            grades._ordered(terms, grades.TERM_SCHEMA), quarantine)


@pytest.fixture(scope="module")
def gradebooks(exported: Path) -> dict[str, tuple[list[Table], object]]:
    """One gradebook per vendor (wide sheets, long CSV, XML)."""
    books: dict[str, tuple[list[Table], object]] = {}
    for path in sorted(exported.rglob("*")):
        if not path.is_file() or path.name.startswith("CSDL"):
            continue
        tables, defaults = _tables(path)
        kinds = {t.dataset.kind for t in tables} - {"roster"}
        if kinds and defaults.source not in books:
            books[defaults.source] = (tables, defaults)
    assert {"smas", "vnedu", "vietschool", "quangich"} <= set(books)
    return books


def _damage(tables: list[Table], rng: random.Random, share: float) -> None:
    for table in tables:
        if table.dataset.kind == "roster":
            continue
        mapped = sorted({m.column for m in table.header.matches.values()}
                        | {g.column for g in table.header.grades})
        for position, (number, cells) in enumerate(table.rows):
            cells = list(cells)
            for column in mapped:
                if column < len(cells) and rng.random() < share:
                    cells[column] = rng.choice(DAMAGE)
            table.rows[position] = (number, cells)


@pytest.mark.parametrize("source", ["smas", "vnedu", "vietschool", "quangich"])
def test_clean_books_read_the_same(gradebooks, source):
    tables, defaults = gradebooks[source]
    quarantine: list = []
    subjects, terms = grades.grade_rows(tables, defaults, quarantine)
    want_subjects, want_terms, want_quarantine = _one_at_a_time(tables, defaults)
    assert subjects.height > 100
    assert_frame_equal(subjects, want_subjects)
    assert_frame_equal(terms, want_terms)
    assert quarantine == want_quarantine == []


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.002, 0.02, 0.2]),
       source=st.sampled_from(["smas", "vnedu", "vietschool", "quangich"]))
def test_damaged_books_read_the_same(gradebooks, seed, share, source):
    tables, defaults = gradebooks[source]
    damaged = [Table(t.sheet, t.dataset, t.header, t.context, list(t.rows), t.skipped)
               for t in tables]
    _damage(damaged, random.Random(seed), share)
    quarantine: list = []
    subjects, terms = grades.grade_rows(damaged, defaults, quarantine)
    want_subjects, want_terms, want_quarantine = _one_at_a_time(damaged, defaults)
    assert_frame_equal(subjects, want_subjects)
    assert_frame_equal(terms, want_terms)
    assert quarantine == want_quarantine
    rows = sum(len(t.rows) for t in damaged if t.dataset.kind != "roster")
    if share >= 0.2:
        assert 0 < len(quarantine) < rows
