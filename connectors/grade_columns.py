"""Grade tables read a column at a time: the fast path of :func:`connectors.grades.grade_rows`.

A province's gradebooks are tens of millions of cells, and the values of a grade column repeat
(a few hundred distinct scores): every parser runs once per distinct value of a column, the
tables of a file that share one header (a sheet per class) are read as one, and the result rows
are assembled by one polars query per header layout. A row any parser refuses is only *flagged*
here and left out; the row-at-a-time reader of ``connectors.grades`` reads the flagged rows again
and decides, with its exact messages, which of them to quarantine. So this path has to be exact
on the rows it keeps and merely cautious about the others.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import polars as pl

from connectors.mapping import Defaults
from connectors.tabular.cells import cell_text
from connectors.tabular.tables import Table, column_cells, narrowest, only_text
from connectors.values import (
    parse_count,
    parse_rating,
    parse_result,
    parse_score,
    parse_term,
)

ORDER = ("_table", "src_row", "_subject")  # result rows in the order of the file
_FAILED = object()  # a parser's answer for a value it refuses
_SEPARATORS = r"[;|\s]+"  # between the regular scores of one cell (connectors.values)


def scores_json(parts: list[pl.Expr]) -> pl.Expr:
    """Regular scores as the store keeps them, a JSON list (``[8.0, 7.5]``), from expressions
    each giving one score or several already joined; nulls are skipped. Strings are joined
    rather than lists built: polars' list kernels cost several times more."""
    joined = pl.concat_str([part.cast(pl.String) for part in parts], separator=", ",
                           ignore_nulls=True)
    return pl.concat_str([pl.lit("["), joined, pl.lit("]")])


def list_json(scores: pl.Expr) -> pl.Expr:
    """A list of scores written as :func:`scores_json` writes it (the same number cast)."""
    return scores_json([_joined(scores)])


def _joined(scores: pl.Expr) -> pl.Expr:
    return scores.list.eval(pl.element().cast(pl.String)).list.join(", ")


def layout_key(table: Table) -> Hashable:
    """Tables with the same key are read as one (the sheets of one file, one per class)."""
    header = table.header
    return (table.dataset.kind, tuple(sorted((n, m.column) for n, m in header.matches.items())),
            tuple((g.column, g.subject, g.component) for g in header.grades))


def _score_or_none(value: Any) -> float | None:
    if not cell_text(value):
        return None
    score = parse_score(value)
    if score is None:  # blanks the row reader sees as a filled cell: let it decide
        raise ValueError(value)
    return score


def _count_or_none(value: Any) -> int | None:
    return parse_count(value) if cell_text(value) else None


def _text_or_none(value: Any) -> str | None:
    return cell_text(value) or None


_TERM_PARSERS: dict[str, Callable[[Any], Any]] = {
    "absent_excused": _count_or_none, "absent_unexcused": _count_or_none,
    "academic": parse_result, "conduct": parse_result,
}


