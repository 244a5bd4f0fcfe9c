"""``run_quality(frame, source)``: a suite on a source's frame, judged snapshot by snapshot.

Each snapshot (each school's export; the registry's one snapshot) is judged on its own, so one
school's broken file keeps only that school out of the night. ``mostly`` is applied per snapshot
as GX applies it to a whole frame: over non-null values for value checks, over all rows for the
not-null check.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from reports.quality import columnar, gx_evaluator
from reports.quality.result import CheckOutcome, QualityResult
from reports.quality.suites import ExpectationSpec, Suite, load_suite

# Above this many rows the columnar evaluator is used (measured in bench/bench_reports.py: GX
# takes about 15 s per million rows for a student suite, the columnar path well under a second).
GX_MAX_ROWS = int(os.environ.get("DOISOAT_GX_MAX_ROWS", "250000"))
_WHOLE = "__frame__"


def run_quality(
    frame: pl.DataFrame,
    source: str,
    *,
    table: str = "student_record",
    suite: Suite | None = None,
    evaluator: str = "auto",
    suites_dir: Path | None = None,
) -> QualityResult:
    """Validate ``frame`` (one source's rows tonight) against its suite.

    ``evaluator``: ``"gx"`` (Great Expectations), ``"columnar"`` (polars), or ``"auto"`` (GX up to
    ``GX_MAX_ROWS`` rows). Snapshots are told apart by ``snapshot_id`` (else ``school_code``).
    """
    suite = suite or load_suite(source, table, suites_dir)
    if evaluator == "auto":
        evaluator = "gx" if frame.height <= GX_MAX_ROWS else "columnar"
    if evaluator not in ("gx", "columnar"):
        raise ValueError(f"unknown quality evaluator {evaluator!r}")
    group_col = _group_column(frame)
    if group_col == _WHOLE:
        frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(_WHOLE))
    groups = _groups(frame, group_col)
    result = QualityResult(
        source=source, suite=suite.name, table=table, evaluator=evaluator, rows=frame.height
    )
    present = set(frame.columns)
    runnable = [s for s in suite.expectations if not s.is_table_level and set(s.columns) <= present]
    if evaluator == "gx":
        found = gx_evaluator.evaluate_all(frame, runnable, group_col, suite.name)
    else:
        found = {s.name: columnar.evaluate(frame, s, group_col) for s in runnable}
    for spec in suite.expectations:
        missing = _missing_columns(spec, present)
        counts = found.get(spec.name)
        result.outcomes.extend(_outcomes(frame, spec, groups, group_col, counts, missing))
    return result


def _group_column(frame: pl.DataFrame) -> str:
    for name in ("snapshot_id", "school_code"):
        if name in frame.columns:
            return name
    return _WHOLE


def _groups(frame: pl.DataFrame, group_col: str) -> pl.DataFrame:
    school = pl.col("school_code") if "school_code" in frame.columns else pl.lit(None, pl.String)
    return (
        frame.select(pl.col(group_col), school.alias("_school"))
        .group_by(group_col, maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("_rows"), pl.col("_school").drop_nulls().first())
    )


def _missing_columns(spec: ExpectationSpec, present: set[str]) -> tuple[str, ...]:
    if spec.type == "expect_table_columns_to_match_set":
        wanted = list(spec.kwargs.get("column_set", []))
        missing = [c for c in wanted if c not in present]
        if spec.kwargs.get("exact_match", True):
            missing += [f"+{c}" for c in sorted(present - set(wanted)) if c != _WHOLE]
        return tuple(missing)
    return tuple(c for c in spec.columns if c not in present)


def _denominators(frame: pl.DataFrame, spec: ExpectationSpec, group_col: str) -> pl.DataFrame:
    """Per group, the count ``mostly`` is a fraction of."""
    if spec.type == "expect_column_values_to_not_be_null" or not spec.columns:
        counted = pl.len()
    elif spec.type == "expect_compound_columns_to_be_unique":
        counted = pl.all_horizontal([pl.col(c).is_not_null() for c in spec.columns]).sum()
    else:
        counted = pl.col(spec.columns[0]).is_not_null().sum()
    return frame.group_by(group_col).agg(counted.cast(pl.Int64).alias("_base"))


def _outcomes(
    frame: pl.DataFrame,
    spec: ExpectationSpec,
    groups: pl.DataFrame,
    group_col: str,
    counts: pl.DataFrame | None,
    missing: tuple[str, ...],
) -> list[CheckOutcome]:
    table = groups.with_columns(pl.lit(0, pl.Int64).alias("_base"))
    if counts is not None:
        counts = counts.with_columns(pl.col(group_col).cast(groups.schema[group_col]))
        table = (
            groups.join(_denominators(frame, spec, group_col), on=group_col, how="left")
            .join(counts, on=group_col, how="left")
            .with_columns(pl.col("unexpected_count").fill_null(0))
        )
    out = []
    for row in table.iter_rows(named=True):
        if missing:
            unexpected, success, examples = row["_rows"], False, ()
        elif counts is None:  # a table-level check that passed
            unexpected, success, examples = 0, True, ()
        else:
            unexpected = int(row["unexpected_count"])
            success = _passes(unexpected, int(row["_base"] or 0), spec.mostly)
            examples = tuple(row["examples"] or ())
        group = None if group_col == _WHOLE else row[group_col]
        out.append(
            CheckOutcome(
                expectation=spec.name,
                type=spec.type,
                columns=tuple(spec.columns),
                critical=spec.critical,
                snapshot_id=group if group_col == "snapshot_id" else None,
                school_code=row["_school"] if group_col != "school_code" else group,
                element_count=int(row["_rows"]),
                unexpected_count=unexpected,
                success=success,
                examples=examples,
                description_vi=spec.description_vi,
                missing_columns=missing,
            )
        )
    return out


def _passes(unexpected: int, base: int, mostly: float | None) -> bool:
    if unexpected == 0:
        return True
    if mostly is None or base == 0:
        return False
    return 1 - unexpected / base >= mostly
