"""What a quality run found: one outcome per expectation per snapshot, and what to keep out."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from reports import messages

RESULT_COLUMNS = {
    "run_id": pl.Int64,
    "night": pl.Date,
    "snapshot_id": pl.Int64,
    "source": pl.String,
    "school_code": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "critical": pl.Boolean,
    "success": pl.Boolean,
    "element_count": pl.Int64,
    "unexpected_count": pl.Int64,
    "details": pl.String,
}


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation on one snapshot (or one school when no snapshot is known)."""

    expectation: str
    type: str
    columns: tuple[str, ...]
    critical: bool
    snapshot_id: int | None
    school_code: str | None
    element_count: int
    unexpected_count: int
    success: bool
    examples: tuple[str, ...] = ()
    description_vi: str = ""
    missing_columns: tuple[str, ...] = ()


@dataclass
class QualityResult:
    """All outcomes of one suite on one source's frame."""

    source: str
    suite: str
    table: str
    evaluator: str
    rows: int
    outcomes: list[CheckOutcome] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def critical_failures(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.critical and not o.success]

    def keep_out(self) -> list[tuple[int | None, str | None]]:
        """(snapshot_id, school_code) of every snapshot a critical failure keeps out tonight."""
        seen: dict[tuple[int | None, str | None], None] = {}
        for outcome in self.critical_failures:
            seen[(outcome.snapshot_id, outcome.school_code)] = None
        return list(seen)

    def to_frame(self, night: dt.date, run_id: int | None = None) -> pl.DataFrame:
        """Rows of the ``quality_result`` table."""
        rows = [
            {
                "run_id": run_id,
                "night": night,
                "snapshot_id": o.snapshot_id,
                "source": self.source,
                "school_code": o.school_code,
                "suite": self.suite,
                "expectation": o.expectation,
                "critical": o.critical,
                "success": o.success,
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "details": json.dumps(_details(self, o), ensure_ascii=False, default=str),
            }
            for o in self.outcomes
        ]
        return pl.DataFrame(rows, schema=RESULT_COLUMNS)


def _details(result: QualityResult, outcome: CheckOutcome) -> dict[str, Any]:
    return {
        "type": outcome.type,
        "columns": list(outcome.columns),
        "table": result.table,
        "examples": list(outcome.examples),
        "description_vi": outcome.description_vi,
        "missing_columns": list(outcome.missing_columns),
        "evaluator": result.evaluator,
    }


def keep_out(results: list[QualityResult]) -> list[tuple[str, int | None, str | None]]:
    """(source, snapshot_id, school_code) of every snapshot to leave out of tonight's run."""
    out: dict[tuple[str, int | None, str | None], None] = {}
    for result in results:
        for snapshot_id, school in result.keep_out():
            out[(result.source, snapshot_id, school)] = None
    return list(out)


def exclusion_reasons(results: list[QualityResult]) -> dict[int, str]:
    """The verdict on each snapshot a critical failure keeps out tonight: snapshot id → why, in
    Vietnamese (the criteria it failed). Acting on it (marking the snapshot excluded) is the
    night's decision and the store's write (``doisoat.store.exclude_snapshots``), not ours."""
    failed: dict[int, tuple[str, str | None, dict[str, None]]] = {}
    for result in results:
        for outcome in result.critical_failures:
            if outcome.snapshot_id is None:
                continue
            _, _, criteria = failed.setdefault(
                outcome.snapshot_id, (result.source, outcome.school_code, {})
            )
            criteria[outcome.description_vi or outcome.expectation] = None
    return {
        snapshot_id: messages.SNAPSHOT_EXCLUDED.format(
            source=messages.SOURCES.get(source, source),
            school=school or messages.LABELS["other_school"],
            criteria="; ".join(criteria),
        )
        for snapshot_id, (source, school, criteria) in failed.items()
    }