class _Layout:
    """The cells of tables that share a header, by column, and the rows a parser refused."""

    def __init__(self, tables: list[tuple[int, Table]], defaults: Defaults) -> None:
        self.tables = tables
        first = tables[0][1]
        self.header = first.header
        self.columns = {name: m.column for name, m in first.header.matches.items()}
        rows = [row for _, table in tables for row in table.rows]
        self.size = len(rows)
        self._cells_of = [cells for _, cells in rows]
        self._width = narrowest(self._cells_of)
        self._columns: dict[int, list[Any]] = {}
        self.flagged = pl.Series("_flagged", [False] * self.size)
        self.base = pl.DataFrame({
            "src_row": pl.Series([number for number, _ in rows], dtype=pl.Int64),
            "_table": self._each_table(lambda index, _: index, pl.Int64),
            "src_sheet": self._each_table(lambda _, t: t.sheet.name, pl.String),
            "src_file": pl.repeat(defaults.file, self.size, dtype=pl.String, eager=True),
        })
        self.context_year = self._each_table(
            lambda _, t: t.context.school_year or defaults.school_year, pl.String)
        self.context_term = self._each_table(lambda _, t: t.context.term, pl.String)

    def _each_table(self, value: Callable[[int, Table], Any], dtype: Any) -> pl.Series:
        out: list[Any] = []
        for index, table in self.tables:
            out.extend([value(index, table)] * len(table.rows))
        return pl.Series(out, dtype=dtype)

    def cells(self, column: int) -> list[Any]:
        found = self._columns.get(column)
        if found is None:
            found = self._columns[column] = column_cells(self._cells_of, column,
                                                             width=self._width)
        return found

    def parse(self, column: int, parse: Callable[[Any], Any], dtype: Any) -> pl.Series:
        """``parse`` once per distinct value of a column; refused values flag their rows."""
        values = self.cells(column)
        answers: dict[Any, Any] = {}
        for value in set(values):
            try:
                answers[value] = parse(value)
            except (ValueError, TypeError):
                answers[value] = _FAILED
        parsed = list(map(answers.__getitem__, values))
        if any(answer is _FAILED for answer in answers.values()):
            failed = [answer is _FAILED for answer in parsed]
            self.flag(pl.Series(failed))
            parsed = [None if answer is _FAILED else answer for answer in parsed]
        return pl.Series(parsed, dtype=dtype)

    def texts(self, column: int) -> pl.Series:
        """A column as the row reader's ``cell_text`` sees it; plain text skips the per-value
        call."""
        values = self.cells(column)
        if only_text(values):
            return pl.Series(values, dtype=pl.String).str.strip_chars(" \t\r\n").fill_null("")
        answers = {value: cell_text(value) for value in set(values)}
        return pl.Series(list(map(answers.__getitem__, values)), dtype=pl.String)

    def field(self, name: str, parse: Callable[[Any], Any], dtype: Any) -> pl.Series | None:
        at = self.columns.get(name)
        return None if at is None else self.parse(at, parse, dtype)

    def flag(self, rows: pl.Series) -> None:
        self.flagged = self.flagged | rows

    def start(self) -> pl.DataFrame:
        """Local id and school year of every row: a row without a local id is flagged."""
        nulls = pl.Series([None] * self.size, dtype=pl.String)
        local_id = self.field("local_id", _text_or_none, pl.String)
        local_id = nulls if local_id is None else local_id
        self.flag(local_id.is_null())
        year = self.field("school_year", _text_or_none, pl.String)
        year = self.context_year if year is None else year.fill_null(self.context_year)
        return self.base.with_columns(local_id.alias("local_id"), year.alias("school_year"))

    def terms(self, frame: pl.DataFrame, term_fields: tuple[str, ...]) -> pl.LazyFrame | None:
        """Term-result rows: the rows where any mapped term field is filled."""
        found = {}
        for name in term_fields:
            if name in self.columns:
                dtype = pl.Int64 if name.startswith("absent") else pl.String
                found[name] = self.field(name, _TERM_PARSERS.get(name, _text_or_none), dtype)
        if not found:
            return None
        return frame.lazy().with_columns(**found).filter(
            pl.any_horizontal(pl.col(name).is_not_null() for name in found))

    def clean(self, plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
        """Run the plans once flags are final, keeping the rows no parser refused."""
        if not self.flagged.any():
            return [plan.drop("_position").collect() for plan in plans]
        keep = pl.DataFrame({"_flagged": self.flagged}).with_row_index("_position")
        return [plan.join(keep.lazy(), on="_position", how="left")
                .filter(~pl.col("_flagged")).drop("_flagged", "_position").collect()
                for plan in plans]


def wide_frames(tables: list[tuple[int, Table]], defaults: Defaults,
                term_fields: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame | None,
                                                       pl.Series]:
    """Subject rows (one per student per subject with a filled cell) and term rows of wide
    sheets sharing a header, and which rows to read again one at a time."""
    layout = _Layout(tables, defaults)
    frame = layout.start().with_columns(
        layout.context_term.fill_null("1").alias("term")).with_row_index("_position")
    subjects: dict[str, list] = {}
    for grade in layout.header.grades:
        subjects.setdefault(grade.subject, []).append(grade)
    grades: dict[str, pl.Series] = {}
    plans = []
    for position, (subject, columns) in enumerate(subjects.items()):
        regular, single, filled = [], {}, []
        for grade in columns:
            name = f"_g{grade.column}"
            if grade.component == "rating":
                grades[name] = layout.parse(grade.column, parse_rating, pl.String)
            else:
                grades[name] = layout.parse(grade.column, _score_or_none, pl.Float64)
            filled.append(pl.col(name).is_not_null())
            if grade.component == "regular":
                regular.append(pl.col(name))
            else:
                single.setdefault(grade.component, []).append(pl.col(name))
        values = {
            "subject": pl.lit(subject),
            "regular_scores": scores_json(regular) if regular else pl.lit("[]"),
            "_subject": pl.lit(position, dtype=pl.Int64),
        }
        for name, dtype in (("midterm", pl.Float64), ("final", pl.Float64),
                            ("average", pl.Float64), ("rating", pl.String)):
            found = single.get(name)
            # the row reader lets the last filled column of a component win
            values[name] = pl.coalesce(list(reversed(found))) if found else pl.lit(None, dtype)
        plans.append((pl.any_horizontal(filled), values))
    whole = frame.with_columns(**grades).lazy()
    subject_plan = pl.concat(
        [whole.filter(filled).select("_position", "local_id", "school_year", "term",
                                     "src_file", "src_sheet", "src_row", "_table", **values)
         for filled, values in plans]) if plans else None
    terms = layout.terms(frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("_subject")),
                         term_fields)
    done = layout.clean([p for p in (subject_plan, terms) if p is not None])
    found_subjects = done.pop(0) if subject_plan is not None else None
    return found_subjects, (done[0] if terms is not None else None), layout.flagged


