"""Grade conflicts: what a vendor exported against what the regulations compute from the scores.

Averages are recomputed from the assessments (TT22 and TT58/TT26 share the formulas: term
average = (Σ regular + 2 × midterm + 3 × final) / (number of regular + 5), year average = (term 1
+ 2 × term 2) / 3), and the term and year academic results from those averages and the comment
subjects: Tốt / Khá / Đạt / Chưa đạt under TT22, Giỏi / Khá / Trung bình / Yếu / Kém before. The
rules themselves live in ``doisoat.grading`` and ``doisoat.vn``; this module only lines the data
up for them, one numpy call per rule over every student at once.

``GRADE_AVERAGE_MISMATCH``: an exported average, year rating of a comment subject, academic
result or year conduct differs from the recomputation (the evidence shows both values and the
scores behind them). ``GRADE_ASSESSMENTS_MISSING``: a scored subject's term holds fewer regular
assessments than its periods require, or lacks its midterm or final score.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from doisoat import grading, vn
from doisoat.model import stable_key
from reconcile.conflicts.base import conflict, frame
from reconcile.messages import GRADES_VI

TOLERANCE = 0.05 + 1e-9  # averages are kept to one decimal
KEYS = ["record_id", "school_year", "term"]
KIND_MISMATCH, KIND_MISSING = "GRADE_AVERAGE_MISMATCH", "GRADE_ASSESSMENTS_MISSING"

LEVEL_NAMES_VI = {**grading.TT22_LEVEL_NAMES_VI, **grading.TT58_ACADEMIC_NAMES_VI}
_MATH = "toan"
_LITERATURE = "ngu_van"


def _row(
    kind: str,
    keys: list[str],
    school: str | None,
    record_ids: list[str],
    evidence: dict[str, Any],
    fix: str,
    message: str,
) -> dict[str, Any]:
    """One conflict row (``reconcile.conflicts.base.conflict``)."""
    return conflict(kind, keys, school, record_ids, evidence, fix, message)


def subject_name(code: str) -> str:
    subject = vn.SUBJECTS.get(code)
    return subject.name_vi if subject else code


def _first_tt22_year(grade: int) -> int | None:
    """The first school year (its start) ``vn.rules_for`` assesses this grade under TT22."""
    return next((y for y in range(2000, 2100) if vn.rules_for(grade, y) == "tt22"), None)


_SECONDARY = range(6, 13)
_FIRST_TT22 = {g: _first_tt22_year(g) for g in _SECONDARY}
_LEVEL = {g: vn.level_of(g) for g in range(1, 13)}


def _required_table(pairs: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for subject, level, grade in pairs.iter_rows():
        try:
            required = vn.regular_scores_required(subject, level, grade)
        except (KeyError, ValueError):
            required = None
        rows.append({"subject": subject, "level": level, "grade_then": grade, "required": required})
    schema = {"subject": pl.Utf8, "level": pl.Utf8, "grade_then": pl.Int64, "required": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def _records_view(records: pl.DataFrame) -> pl.DataFrame:
    """What the rules need of a record; names are attached to the few conflicting rows only."""
    return records.select(
        "record_id", pl.col("grade").cast(pl.Int64), pl.col("school_year").alias("record_year")
    )


def _people(records: pl.DataFrame) -> pl.DataFrame:
    return records.select(
        "record_id", "source", "local_id", "school_code", "full_name", "class_name"
    ).unique(subset="record_id", keep="first")


def _named(rows: pl.DataFrame, people: pl.DataFrame, order: list[str]) -> Iterator[dict]:
    """The conflicting rows, in a stable order, each with its student."""
    return rows.join(people, on="record_id", how="left").sort(order).iter_rows(named=True)


def _with_rules(rows: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Rows (``record_id``, ``school_year``) with the grade then (the record's grade less the
    years between), its level and the rules of that year (``vn.rules_for``, as a column)."""
    row_start = pl.col("school_year").str.slice(0, 4).cast(pl.Int64, strict=False)
    rec_start = pl.col("record_year").str.slice(0, 4).cast(pl.Int64, strict=False)
    grade = pl.col("grade_then")
    first = grade.replace_strict(_FIRST_TT22, default=None, return_dtype=pl.Int64)
    secondary = grade.is_in(list(_SECONDARY)) & row_start.is_not_null()
    view = _records_view(records).unique(subset="record_id", keep="first")
    # join the key column alone and put the result beside the rows: cheaper than gathering
    # every (list-holding) column of millions of rows through the join
    found = rows.select("record_id").join(view, on="record_id", how="left", maintain_order="left")
    return (
        rows.with_columns(found["grade"], found["record_year"])
        .filter(pl.col("record_year").is_not_null() | pl.col("grade").is_not_null())
        .with_columns((pl.col("grade") - (rec_start - row_start).fill_null(0)).alias("grade_then"))
        .with_columns(
            pl.when(secondary & (row_start >= first)).then(pl.lit("tt22"))
            .when(secondary).then(pl.lit("tt58"))
            .otherwise(None).alias("rules"),
            grade.replace_strict(_LEVEL, default=None, return_dtype=pl.Utf8).alias("level"),
        )
    )  # fmt: skip


