"""Grade tables (wide: subjects across, or long: a row per subject) -> subject and term results.

Rows keep the student's ``local_id`` and their provenance; the ingest service turns the local id
into the record id of the same snapshot, and quarantines results whose student it cannot find.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from typing import Any

import polars as pl

from connectors.grade_columns import ORDER, layout_key, list_json, long_frames, wide_frames
from connectors.mapping import Defaults, _labels
from connectors.messages import msg
from connectors.quarantine import Quarantined
from connectors.tabular.cells import cell_text
from connectors.tabular.tables import Table
from connectors.values import (
    parse_count,
    parse_rating,
    parse_result,
    parse_score,
    parse_scores,
    parse_term,
)
from doisoat.vn import repair_text, subject_code

PROVENANCE = ("local_id", "src_file", "src_sheet", "src_row")
SUBJECT_SCHEMA: dict[str, Any] = {
    "local_id": pl.String, "school_year": pl.String, "term": pl.String, "subject": pl.String,
    "regular_scores": pl.String,  # a JSON list, as the store keeps it
    "midterm": pl.Float64, "final": pl.Float64,
    "average": pl.Float64, "rating": pl.String,
    "src_file": pl.String, "src_sheet": pl.String, "src_row": pl.Int64,
}
_READ_SUBJECTS = SUBJECT_SCHEMA | {"regular_scores": pl.List(pl.Float64)}  # one at a time
TERM_SCHEMA: dict[str, Any] = {
    "local_id": pl.String, "school_year": pl.String, "term": pl.String, "academic": pl.String,
    "conduct": pl.String, "absent_excused": pl.Int64, "absent_unexcused": pl.Int64,
    "promotion": pl.String, "title": pl.String, "homeroom_comment": pl.String,
    "src_file": pl.String, "src_sheet": pl.String, "src_row": pl.Int64,
}
TERM_FIELDS = ("academic", "conduct", "absent_excused", "absent_unexcused", "promotion", "title",
               "homeroom_comment")
_SCORE_FIELDS = ("midterm", "final", "average")


@lru_cache(maxsize=4096)
def _subject(raw: str) -> str | None:
    return subject_code(repair_text(raw))


class _BadCell(Exception):
    def __init__(self, key: str, at: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.column, self.values = key, at, values


def _score(value: Any, column: str) -> float | None:
    try:
        return parse_score(value)
    except ValueError as exc:
        raise _BadCell("row_bad_score", column, value=cell_text(value), column=column) from exc


def _term_row(cells: list[Any], columns: dict[str, int], headers: dict[str, str]) -> dict | None:
    found: dict[str, Any] = {}
    for name in TERM_FIELDS:
        index = columns.get(name)
        if index is None or index >= len(cells):
            continue
        raw = cells[index]
        if not cell_text(raw):
            continue
        if name in {"absent_excused", "absent_unexcused"}:
            try:
                found[name] = parse_count(raw)
            except ValueError as exc:
                raise _BadCell("row_bad_absence", headers[name], value=cell_text(raw),
                               column=headers[name]) from exc
        elif name in {"academic", "conduct"}:
            found[name] = parse_result(raw)
        else:
            found[name] = cell_text(raw)
    return found or None


def grade_rows(tables: list[Table], defaults: Defaults,
               quarantine: list[Quarantined]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Subject and term results of every grade table, in the file's order.

    Columns are parsed a column at a time (``connectors.grade_columns``); the rows some parser
    refused are read again one at a time, which quarantines them with the exact cell and reason.
    """
    layouts: dict[Any, list[tuple[int, Table]]] = {}
    for index, table in enumerate(tables):
        if table.dataset.kind != "roster" and table.rows:
            layouts.setdefault(layout_key(table), []).append((index, table))
    subjects: list[pl.DataFrame] = []
    terms: list[pl.DataFrame] = []
    refused: dict[int, list[Quarantined]] = {}
    for group in layouts.values():
        if group[0][1].dataset.kind == "grades_wide":
            found_subjects, found_terms, flagged = wide_frames(group, defaults, TERM_FIELDS)
        else:
            found_subjects, found_terms, flagged = long_frames(group, defaults, TERM_FIELDS,
                                                               _subject)
        subjects += [found_subjects] if found_subjects is not None else []
        terms += [found_terms] if found_terms is not None else []
        flagged_rows = flagged.arg_true().to_list()  # positions in the layout's rows
        start = 0
        for index, table in group:
            end = start + len(table.rows)
            again = [table.rows[i - start] for i in
                     flagged_rows[bisect_left(flagged_rows, start):bisect_left(flagged_rows, end)]]
            start = end
            if again:
                one_subjects, one_terms = _row_by_row(table, index, again, defaults,
                                                      refused.setdefault(index, []))
                subjects.append(one_subjects)
                terms.append(one_terms)
    for index in sorted(refused):
        quarantine.extend(refused[index])
    return _ordered(subjects, SUBJECT_SCHEMA), _ordered(terms, TERM_SCHEMA)