def long_frames(tables: list[tuple[int, Table]], defaults: Defaults,
                term_fields: tuple[str, ...], subject_of: Callable[[str], str | None]
                ) -> tuple[pl.DataFrame | None, pl.DataFrame | None, pl.Series]:
    """Subject and term rows of long sheets (a row per student, term and subject)."""
    layout = _Layout(tables, defaults)
    frame = layout.start()
    given = layout.field("term", lambda v: (parse_term(v) or _FAILED) if cell_text(v) else None,
                         pl.String)
    term = layout.context_term if given is None else given.fill_null(layout.context_term)
    layout.flag(term.is_null())
    frame = frame.with_columns(term.alias("term"), pl.lit(0, dtype=pl.Int64).alias("_subject"),
                               ).with_row_index("_position")
    plans = []
    if "subject" in layout.columns:
        nulls = pl.Series([None] * layout.size, dtype=pl.Float64)
        columns: dict[str, Any] = {
            "subject": layout.field("subject", lambda v: (subject_of(cell_text(v)) if cell_text(v)
                                                          else None) or _FAILED, pl.String),
            "rating": layout.field("rating", parse_rating, pl.String)
            if "rating" in layout.columns else nulls.cast(pl.String),
            "regular_scores": _regular(layout),
        }
        for name in ("midterm", "final", "average"):
            found = layout.field(name, _score_or_none, pl.Float64)
            columns[name] = nulls if found is None else found
        plans.append(frame.lazy().with_columns(**columns))
    terms = layout.terms(frame, term_fields)
    done = layout.clean(plans + ([terms] if terms is not None else []))
    found_subjects = done.pop(0) if plans else None
    return found_subjects, (done[0] if terms is not None else None), layout.flagged


def _regular(layout: _Layout) -> pl.Series:
    """Regular scores as JSON text, from one cell holding them all ('8;7,5;9') and/or a column
    each (TX1, TX2 …).

    The cell is split and parsed by polars; a part that is not a score of at most two
    decimals flags the row, so that ``parse_scores`` decides it.
    """
    parts: dict[str, pl.Series] = {}
    if "regular" in layout.columns:
        text = layout.texts(layout.columns["regular"])
        split = (text.str.replace_all(_SEPARATORS, " ").str.strip_chars(" ")
                 .str.split(" ").list.eval(pl.element().filter(pl.element() != "")))
        numbers = split.list.eval(pl.element().str.strip_chars().str.replace(",", ".")
                                  .cast(pl.Float64, strict=False))
        bad = numbers.list.eval(
            pl.element().is_null() | pl.element().is_nan() | (pl.element() < 0)
            | (pl.element() > 10) | ((pl.element() * 100).round(6) % 1 != 0)).list.any()
        layout.flag(bad.fill_null(False))
        parts["cell"] = numbers
    for position in range(1, 10):
        name = f"regular_{position}"
        if name in layout.columns:
            parts[name] = layout.field(name, _score_or_none, pl.Float64)
    if not parts:
        return pl.Series(["[]"] * layout.size, dtype=pl.String)
    columns = [pl.col(name) for name in parts]
    if "cell" in parts:  # an empty cell adds nothing, not an empty part
        joined = _joined(pl.col("cell"))
        columns[0] = pl.when(joined != "").then(joined)
    return pl.DataFrame(parts).select(scores_json(columns)).to_series()