def _prepare(subject_results: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Subject rows with the student, the rules of that year, and the recomputed averages."""
    scored_codes = [c for c, s in vn.SUBJECTS.items() if s.assessment == "score"]
    comment_codes = [c for c, s in vn.SUBJECTS.items() if s.assessment == "comment"]
    regular = pl.col("regular_scores").fill_null("[]").str.json_decode(pl.List(pl.Float64))
    subj = _with_rules(
        subject_results.select(
            "record_id",
            "school_year",
            pl.col("term").cast(pl.Utf8),
            "subject",
            regular.alias("regular"),
            *[pl.col(c).cast(pl.Float64) for c in ("midterm", "final", "average")],
            "rating",
        ),
        records,
    ).with_columns(
        pl.col("regular").list.len().alias("n_regular"),
        pl.col("regular").list.sum().fill_null(0.0).alias("regular_sum"),
        pl.when(pl.col("subject").is_in(scored_codes))
        .then(pl.lit("score"))
        .when(pl.col("subject").is_in(comment_codes))
        .then(pl.lit("comment"))
        .when(pl.col("average").is_not_null() | pl.col("midterm").is_not_null())
        .then(pl.lit("score"))
        .otherwise(pl.lit("comment"))
        .alias("kind"),
    )
    return _recompute(subj)


def _recompute(subj: pl.DataFrame) -> pl.DataFrame:
    """``recomputed``: the term average from the scores, the year average from the terms (the
    recomputed ones, or the exported ones where the scores are missing); ``used`` is what the
    results are computed from. Every column stays aligned with the rows: no wide joins."""
    scored = pl.col("kind") == "score"
    is_term = pl.col("term").is_in(["1", "2"]) & scored
    mid, fin = subj["midterm"].to_numpy(), subj["final"].to_numpy()
    term_avg = grading.term_average(
        subj["regular_sum"].to_numpy(), subj["n_regular"].to_numpy(), mid, fin
    )
    subj = subj.with_columns(
        pl.when(is_term).then(pl.Series(term_avg).fill_nan(None)).alias("recomputed")
    )
    used = pl.col("recomputed").fill_null(pl.col("average"))
    pair = ["record_id", "school_year", "subject"]
    narrow = subj.select(*pair, "term", is_term.alias("t"), used.alias("u")).filter("t")
    t1 = narrow.filter(pl.col("term") == "1").select(*pair, pl.col("u").alias("t1"))
    t2 = narrow.filter(pl.col("term") == "2").select(*pair, pl.col("u").alias("t2"))
    both = (
        subj.select(pair)
        .join(t1, on=pair, how="left", maintain_order="left")
        .join(t2, on=pair, how="left", maintain_order="left")
    )
    year_avg = grading.year_average(both["t1"].to_numpy(), both["t2"].to_numpy())
    is_year = (pl.col("term") == "year") & scored
    return subj.with_columns(
        pl.when(is_year).then(pl.Series(year_avg).fill_nan(None))
        .otherwise(pl.col("recomputed")).alias("recomputed")
    ).with_columns(used.alias("used"))  # fmt: skip


# -- messages -------------------------------------------------------------------------------------
def _klass(row: dict[str, Any]) -> str:
    cls = row.get("class_name")
    return f"lớp {cls}, trường {row['school_code']}" if cls else GRADES_VI["NO_CLASS"]


def _name(row: dict[str, Any]) -> str:
    return row.get("full_name") or "(không tên)"


def _key(row: dict[str, Any], *more: str) -> list[str]:
    key = stable_key(row["source"], row["school_code"], row["local_id"])
    return [key, row["school_year"], row["term"], *more]


def _level_vi(code: str | None) -> str:
    return LEVEL_NAMES_VI.get(code or "", code or "(trống)")


def _number_vi(value: float | None) -> str:
    """6.3 → '6,3': the decimal comma every Vietnamese gradebook prints."""
    return "(trống)" if value is None else f"{value:.1f}".replace(".", ",")


# -- average and comment-rating mismatches --------------------------------------------------------
def _average_rows(subj: pl.DataFrame, people: pl.DataFrame) -> list[dict[str, Any]]:
    wrong = subj.filter(
        (pl.col("kind") == "score")
        & pl.col("average").is_not_null()
        & pl.col("recomputed").is_not_null()
        & ((pl.col("average") - pl.col("recomputed")).abs() > TOLERANCE)
    )
    rows = []
    terms_of = _term_averages(subj, wrong)
    for r in _named(wrong, people, [*KEYS, "subject"]):
        if r["term"] == "year":
            behind = terms_of.get((r["record_id"], r["school_year"], r["subject"]), {})
            scores = {"term_averages": behind, "formula": "(HK1 + 2 × HK2) / 3"}
        else:
            scores = {
                "regular_scores": r["regular"],
                "midterm": r["midterm"],
                "final": r["final"],
                "formula": "(Σ TX + 2 × GK + 3 × CK) / (số điểm TX + 5)",
            }
        rows.append(_mismatch(r, "average", r["subject"], r["average"], r["recomputed"], scores))
    return rows


def _term_averages(subj: pl.DataFrame, wrong: pl.DataFrame) -> dict[tuple, dict[str, Any]]:
    years = wrong.filter(pl.col("term") == "year").select("record_id", "school_year", "subject")
    if years.height == 0:
        return {}
    parts = subj.filter(pl.col("term").is_in(["1", "2"])).join(
        years, on=["record_id", "school_year", "subject"], how="semi"
    )
    out: dict[tuple, dict[str, Any]] = {}
    for r in parts.iter_rows(named=True):
        out.setdefault((r["record_id"], r["school_year"], r["subject"]), {})[r["term"]] = {
            "exported": r["average"],
            "recomputed": r["recomputed"],
        }
    return out


def _rating_rows(subj: pl.DataFrame, people: pl.DataFrame) -> list[dict[str, Any]]:
    """The year's rating of a comment-assessed subject is term 2's (TT22)."""
    pair = ["record_id", "school_year", "subject"]
    comment = subj.filter((pl.col("kind") == "comment") & (pl.col("rules") == "tt22"))
    term2 = comment.filter(pl.col("term") == "2").select(*pair, pl.col("rating").alias("t2"))
    wrong = (
        comment.filter(pl.col("term") == "year")
        .join(term2, on=pair, how="inner")
        .filter(
            pl.col("rating").is_in(["D", "CD"])
            & pl.col("t2").is_in(["D", "CD"])
            & (pl.col("rating") != pl.col("t2"))
        )
    )
    return [
        _mismatch(r, "rating", r["subject"], r["rating"], r["t2"], {"term2_rating": r["t2"]})
        for r in _named(wrong, people, [*KEYS, "subject"])
    ]


def _mismatch(
    r: dict[str, Any],
    field: str,
    subject: str | None,
    exported: Any,
    recomputed: Any,
    behind: dict[str, Any],
) -> dict[str, Any]:
    term_vi = GRADES_VI["TERM"].get(r["term"], r["term"])
    shown = _number_vi if field == "average" else _level_vi
    message = GRADES_VI[field].format(
        subject=subject_name(subject) if subject else "",
        term=term_vi,
        name=_name(r),
        klass=_klass(r),
        exported=shown(exported),
        recomputed=shown(recomputed),
        regime=GRADES_VI["REGIME"].get(r.get("rules") or "", ""),
    )
    evidence = {
        "field": field,
        "subject": subject,
        "term": r["term"],
        "school_year": r["school_year"],
        "rules": r.get("rules"),
        "exported": exported,
        "recomputed": recomputed,
        **behind,
    }
    fix = GRADES_VI["FIX"].format(what=GRADES_VI["WHAT"][field], recomputed=shown(recomputed))
    keys, school = _key(r, subject or "", field), r["school_code"]
    return _row(KIND_MISMATCH, keys, school, [r["record_id"]], evidence, fix, message)


# -- academic results -----------------------------------------------------------------------------
def _academic_rows(
    subj: pl.DataFrame, term_results: pl.DataFrame, people: pl.DataFrame
) -> list[dict[str, Any]]:
    scored = subj.filter((pl.col("kind") == "score") & pl.col("rules").is_in(["tt22", "tt58"]))
    if scored.height == 0:
        return []
    wide = scored.pivot(on="subject", index=KEYS, values="used", aggregate_function="first")
    subjects = [c for c in wide.columns if c not in KEYS]
    fails = (
        subj.filter(pl.col("kind") == "comment")
        .group_by(KEYS)
        .agg((pl.col("rating") == "CD").sum().alias("failed_comment"))
    )
    exported = term_results.select(
        *KEYS[:2], pl.col("term").cast(pl.Utf8), pl.col("academic").alias("exported")
    )
    info = scored.unique(subset=KEYS, keep="first").select(*KEYS, "rules")
    table = (
        wide.join(info, on=KEYS)
        .join(fails, on=KEYS, how="left")
        .join(exported, on=KEYS, how="inner")
        .filter(pl.col("exported").is_not_null())
    )
    scores = table.select(subjects).to_numpy().astype(float)
    failed = table["failed_comment"].fill_null(0).to_numpy()
    tt22 = grading.level_codes(grading.academic_tt22(scores, failed))
    overall = grading.round_half_up(np.nanmean(np.where(np.isnan(scores), np.nan, scores), axis=1))
    column = {name: i for i, name in enumerate(subjects)}
    nan = np.full(table.height, np.nan)
    math = scores[:, column[_MATH]] if _MATH in column else nan
    literature = scores[:, column[_LITERATURE]] if _LITERATURE in column else nan
    tt58 = grading.level_codes(
        grading.academic_tt58(overall, math, literature, scores), grading.TT58_ACADEMIC
    )
    rules = table["rules"].to_numpy()
    table = table.with_columns(
        pl.Series("recomputed", np.where(rules == "tt22", tt22, tt58).astype(str)),
        pl.Series("overall", overall),
    )
    wrong = table.filter(pl.col("exported") != pl.col("recomputed"))
    rows = []
    for r in _named(wrong, people, KEYS):
        averages = {s: r[s] for s in subjects if r[s] is not None and not np.isnan(r[s])}
        behind = {"subject_averages": averages, "failed_comment_subjects": r["failed_comment"] or 0}
        if r["rules"] == "tt58":
            behind["overall_average"] = r["overall"]
        rows.append(_mismatch(r, "academic", None, r["exported"], r["recomputed"], behind))
    return rows


def _conduct_rows(term_results: pl.DataFrame, records: pl.DataFrame) -> list[dict[str, Any]]:
    """TT22 year conduct from the two terms' conduct (Điều 8)."""
    levels = {code: i for i, code in enumerate(grading.TT22_LEVELS)}
    conduct = pl.col("conduct").replace_strict(levels, default=-1, return_dtype=pl.Int64)
    by_term = term_results.select(
        "record_id", "school_year", pl.col("term").cast(pl.Utf8), "conduct", conduct.alias("c_year")
    )
    year = by_term.filter(pl.col("term") == "year")
    t1 = by_term.filter(pl.col("term") == "1").select(
        "record_id", "school_year", pl.col("c_year").alias("l1")
    )
    t2 = by_term.filter(pl.col("term") == "2").select(
        "record_id", "school_year", pl.col("c_year").alias("l2")
    )
    table = (
        year.join(t1, on=["record_id", "school_year"])
        .join(t2, on=["record_id", "school_year"])
        .filter((pl.col("c_year") >= 0) & (pl.col("l1") >= 0) & (pl.col("l2") >= 0))
    )
    table = _with_rules(table, records).filter(pl.col("rules") == "tt22")
    expected = grading.conduct_year_tt22(table["l1"].to_numpy(), table["l2"].to_numpy())
    table = table.with_columns(pl.Series("expected", expected))
    wrong = table.filter(pl.col("expected") != pl.col("c_year"))
    codes, rows = grading.TT22_LEVELS, []
    for r in _named(wrong, _people(records), KEYS):
        behind = {"term1_conduct": codes[r["l1"]], "term2_conduct": codes[r["l2"]]}
        rows.append(_mismatch(r, "conduct", None, r["conduct"], codes[r["expected"]], behind))
    return rows


# -- missing assessments --------------------------------------------------------------------------
def _missing_rows(subj: pl.DataFrame, people: pl.DataFrame) -> list[dict[str, Any]]:
    terms = subj.filter(
        (pl.col("kind") == "score") & pl.col("term").is_in(["1", "2"]) & (pl.col("rules") == "tt22")
    )
    required = _required_table(terms.select("subject", "level", "grade_then").unique())
    terms = terms.join(required, on=["subject", "level", "grade_then"], how="left")
    short = terms.filter(
        (pl.col("n_regular") < pl.col("required")).fill_null(False)
        | pl.col("midterm").is_null()
        | pl.col("final").is_null()
    )
    rows = []
    for r in _named(short, people, [*KEYS, "subject"]):
        term_vi = GRADES_VI["TERM"].get(r["term"], r["term"])
        common = {
            "subject": subject_name(r["subject"]),
            "term": term_vi,
            "name": _name(r),
            "klass": _klass(r),
        }
        missing = [c for c in ("midterm", "final") if r[c] is None]
        parts = []
        if r["required"] is not None and r["n_regular"] < r["required"]:
            parts.append(
                GRADES_VI["regular_count"].format(
                    count=r["n_regular"], required=r["required"], **common
                )
            )
        if missing:
            parts.append(
                GRADES_VI["component"].format(
                    component=", ".join(GRADES_VI["COMPONENT"][c] for c in missing), **common
                )
            )
        evidence = {k: r[k] for k in ("subject", "term", "school_year", "midterm", "final")}
        evidence.update(
            regular_scores=r["regular"],
            regular_count=r["n_regular"],
            regular_required=r["required"],
            missing=missing,
        )
        fix, message = GRADES_VI["FIX_MISSING"].format(**common), " ".join(parts)
        keys = _key(r, r["subject"])
        rows.append(
            _row(KIND_MISSING, keys, r["school_code"], [r["record_id"]], evidence, fix, message)
        )
    return rows


def grade_conflicts(
    subject_results: pl.DataFrame, term_results: pl.DataFrame, records: pl.DataFrame
) -> pl.DataFrame:
    """Recompute every average and result the vendors exported; one conflict per wrong value.

    ``records`` supplies the student (name, class, school, grade) of each ``record_id``; the
    grade and school year choose the rules (TT22 or TT58/TT26). Rows whose record is unknown
    are not judged.
    """
    subj = _prepare(subject_results, records)
    people = _people(records)
    rows = (
        _average_rows(subj, people)
        + _rating_rows(subj, people)
        + _academic_rows(subj, term_results, people)
        + _conduct_rows(term_results, records)
        + _missing_rows(subj, people)
    )
    return frame(rows)
