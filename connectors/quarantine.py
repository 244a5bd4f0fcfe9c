"""Rows a connector could not accept, kept with their reason and their provenance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from connectors.tabular.cells import cell_text

QUARANTINE_COLUMNS = ("src_file", "src_sheet", "src_row", "column", "reason", "reason_vi", "raw")


@dataclass(frozen=True)
class Quarantined:
    src_file: str
    src_sheet: str
    src_row: int
    column: str | None
    reason: str
    reason_vi: str
    raw: str

    @classmethod
    def of(cls, *, file: str, sheet: str, row: int, cells: list[Any], labels: list[str],
           column: str | None, reason: str, reason_vi: str) -> Quarantined:
        raw = {
            (labels[i] if i < len(labels) and labels[i] else f"col{i + 1}"): cell_text(v)
            for i, v in enumerate(cells)
            if cell_text(v)
        }
        return cls(file, sheet, row, column, reason, reason_vi,
                   json.dumps(raw, ensure_ascii=False))


def quarantine_frame(rows: list[Quarantined]) -> pl.DataFrame:
    return pl.DataFrame(
        {name: [getattr(q, name) for q in rows] for name in QUARANTINE_COLUMNS},
        schema={"src_file": pl.String, "src_sheet": pl.String, "src_row": pl.Int64,
                "column": pl.String, "reason": pl.String, "reason_vi": pl.String,
                "raw": pl.String},
    )
