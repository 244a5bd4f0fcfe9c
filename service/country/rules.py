"""The night's identity and transfer rules, run on one group of whole conflict components.

A province's night runs :func:`reconcile.identity_conflicts` and
:func:`reconcile.transfer_conflicts` over all its records at once. The country cannot: its
records do not fit on one machine. But every rule only ever looks at records tied together by a
person (the linkage's clusters and the registry's duplicates), an identity code or a personal ID,
so the country is cut into *conflict components* (records connected by any of those, see
:mod:`service.country.conflicts`) and the same rule code runs on groups of whole components inside
Spark's tasks. Run on the union of whole components, each rule gives exactly the rows it gives on
the whole country: the conflict ids come from the same key function
(:func:`reconcile.conflicts.base.conflict_id`, through the rules themselves), not a copy of it.

Everything here is plain polars (no Spark), so it is tested and reasoned about like the night.
Rows arrive sorted by ``record_id``; the single-machine run the tests compare with sorts the same
way, so that even a rule's "first of a group" picks the same row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from reconcile import (
    CONFLICT_COLUMNS,
    LinkResult,
    Model,
    identity_conflicts,
    person_identities,
    transfer_conflicts,
)

# Columns the national run adds to a record on its way to the rules (not canonical ones).
LINK_CLUSTER, LINK_CLUSTER_SIZE = "link_cluster", "link_cluster_size"
REG_CLUSTER, REG_CLUSTER_SIZE = "reg_cluster", "reg_cluster_size"
PAIRS, PROVINCE = "pairs", "province"
CARRIED = (LINK_CLUSTER, LINK_CLUSTER_SIZE, REG_CLUSTER, REG_CLUSTER_SIZE, PAIRS)

PART_IDENTITY, PART_CONFLICT = "identity", "conflict"
OUTPUT_COLUMNS: dict[str, Any] = {
    "part": pl.Utf8,
    PROVINCE: pl.Utf8,
    "record_id": pl.Utf8,
    "identity_id": pl.Utf8,
    "moet_code": pl.Utf8,
    **CONFLICT_COLUMNS,
    "provinces": pl.List(pl.Utf8),
}
"""What a group gives back: identity rows (``part`` = identity: record_id → identity_id) and
conflict rows (``part`` = conflict: the conflict table's columns, the province whose officer
owns it — that of its school — and every province its records are in) in one frame, since a
grouped Spark function returns one table."""


def _link_results(
    rows: pl.DataFrame, link_model: Model, registry_model: Model
) -> tuple[LinkResult, LinkResult]:
    """The two linkages as the rules know them, restricted to this group's records."""
    vendor = rows.filter(pl.col("source") != REGISTRY_SOURCE)
    pairs = (
        vendor.select(pl.col("record_id").alias("left_id"), PAIRS)
        .explode(PAIRS)
        .drop_nulls(PAIRS)
        .unnest(PAIRS)
    )
    clusters = rows.select(
        pl.col("record_id").alias("id"),
        pl.col(LINK_CLUSTER).alias("cluster_id"),
        pl.col(LINK_CLUSTER_SIZE).alias("cluster_size"),
    )
    registry_clusters = rows.filter(pl.col("source") == REGISTRY_SOURCE).select(
        pl.col("record_id").alias("id"),
        pl.col(REG_CLUSTER).fill_null(pl.col("record_id")).alias("cluster_id"),
        pl.col(REG_CLUSTER_SIZE).fill_null(1).alias("cluster_size"),
    )
    no_pairs = pl.DataFrame(schema={"left_id": pl.Utf8, "right_id": pl.Utf8, "decision": pl.Utf8})
    return (
        LinkResult(pairs=pairs, clusters=clusters, model=link_model),
        LinkResult(pairs=no_pairs, clusters=registry_clusters, model=registry_model),
    )


def transfers(
    records: pl.DataFrame, identities: pl.DataFrame, *, night: dt.date, grace_days: int | None
) -> pl.DataFrame:
    """The transfer rules with the night's grace period, or the rules' own default."""
    if grace_days is None:
        return transfer_conflicts(records, identities, night=night)
    return transfer_conflicts(records, identities, night=night, grace_days=grace_days)


def group_rules(
    rows: pl.DataFrame,
    *,
    link_model: Model,
    registry_model: Model,
    night: dt.date,
    grace_days: int | None = None,
) -> pl.DataFrame:
    """Identities and conflicts of whole conflict components (columns of :data:`OUTPUT_COLUMNS`).

    ``rows``: the components' records (canonical columns with ``code_key``/``code_status``/
    ``pid_key``, ``province``) carrying :data:`CARRIED`: each record's link cluster, each
    registry record's duplicate cluster, each vendor record's kept pairs to the registry.
    """
    rows = rows.sort("record_id")
    records = rows.drop(*CARRIED)
    vendor = records.filter(pl.col("source") != REGISTRY_SOURCE)
    registry = records.filter(pl.col("source") == REGISTRY_SOURCE)
    links, registry_links = _link_results(rows, link_model, registry_model)
    identities = person_identities(links, registry_links, vendor, registry)
    canonical = records.drop("code_key", "code_status", "pid_key", PROVINCE)
    families = [
        identity_conflicts(vendor, registry, links, registry_links),
        transfers(canonical, identities, night=night, grace_days=grace_days),
    ]
    conflicts = pl.concat([f for f in families if f.height] or [families[0]], how="vertical")
    conflicts = conflicts.unique(subset="conflict_id", keep="first", maintain_order=True)
    where = records.select("record_id", "school_code", PROVINCE)
    return pl.concat(
        [_identity_rows(identities, where), _conflict_rows(conflicts, where)],
        how="diagonal_relaxed",
    ).select([pl.col(c).cast(t) for c, t in OUTPUT_COLUMNS.items()])


def _identity_rows(identities: pl.DataFrame, where: pl.DataFrame) -> pl.DataFrame:
    return identities.join(where.select("record_id", PROVINCE), on="record_id", how="left").select(
        pl.lit(PART_IDENTITY).alias("part"), PROVINCE, "record_id", "identity_id", "moet_code"
    )


def _conflict_rows(conflicts: pl.DataFrame, where: pl.DataFrame) -> pl.DataFrame:
    """Each conflict with its provinces: all those of its records, and the one of its school
    (the province whose officer must act), else the first of them."""
    if conflicts.height == 0:
        schema: dict[str, Any] = {"part": pl.Utf8, **CONFLICT_COLUMNS}
        return pl.DataFrame(schema=schema)
    members = (
        conflicts.select("conflict_id", "school_code", pl.col("record_ids").alias("record_id"))
        .explode("record_id")
        .join(
            where.rename({"school_code": "record_school"}),
            on="record_id",
            how="left",
        )
    )
    provinces = members.group_by("conflict_id").agg(
        pl.col(PROVINCE).drop_nulls().unique().sort().alias("provinces"),
        pl.col(PROVINCE)
        .filter(pl.col("record_school") == pl.col("school_code"))
        .min()
        .alias("__own"),
    )
    return (
        conflicts.join(provinces, on="conflict_id", how="left", maintain_order="left")
        .with_columns(
            pl.lit(PART_CONFLICT).alias("part"),
            pl.coalesce("__own", pl.col("provinces").list.first()).alias(PROVINCE),
        )
        .drop("__own")
    )
