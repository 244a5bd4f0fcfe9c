"""What a linkage returns: scored pairs with their explanation, clusters, and the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from reconcile.scoring import Model

DECISIONS = ("match", "review", "non-match")


@dataclass
class LinkResult:
    """``pairs``: left_id, right_id, match_weight, match_probability, decision, then per
    comparison ``gamma_<name>`` (level index, -1 = missing) and ``w_<name>`` (its weight in bits,
    the explanation of the decision). ``clusters``: id → cluster_id (+ cluster_size).
    """

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    model: Model
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def matches(self) -> pl.DataFrame:
        return self.pairs.filter(pl.col("decision") == "match")

    @property
    def review_queue(self) -> pl.DataFrame:
        return self.pairs.filter(pl.col("decision") == "review").sort(
            "match_probability", descending=True
        )

    def cluster_map(self) -> dict[str, str]:
        return dict(
            zip(self.clusters["id"].to_list(), self.clusters["cluster_id"].to_list(), strict=True)
        )

    def explain(self, record_id: str) -> list[dict[str, Any]]:
        """Every scored pair of a record, best first, each with its field-by-field weights."""
        rows = self.pairs.filter(
            (pl.col("left_id") == record_id) | (pl.col("right_id") == record_id)
        ).sort("match_weight", descending=True)
        return [explain_row(row, self.model) for row in rows.iter_rows(named=True)]


def explain_row(row: dict[str, Any], model: Model) -> dict[str, Any]:
    """One pair's decision as a readable breakdown (prior + each field's contribution)."""
    fields = []
    for name, levels in zip(model.names, model.levels, strict=True):
        level = row.get(f"gamma_{name}")
        fields.append(
            {
                "comparison": name,
                "level": "missing" if level is None or level < 0 else levels[level],
                "weight": round(float(row.get(f"w_{name}") or 0.0), 3),
            }
        )
    return {
        "left_id": row["left_id"],
        "right_id": row["right_id"],
        "decision": row["decision"],
        "match_weight": round(float(row["match_weight"]), 3),
        "match_probability": float(row["match_probability"]),
        "prior_weight": round(model.prior_weight, 3),
        "fields": fields,
    }
