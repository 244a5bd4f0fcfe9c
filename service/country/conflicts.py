"""National identities and conflicts on Spark: cut the country into conflict components, run
the night's rules on groups of whole components (:func:`service.country.rules.group_rules`).

A rule looks at records tied by a person (a link cluster: vendor records with their registry
record; a registry duplicate cluster), an identity code, or a personal ID. Link clusters are
the unit: two clusters are joined when a registry duplicate, a code or a personal ID spans both.
Only those joining edges go into connected components (a small graph: the duplicates, shared
and changed codes of a country, not its 46 M records), so the component of almost every record
is its own link cluster. Components are then dealt into buckets of ~``ROWS_PER_GROUP`` records;
each bucket is one call of the rules inside a task, so nothing national is on the driver and a
country is not millions of tiny Python calls.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from reconcile import Model
from service.country.rules import (
    LINK_CLUSTER,
    LINK_CLUSTER_SIZE,
    OUTPUT_COLUMNS,
    PAIRS,
    REG_CLUSTER,
    REG_CLUSTER_SIZE,
    group_rules,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ROWS_PER_GROUP = 50_000
DRIVER_EDGES = 500_000  # a joining graph this small is solved on the driver
COMPONENT, BUCKET = "component", "bucket"
PAIR_COLUMNS = ("right_id", "match_weight", "match_probability", "decision")


def pairs_per_record(pairs: DataFrame) -> DataFrame:
    """[record_id, pairs]: each vendor record's pairs the rules read — matches and reviews
    (its registry person, a close second) and the pair with the owner of its code (identical
    code: ``gamma_moet_code`` = 0) — as a list of structs."""
    from pyspark.sql import functions as F

    gammas = [c for c in pairs.columns if c.startswith("gamma_")]
    wanted = F.col("decision") != "non-match"
    if "gamma_moet_code" in pairs.columns:
        wanted = wanted | (F.col("gamma_moet_code") == 0)
    return (
        pairs.filter(wanted)
        .groupBy(F.col("left_id").alias("record_id"))
        .agg(F.collect_list(F.struct(*PAIR_COLUMNS, *gammas)).alias(PAIRS))
    )


def _joining_edges(records: DataFrame, hub: str) -> DataFrame:
    """[src, dst] between the link clusters of records sharing ``hub`` (a code, a personal ID,
    a registry duplicate cluster): each cluster to the smallest of them."""
    from pyspark.sql import functions as F

    return (
        records.filter(F.col(hub).isNotNull())
        .groupBy(hub)
        .agg(F.array_distinct(F.collect_list(LINK_CLUSTER)).alias("__all"))
        .filter(F.size("__all") > 1)
        .select(F.array_min("__all").alias("src"), F.explode("__all").alias("dst"))
        .filter(F.col("src") != F.col("dst"))
    )


def conflict_components(records: DataFrame) -> tuple[DataFrame, int]:
    """[record_id, component] for ``records`` holding ``link_cluster`` and ``reg_cluster``
    (registry records in a duplicate cluster), with the number of joining edges.

    The joining graph is a country's exceptions (duplicates, shared and changed codes): up to
    :data:`DRIVER_EDGES` edges it is solved on the driver (one collect instead of the dozens of
    jobs of an iterative algorithm); beyond, by connected components on DataFrames.
    """
    from pyspark.sql import functions as F

    vendor = F.col("source") != REGISTRY_SOURCE
    hubs = records.select(
        "record_id",
        LINK_CLUSTER,
        "code_key",
        F.when(vendor, F.col("pid_key")).alias("pid_hub"),
        F.when(F.col(REG_CLUSTER_SIZE) > 1, F.col(REG_CLUSTER)).alias("dup_hub"),
    )
    edges = (
        _joining_edges(hubs, "code_key")
        .unionByName(_joining_edges(hubs, "pid_hub"))
        .unionByName(_joining_edges(hubs, "dup_hub"))
        .distinct()
        .localCheckpoint()
    )
    n_edges = edges.count()
    if n_edges <= DRIVER_EDGES:
        joined = _components_on_driver(edges)
    else:
        from reconcile.spark import connected_components

        joined = connected_components(edges).select(
            F.col("id").alias(LINK_CLUSTER), F.col("cluster_id").alias("__joined")
        )
    component = records.select("record_id", LINK_CLUSTER).join(
        F.broadcast(joined) if n_edges <= DRIVER_EDGES else joined, on=LINK_CLUSTER, how="left"
    )
    return (
        component.select("record_id", F.coalesce("__joined", LINK_CLUSTER).alias(COMPONENT)),
        n_edges,
    )


def _components_on_driver(edges: DataFrame) -> DataFrame:
    """[link_cluster, __joined] of a small joining graph, by scipy on the driver (the label is
    only a grouping key: any name that is the same for a whole component will do)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    spark = edges.sparkSession
    found = pl.from_arrow(edges.toArrow())
    assert isinstance(found, pl.DataFrame)
    if found.height == 0:
        return spark.createDataFrame([], f"{LINK_CLUSTER} string, __joined string")
    nodes = pl.concat([found["src"], found["dst"]]).unique().sort()
    index = pl.DataFrame({"node": nodes, "i": np.arange(nodes.len(), dtype=np.int64)})
    left = found.join(index, left_on="src", right_on="node", how="left")["i"].to_numpy()
    right = found.join(index, left_on="dst", right_on="node", how="left")["i"].to_numpy()
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(len(nodes),) * 2)
    _, labels = scipy_components(graph, directed=False)
    joined = pl.DataFrame(
        {LINK_CLUSTER: nodes, "__joined": pl.Series(labels).cast(pl.Utf8)}
    ).with_columns(("joined:" + pl.col("__joined")).alias("__joined"))
    return spark.createDataFrame(joined.to_arrow().cast(_string_schema(joined.columns)))


