"""Rows of recognised tables -> canonical student records, with the rows that fail quarantined.

Columnar: the cells of each mapped column become a polars column; checks are expressions;
``doisoat.vn`` rules run in polars where it offers them (``repair_series``) and otherwise once
per distinct value, with fast paths for values that are already clean (10-digit codes, plain
names). Every accepted row keeps its provenance (file, sheet, row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from connectors.messages import msg
from connectors.profile import SourceProfile
from connectors.quarantine import Quarantined
from connectors.tabular.cells import cell_text
from connectors.tabular.header import fold_label
from connectors.tabular.tables import Table, column_cells, narrowest, only_text
from connectors.values import grade_of, parse_grade, status_table
from doisoat.model import STUDENT_COLUMNS
from doisoat.vn import (
    COMPOUND_FAMILY_NAMES,
    check_moet_code,
    check_personal_id,
    fold,
    fold_series,
    parse_date,
    parse_gender,
    repair_columns,
    repair_series,
    split_name,
)

RECORD_COLUMNS = tuple(c for c in STUDENT_COLUMNS if c not in {"record_id", "snapshot_id"})
RECORD_SCHEMA: dict[str, Any] = {
    name: pl.String for name in RECORD_COLUMNS
} | {"dob": pl.Date, "status_date": pl.Date, "grade": pl.Int64, "src_row": pl.Int64}

_RAW_FIELDS = ("local_id", "moet_code", "full_name", "family_middle", "given_name", "dob",
               "gender", "ethnicity", "birthplace", "personal_id", "father_name", "mother_name",
               "class_name", "grade", "status", "status_date", "transfer_school_code",
               "school_code", "school_year")
_TEXT_FIELDS = ("ethnicity", "birthplace", "father_name", "mother_name")
# Rows that may start with a compound family name (Tôn Nữ, Nguyễn Phúc…) go through
# ``split_name``; the others split in polars (family = first word, given = last).
_COMPOUND_KEYS = {fold(name) for name in COMPOUND_FAMILY_NAMES} | {
    " ".join(fold(name).split()[:2]) for name in COMPOUND_FAMILY_NAMES}
# Names whose case a legacy font may have lost: a lower-case non-ASCII initial, a two-letter
# word in capitals (TCVN3 "VÕ" for Võ), capitals followed by a lower-case toned letter.
_CASE_SUSPECT = r"(^|\s)[\p{Ll}&&[^a-z]]|(^|\s)\p{Lu}{2}(\s|$)|\p{Lu}{2,}[\p{Ll}&&[^a-z]]"


@dataclass
class Defaults:
    """Values a file does not say for itself: where it came from and when."""

    source: str
    file: str
    school_code: str | None
    school_year: str


def _by_value(series: pl.Series, fn: Callable[[str], Any], dtype: pl.DataType) -> pl.Series:
    """``fn`` applied once per distinct value of ``series``."""
    distinct = series.unique().to_list()
    mapping = {value: fn(value) for value in distinct}
    return series.replace_strict(mapping, default=None, return_dtype=dtype)


def _moet(raw: str) -> str | None:
    if not raw:
        return None
    check = check_moet_code(raw)
    return check.code if check.valid and check.code else raw


def _personal(raw: str) -> str | None:
    if not raw:
        return None
    return getattr(check_personal_id(raw), "code", None) or raw


def _codes(series: pl.Series, width: int, fn: Callable[[str], str | None]) -> pl.Series:
    """Codes already well formed pass in polars; only the others go through ``fn``."""
    clean = series.str.contains(f"^\\d{{{width}}}$")
    odd = series.filter(~clean & (series != "")).unique().to_list()
    fixed = {value: fn(value) for value in odd}
    out = pl.when(series == "").then(None).when(clean).then(series)
    if fixed:
        out = out.otherwise(series.replace_strict(fixed, default=None, return_dtype=pl.String))
    return pl.select(out.alias(series.name)).to_series()


def _date(raw: str) -> dt.date | None:
    return parse_date(raw).value if raw else None


def _fix_case(full: str) -> str:
    words = []
    for word in full.split():
        first = word[:1]
        if first > "\x7f" and first.islower():
            word = first.upper() + word[1:]  # legacy fonts have no toned capitals
        words.append(word)
    if not all(w.isupper() for w in words):
        words = [w.capitalize() if len(w) == 2 and w.isupper() else w for w in words]
    return " ".join(
        w.upper() if sum(c.isascii() and c.isupper() for c in w) >= 2
        and all(c.isupper() for c in w if c.isascii() and c.isalpha()) else w
        for w in words)


def _names(raw: pl.Series) -> pl.DataFrame:
    """Repaired full names and their family / middle / given parts."""
    full = repair_series(raw).str.replace_all(r"\s+", " ").str.strip_chars()
    suspect = full.str.contains(_CASE_SUSPECT).fill_null(False)
    if suspect.any():
        fixed = {v: _fix_case(v) for v in full.filter(suspect).unique().to_list()}
        full = pl.select(pl.when(suspect).then(full.replace(list(fixed), list(fixed.values())))
                         .otherwise(full).alias("full")).to_series()
    words = full.str.split(" ")
    first_two = fold_series(words.list.head(2).list.join(" "))
    compound = first_two.is_in(list(_COMPOUND_KEYS)) | fold_series(words.list.first()).is_in(
        list(_COMPOUND_KEYS))
    frame = pl.DataFrame({"full_name": full, "words": words, "compound": compound})
    frame = frame.with_columns(
        pl.when(pl.col("words").list.len() > 1).then(pl.col("words").list.first())
        .otherwise(pl.lit("")).alias("family_name"),
        pl.when(pl.col("words").list.len() > 2)
        .then(pl.col("words").list.slice(1, pl.col("words").list.len() - 2).list.join(" "))
        .otherwise(pl.lit("")).alias("middle_name"),
        pl.col("words").list.last().fill_null("").alias("given_name"),
    )
    if frame["compound"].any():
        rows = frame.filter("compound")["full_name"].unique().to_list()
        parts = {name: split_name(name) for name in rows}
        for i, column in enumerate(("family_name", "middle_name", "given_name")):
            mapping = {name: p[i] for name, p in parts.items()}
            frame = frame.with_columns(
                pl.when(pl.col("compound"))
                .then(pl.col("full_name").replace_strict(mapping, default="",
                                                         return_dtype=pl.String))
                .otherwise(pl.col(column)).alias(column))
    return frame.select("full_name", "family_name", "middle_name", "given_name")


_CONTEXT = ("table", "src_sheet", "fixed_status", "ctx_class", "ctx_year", "ctx_school")


def _tables_frame(tables: list[Table]) -> pl.DataFrame:
    """The raw cells of every roster table as one frame of strings (one polars build)."""
    data: dict[str, list[Any]] = {name: [] for name in
                                  ("src_row", "position", *_RAW_FIELDS, *_CONTEXT)}
    for index, table in enumerate(tables):
        columns = {name: m.column for name, m in table.header.matches.items()}
        if "local_id" not in columns and "moet_code" in columns:
            columns["local_id"] = columns["moet_code"]  # the registry's key is the code
        rows = table.rows
        count = len(rows)
        data["src_row"].extend(number for number, _ in rows)
        data["position"].extend(range(count))
        cells_of = [cells for _, cells in rows]
        width = narrowest(cells_of)
        for name in _RAW_FIELDS:
            at = columns.get(name)
            if at is None:
                data[name].extend([""] * count)
                continue
            values = column_cells(cells_of, at, "", width=width)
            # text is stripped below, by polars; other cells go through cell_text one by one
            data[name].extend(values if only_text(values) else map(cell_text, values))
        context = table.context
        for name, value in zip(_CONTEXT, (index, table.sheet.name, table.dataset.status,
                                          context.class_name, context.school_year,
                                          context.school_code), strict=True):
            data[name].extend([value] * count)
    frame = pl.DataFrame(data, schema={"src_row": pl.Int64, "position": pl.Int64,
                                       "table": pl.Int64}
                         | {name: pl.String for name in _RAW_FIELDS}
                         | {name: pl.String for name in _CONTEXT[1:]})
    frame = frame.with_columns(pl.col(*_RAW_FIELDS).fill_null("").str.strip_chars(" \t\r\n"))
    name = pl.when(pl.col("full_name") != "").then(pl.col("full_name")).otherwise(
        pl.concat_str([pl.col("family_middle"), pl.col("given_name")], separator=" ")
        .str.strip_chars())

    def either(column: str, fallback: str) -> pl.Expr:
        return pl.when(pl.col(column) != "").then(pl.col(column)).otherwise(pl.col(fallback))

    return frame.with_columns(
        name.alias("full_name"),
        either("class_name", "ctx_class").alias("class_name"),
        either("school_year", "ctx_year").alias("school_year"),
        either("school_code", "ctx_school").alias("school_code"),
    )


def _reasons(frame: pl.DataFrame, statuses: dict[str, str]) -> pl.DataFrame:
    labels = {v: statuses.get(fold_label(v)) for v in frame["status"].unique().to_list() if v}
    grades = {v: parse_grade(v) for v in frame["grade"].unique().to_list() if v}
    classes = {v: grade_of(v) for v in frame["class_name"].unique().to_list() if v}
    status = pl.when(pl.col("fixed_status").is_not_null()).then(pl.col("fixed_status")) \
        .when(pl.col("status") == "").then(pl.lit("studying")) \
        .otherwise(pl.col("status").replace_strict(labels, default=None, return_dtype=pl.String))
    frame = frame.with_columns(
        status.alias("canonical_status"),
        pl.when(pl.col("grade") != "")
        .then(pl.col("grade").replace_strict(grades, default=None, return_dtype=pl.Int64))
        .otherwise(pl.col("class_name").replace_strict(classes, default=None,
                                                       return_dtype=pl.Int64))
        .alias("grade_number"),
    )
    reason = (
        pl.when(pl.col("local_id") == "").then(pl.lit("row_no_local_id"))
        .when(pl.col("full_name") == "").then(pl.lit("row_no_name"))
    )
    frame = frame.with_columns(reason.otherwise(None).alias("reason"))
    # a duplicate is a second row with the local id of an accepted one
    first = (pl.int_range(pl.len()).over("local_id") == 0)
    ok = frame.filter(pl.col("reason").is_null()).with_columns(first.alias("first"))
    frame = frame.join(ok.select("table", "position", "first"), on=["table", "position"],
                       how="left")
    return frame.with_columns(
        pl.when(pl.col("reason").is_not_null()).then(pl.col("reason"))
        .when(~pl.col("first")).then(pl.lit("row_duplicate_local_id"))
        .when(pl.col("canonical_status").is_null()).then(pl.lit("row_bad_status"))
        .when((pl.col("grade") != "") & pl.col("grade_number").is_null())
        .then(pl.lit("row_bad_grade"))
        .otherwise(None).alias("reason"))


def _quarantine(bad: pl.DataFrame, tables: list[Table], frame: pl.DataFrame,
                defaults: Defaults) -> list[Quarantined]:
    out = []
    firsts = frame.filter(pl.col("first").fill_null(False)).select("local_id", "src_sheet",
                                                                    "src_row")
    first_row = {k: (s, r) for k, s, r in firsts.iter_rows()}
    for row in bad.iter_rows(named=True):
        table = tables[row["table"]]
        _, cells = table.rows[row["position"]]
        matches = table.header.matches
        labels = _labels(table)
        key = row["reason"]
        if key == "row_no_local_id":
            field = "local_id" if "local_id" in matches else "moet_code"
            column = matches[field].header if field in matches else None
            values: dict[str, Any] = {"column": column}
        elif key == "row_no_name":
            column = matches["full_name"].header if "full_name" in matches else "Tên"
            values = {"column": column}
        elif key == "row_duplicate_local_id":
            column = matches["local_id"].header if "local_id" in matches else None
            values = {"local_id": row["local_id"],
                      "first_row": first_row.get(row["local_id"], ("", "?"))[1]}
        elif key == "row_bad_status":
            column, values = matches["status"].header, {"value": row["status"]}
        else:
            column = matches["grade"].header
            values = {"value": row["grade"], "column": column}
        out.append(Quarantined.of(file=defaults.file, sheet=table.sheet.name,
                                  row=row["src_row"], cells=cells, labels=labels,
                                  column=column, reason=key, reason_vi=msg(key, **values)))
    return out


def student_rows(tables: list[Table], profile: SourceProfile, defaults: Defaults,
                 quarantine: list[Quarantined]) -> pl.DataFrame:
    """The student records of every roster table; failing rows go to ``quarantine``."""
    rosters = [t for t in tables if t.dataset.kind == "roster" and t.rows]
    if not rosters:
        return pl.DataFrame(schema=RECORD_SCHEMA)
    frame = _tables_frame(rosters)
    frame = _reasons(frame, status_table(profile.status_values))
    bad = frame.filter(pl.col("reason").is_not_null())
    if bad.height:
        quarantine.extend(_quarantine(bad, rosters, frame, defaults))
    good = frame.filter(pl.col("reason").is_null())
    names = _names(good["full_name"])
    texts = repair_columns(good, list(_TEXT_FIELDS))
    out = good.select(
        pl.lit(profile.source).alias("source"),
        pl.col("school_code").fill_null(pl.lit(defaults.school_code, dtype=pl.String)),
        pl.col("local_id"),
        pl.col("school_year").fill_null(pl.lit(defaults.school_year)),
        pl.col("grade_number").alias("grade"),
        pl.col("class_name").replace("", None),
        pl.col("canonical_status").alias("status"),
        pl.col("transfer_school_code").replace("", None),
        pl.lit(defaults.file).alias("src_file"),
        pl.col("src_sheet"), pl.col("src_row"),
        pl.col("dob").replace("", None).alias("dob_raw"),
    ).with_columns(
        names["full_name"], names["family_name"], names["middle_name"], names["given_name"],
        _codes(good["moet_code"], 10, _moet).alias("moet_code"),
        _codes(good["personal_id"], 12, _personal).alias("personal_id"),
        _by_value(good["dob"], _date, pl.Date).alias("dob"),
        _by_value(good["status_date"], _date, pl.Date).alias("status_date"),
        _by_value(good["gender"], lambda v: parse_gender(v) if v else None, pl.String)
        .alias("gender"),
        *[texts[name].replace("", None) for name in _TEXT_FIELDS],
    )
    return out.select([pl.col(c).cast(RECORD_SCHEMA[c]) for c in RECORD_COLUMNS])


def _labels(table: Table) -> list[str]:
    """Header text per column, for the raw JSON of quarantined rows."""
    width = max((len(cells) for _, cells in table.rows), default=0)
    labels = [""] * width
    for match in table.header.matches.values():
        if match.column < width:
            labels[match.column] = match.header
    for grade in table.header.grades:
        if grade.column < width:
            labels[grade.column] = f"{grade.subject_label} {grade.component}{grade.position}"
    return labels