def _ordered(frames: list[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=schema)
    keys = [c for c in ORDER if c not in schema]

    def column(frame: pl.DataFrame, name: str, dtype: Any) -> pl.Expr:
        found = pl.col(name) if name in frame.columns else pl.lit(None)
        return found.cast(dtype).alias(name)

    whole = pl.concat([f.select(*[column(f, c, t) for c, t in schema.items()], *keys)
                       for f in frames])
    return whole.sort(ORDER, maintain_order=True).select(list(schema))


def _row_by_row(table: Table, index: int, rows: list[tuple[int, list[Any]]], defaults: Defaults,
                quarantine: list[Quarantined]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The results of ``rows`` of table ``index`` read one at a time, keyed for ``ORDER``; the
    rows that fail go to ``quarantine``."""
    subjects: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    matches = table.header.matches
    columns = {name: m.column for name, m in matches.items()}
    headers = {name: m.header for name, m in matches.items()}
    labels = _labels(table)
    for row_number, cells in rows:
        def get(name: str, cells: list[Any] = cells) -> Any:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        base = {
            "local_id": cell_text(get("local_id")),
            "school_year": cell_text(get("school_year")) or table.context.school_year
            or defaults.school_year,
            "src_file": defaults.file, "src_sheet": table.sheet.name, "src_row": row_number,
        }
        try:
            if not base["local_id"]:
                column = headers.get("local_id", "local_id")
                raise _BadCell("row_no_local_id", column, column=column)
            if table.dataset.kind == "grades_wide":
                term = table.context.term or "1"
                new_subjects = _wide(cells, table, base | {"term": term})
                term_row = _term_row(cells, columns, headers)
                new_terms = [base | {"term": term} | term_row] if term_row else []
            else:
                new_subjects, new_terms = _long(cells, get, headers, table, base)
        except _BadCell as bad:
            quarantine.append(Quarantined.of(
                file=defaults.file, sheet=table.sheet.name, row=row_number, cells=cells,
                labels=labels, column=bad.column, reason=bad.key,
                reason_vi=msg(bad.key, **bad.values)))
            continue
        subjects.extend(new_subjects)
        terms.extend(new_terms)
    order = {code: i for i, code in enumerate(dict.fromkeys(g.subject for g in
                                                            table.header.grades))}
    subject_frame = _frame(subjects, _READ_SUBJECTS, index, order).with_columns(
        list_json(pl.col("regular_scores")).alias("regular_scores"))
    return subject_frame, _frame(terms, TERM_SCHEMA, index, {})


def _frame(rows: list[dict[str, Any]], schema: dict[str, Any], index: int,
           order: dict[str, int]) -> pl.DataFrame:
    frame = (pl.DataFrame(rows, schema=schema, orient="row") if rows
             else pl.DataFrame(schema=schema))
    subject = (pl.col("subject").replace_strict(order, default=0, return_dtype=pl.Int64)
               if "subject" in schema else pl.lit(0, dtype=pl.Int64))
    return frame.with_columns(pl.lit(index, dtype=pl.Int64).alias("_table"),
                              subject.alias("_subject"))


def _wide(cells: list[Any], table: Table, base: dict[str, Any]) -> list[dict[str, Any]]:
    by_subject: dict[str, dict[str, Any]] = {}
    for grade in table.header.grades:
        value = cells[grade.column] if grade.column < len(cells) else None
        if not cell_text(value):
            continue
        column = f"{grade.subject_label} {grade.component}"
        entry = by_subject.setdefault(grade.subject, {"regular_scores": []})
        if grade.component == "regular":
            score = _score(value, column)
            if score is not None:
                entry["regular_scores"].append(score)
        elif grade.component == "rating":
            entry["rating"] = parse_rating(value)
        else:
            entry[grade.component] = _score(value, column)
    return [base | {"subject": subject, "midterm": None, "final": None, "average": None,
                    "rating": None} | entry for subject, entry in by_subject.items()]


def _long(cells: list[Any], get, headers: dict[str, str], table: Table,
          base: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    raw_term = get("term")
    term = parse_term(raw_term) if cell_text(raw_term) else table.context.term
    if term is None:
        column = headers.get("term", "term")
        raise _BadCell("row_bad_term", column, value=cell_text(raw_term), column=column)
    base = base | {"term": term}
    subjects, terms = [], []
    if "subject" in headers:
        raw_subject = cell_text(get("subject"))
        subject = _subject(raw_subject) if raw_subject else None
        if subject is None:
            raise _BadCell("row_unknown_subject", headers["subject"], value=raw_subject,
                           column=headers["subject"])
        regular: list[float] = []
        if "regular" in headers:
            try:
                regular = parse_scores(get("regular"))
            except ValueError as exc:
                raise _BadCell("row_bad_score", headers["regular"],
                               value=cell_text(get("regular")), column=headers["regular"]) from exc
        for position in range(1, 10):
            name = f"regular_{position}"
            if name in headers:
                score = _score(get(name), headers[name])
                if score is not None:
                    regular.append(score)
        entry = base | {"subject": subject, "regular_scores": regular,
                        "rating": parse_rating(get("rating"))}
        for name in _SCORE_FIELDS:
            entry[name] = _score(get(name), headers.get(name, name))
        subjects.append(entry)
    if any(name in headers for name in TERM_FIELDS):
        term_row = _term_row(cells, {n: m.column for n, m in table.header.matches.items()},
                             headers)
        if term_row:
            terms.append(base | term_row)
    return subjects, terms
