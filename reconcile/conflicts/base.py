"""What every conflict row carries, and the id that keeps it recognisable night after night."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import polars as pl

from doisoat.conflict_types import severity_of

CONFLICT_COLUMNS = {
    "conflict_id": pl.Utf8,
    "type": pl.Utf8,
    "severity": pl.Utf8,
    "school_code": pl.Utf8,
    "record_ids": pl.List(pl.Utf8),
    "evidence": pl.Utf8,
    "suggested_fix": pl.Utf8,
    "message_vi": pl.Utf8,
}


def conflict_id(kind: str, keys: list[str]) -> str:
    """Same type and same stable keys (``doisoat.model.stable_key``: source, school, local id)
    → same id, whatever the run, night or row order."""
    digest = hashlib.sha1("|".join([kind, *sorted(keys)]).encode()).hexdigest()[:16]
    return f"{kind}-{digest}"


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def conflict(
    kind: str,
    keys: list[str],
    school_code: str | None,
    record_ids: list[str],
    evidence: dict[str, Any],
    suggested_fix: str,
    message_vi: str,
) -> dict[str, Any]:
    """One conflict row in the shape of ``CONFLICT_COLUMNS``; its severity is the type's, from
    the registry (``doisoat.conflict_types``), for every family alike."""
    return {
        "conflict_id": conflict_id(kind, keys),
        "type": kind,
        "severity": severity_of(kind),
        "school_code": school_code,
        "record_ids": sorted(set(record_ids)),
        "evidence": to_json(evidence),
        "suggested_fix": suggested_fix,
        "message_vi": message_vi,
    }


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    out = pl.DataFrame(rows, schema=CONFLICT_COLUMNS)
    return out.unique(subset="conflict_id", keep="first", maintain_order=True)


def identity_expr() -> pl.Expr:
    """Who a vendor record is: its registry person (a registry duplicate cluster counts as one),
    else itself (an unregistered student)."""
    return pl.coalesce(
        "reg_cluster", "reg_record_id", pl.concat_str([pl.lit("self:"), pl.col("record_id")])
    )