def _string_schema(columns: list[str]) -> Any:
    import pyarrow as pa

    return pa.schema([(c, pa.string()) for c in columns])


def output_schema() -> Any:
    """:data:`OUTPUT_COLUMNS` as a Spark schema."""
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    return StructType(
        [
            StructField(c, ArrayType(StringType()) if t == pl.List(pl.Utf8) else StringType())
            for c, t in OUTPUT_COLUMNS.items()
        ]
    )


def _arrow_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            (c, pa.list_(pa.string()) if t == pl.List(pl.Utf8) else pa.string())
            for c, t in OUTPUT_COLUMNS.items()
        ]
    )


def national_rules(
    records: DataFrame,
    *,
    link_model: Model,
    registry_model: Model,
    night: dt.date,
    grace_days: int | None = None,
    total_records: int,
) -> DataFrame:
    """Identity and conflict rows (:data:`OUTPUT_COLUMNS`) of the whole country.

    ``records``: keyed records with :data:`~service.country.rules.CARRIED` and ``component``.
    """
    from pyspark.sql import functions as F

    partitions = int(records.sparkSession.conf.get("spark.sql.shuffle.partitions") or "4")
    buckets = max(partitions, math.ceil(total_records / ROWS_PER_GROUP))
    schema = _arrow_schema()

    def run(table: Any) -> Any:
        rows = pl.from_arrow(table)
        assert isinstance(rows, pl.DataFrame)
        out = group_rules(
            rows.drop(COMPONENT, BUCKET),
            link_model=link_model,
            registry_model=registry_model,
            night=night,
            grace_days=grace_days,
        )
        return out.to_arrow().cast(schema)

    return (
        records.withColumn(BUCKET, F.pmod(F.xxhash64(COMPONENT), F.lit(buckets)))
        .groupBy(BUCKET)
        .applyInArrow(run, output_schema())
    )


def carried_columns(
    keyed: DataFrame, link_clusters: DataFrame, registry_clusters: DataFrame, pairs: DataFrame
) -> DataFrame:
    """Keyed records with their link cluster, registry duplicate cluster and kept pairs.

    The linkage's frames come with the lineage of every round of their connected components:
    each is cut (a local checkpoint) before they meet, or the joined plan alone (its text,
    which Spark builds for every query) can exhaust the driver's memory.
    """
    from pyspark.sql import functions as F

    link = link_clusters.select(
        F.col("id").alias("record_id"),
        F.col("cluster_id").alias(LINK_CLUSTER),
        F.col("cluster_size").cast("long").alias(LINK_CLUSTER_SIZE),
    ).localCheckpoint()
    dups = registry_clusters.select(
        F.col("id").alias("record_id"),
        F.col("cluster_id").alias(REG_CLUSTER),
        F.col("cluster_size").cast("long").alias(REG_CLUSTER_SIZE),
    ).localCheckpoint()
    kept = pairs_per_record(pairs).localCheckpoint()
    # a record the linkage left alone is its own cluster
    return (
        keyed.join(link, on="record_id", how="left")
        .join(dups, on="record_id", how="left")
        .join(kept, on="record_id", how="left")
        .withColumn(LINK_CLUSTER, F.coalesce(LINK_CLUSTER, "record_id"))
        .withColumn(LINK_CLUSTER_SIZE, F.coalesce(LINK_CLUSTER_SIZE, F.lit(1).cast("long")))
    )
