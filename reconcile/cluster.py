"""Identities: connected components of the match graph, named by the authority's code."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def clusters(
    ids: pl.Series,
    left_index: np.ndarray,
    right_index: np.ndarray,
    authority: pl.Series | None = None,
) -> pl.DataFrame:
    """Map every id to a cluster id.

    ``ids`` lists all nodes (for a link: left ids then right ids); the edges are index pairs into
    it. A cluster holding an authority value (the registry's identity code) is named by it (the
    smallest one if it holds several, which the conflict rules report), otherwise by its smallest
    id.
    """
    n = ids.len()
    graph = coo_matrix(
        (np.ones(len(left_index), dtype=np.int8), (left_index, right_index)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    frame = pl.DataFrame({"id": ids.cast(pl.Utf8), "__c": labels})
    if authority is not None:
        frame = frame.with_columns(authority.cast(pl.Utf8).alias("__a"))
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias("__a"))
    names = frame.group_by("__c").agg(
        pl.col("__a").drop_nulls().min().alias("__auth"),
        pl.col("id").min().alias("__min"),
        pl.len().alias("cluster_size"),
    )
    return frame.join(names, on="__c", how="left").select(
        "id",
        pl.coalesce("__auth", "__min").alias("cluster_id"),
        "cluster_size",
    )
