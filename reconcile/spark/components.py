"""Connected components of the match graph on Spark: large-star / small-star on DataFrames.

Why this algorithm: nothing national may pass through the driver, and label propagation needs as
many rounds as the longest shortest path (a chain of 2,000 transfers is 2,000 rounds). Kiveris et
al. (2014, "Connected Components in MapReduce and Beyond") alternate two local operations that
keep each component's connectivity and converge to one star per component, centred on its
smallest node, in O(log² n) rounds:

- *large-star*: every node ``u`` links each neighbour larger than itself to ``m(u)``, the
  smallest of ``u`` and its neighbours;
- *small-star*: every node ``u`` links itself and each neighbour smaller than itself to the
  smallest of them.

Each operation is one window over the edges partitioned by a node (windows stream and spill
where a ``collect_set`` would build one giant row for a giant component), and repeated edges are
dropped inside the same partitioning, so a round costs two shuffles. The test for the end is
exact and local, read off the large-star window: the graph is a forest of stars when every node
either has only larger neighbours (a centre) or exactly one, smaller, neighbour (a leaf) — a
leaf's neighbour cannot then be a leaf, since its own neighbour, the leaf, is larger.

Nodes are ordered by a 64-bit hash of their id, for two reasons: the rounds then sort and join
longs, not strings, and the order is random (ids handed out along a chain of transfers would be
the adversarial order). Whether two ids share a hash is checked first (at 46 M ids the odds are
about 1 in 20,000, not zero); if they do, the run orders by (hash, id) as strings instead: slower,
never wrong.

Each round is persisted; every ``checkpoint_every`` rounds the lineage is cut with a checkpoint
(a reliable one when the session has a checkpoint directory, as a cluster should, otherwise a
local one), so the plan stays short however many rounds a graph needs. Components are then named
exactly as :func:`reconcile.cluster.clusters` names them: by the smallest authority value they
hold (the registry's identity code), otherwise by their smallest id.

The rounds stop early once the graph left is small: when a round counts at most
``driver_edges`` edges (default 2 M), those edges are collected and finished by scipy's
connected components on the driver, as production systems finish the tail. Only the remainder
passes through the driver, never the country: at most ``driver_edges`` pairs of keys (2 M
edges ≈ 32 MB of longs, ~200 MB in transit as Arrow and numpy), whatever the number of nodes.
The answer is the same (components do not depend on how they are found: each node maps to the
smallest key of its component, as a converged star does). A test-sized or province-sized graph
is then one round instead of a dozen (each ~1 s on two cores); ``driver_edges=0`` keeps every
round on Spark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from doisoat.errors import ReconcileError
from reconcile.messages import ENGINE_VI

Progress = Callable[[str, dict[str, Any]], None]


def connected_components(
    edges: DataFrame,
    *,
    nodes: DataFrame | None = None,
    authority: DataFrame | None = None,
    max_iterations: int = 100,
    checkpoint_every: int = 3,
    checkpoint_dir: str | None = None,
    progress: Progress | None = None,
    driver_edges: int = 2_000_000,
) -> DataFrame:
    """Map every node to its component: DataFrame ``[id, cluster_id, cluster_size]``.

    ``edges`` is ``[src, dst]`` (undirected; self-loops and repeats are harmless); ``nodes`` is
    ``[id]`` with every node, singletons included (``None``: the edges' endpoints; endpoints
    missing from ``nodes`` are added); ``authority`` is ``[id, authority]``. A
    ``checkpoint_dir`` becomes the session's checkpoint directory (reliable checkpoints, for a
    cluster whose executors may be lost). ``progress("components", {...})`` hears of each round.
    Raises :class:`ReconcileError` if the graph is not a forest of stars after
    ``max_iterations`` rounds (a real graph needs a few dozen at most). ``driver_edges``: finish
    on the driver once a round has at most this many edges left (0: never).
    """
    context = edges.sparkSession.sparkContext
    if checkpoint_dir is not None:
        context.setCheckpointDir(checkpoint_dir)
    reliable = context.getCheckpointDir() is not None

    def cut(frame: DataFrame, *, eager: bool = True) -> DataFrame:
        """Cut the lineage; a lazy local checkpoint is filled by the next action itself (one job
        fewer), a reliable one is written at once (lazily, Spark would compute it twice)."""
        if reliable:
            return frame.checkpoint(eager=True)
        return frame.localCheckpoint(eager=eager)

    ends = edges.select(
        F.col("src").cast("string").alias("src"), F.col("dst").cast("string").alias("dst")
    ).where(F.col("src").isNotNull() & F.col("dst").isNotNull())
    everyone = ends.select(F.col("src").alias("id")).union(ends.select(F.col("dst").alias("id")))
    if nodes is not None:
        everyone = everyone.union(nodes.select(F.col("id").cast("string").alias("id")))
    ids = cut(
        everyone.where(F.col("id").isNotNull()).distinct().withColumn("h", _hashed("id")),
        eager=False,
    )
    counted = ids.agg(F.count(F.lit(1)).alias("n"), F.count_distinct("h").alias("h")).first()
    assert counted is not None  # a global aggregate always has one row
    key = _hashed if counted["n"] == counted["h"] else _spelled
    ids = ids.select("id", key("id").alias("k"))
    graph = ends.select(key("src").alias("src"), key("dst").alias("dst")).where(
        F.col("src") != F.col("dst")
    )

    previous: DataFrame | None = None
    for iteration in range(1, max_iterations + 1):
        stars = _large_star(graph)
        checkpointed = iteration % checkpoint_every == 0
        if checkpointed:
            stars = cut(stars, eager=False)
        else:
            stars = stars.persist(StorageLevel.MEMORY_AND_DISK)
        row = stars.agg(
            F.count(F.lit(1)).alias("edges"),
            F.coalesce(F.sum(F.col("bad").cast("long")), F.lit(0)).alias("bad"),
        ).first()
        assert row is not None  # a global aggregate always has one row
        if previous is not None:
            previous.unpersist()
        previous = stars
        if progress is not None:
            progress(
                "components",
                {"iteration": iteration, "edges": row["edges"] // 2, "unfinished": row["bad"]},
            )
        if row["bad"] != 0 and row["edges"] // 2 <= driver_edges:
            roots = _finished_on_driver(stars)
            if not checkpointed:
                stars.unpersist()
            return _named(ids, roots, authority)
        if row["bad"] == 0:
            roots = stars.select("u", "m").dropDuplicates(["u"])
            if not checkpointed:  # keep the answer, not the last round's cache
                roots = cut(roots)
                stars.unpersist()
            return _named(ids, roots, authority)
        graph = _small_star(
            stars.where(F.col("v") > F.col("u")).select(
                F.col("v").alias("src"), F.col("m").alias("dst")
            )
        )
    if previous is not None:
        previous.unpersist()
    raise ReconcileError(
        f"connected components did not converge in {max_iterations} rounds",
        message_vi=ENGINE_VI["COMPONENTS_DIVERGED"].format(rounds=max_iterations),
        details={"max_iterations": max_iterations},
    )


def _finished_on_driver(stars: DataFrame) -> DataFrame:
    """[u, m] for every node of the (small) graph left: m the smallest node of its component.

    Collects the edges once each (``v > u``), at most ``driver_edges`` of them, runs scipy's
    connected components and hands the roots back as a (local, small) DataFrame."""
    import numpy as np
    import pyarrow as pa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    left = stars.where(F.col("v") > F.col("u")).select("u", "v").toArrow()
    kind = stars.schema["u"].dataType
    us = left.column("u").to_numpy(zero_copy_only=False)
    vs = left.column("v").to_numpy(zero_copy_only=False)
    nodes, index = np.unique(np.concatenate([us, vs]), return_inverse=True)  # sorted: order kept
    n, m = len(nodes), len(us)
    graph = coo_matrix((np.ones(m, dtype=np.int8), (index[:m], index[m:])), shape=(n, n))
    _, label = scipy_components(graph, directed=False)
    smallest = np.full(label.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, label, np.arange(n))
    roots = nodes[smallest[label]]
    table = pa.table({"u": pa.array(nodes), "m": pa.array(roots)})
    frame = stars.sparkSession.createDataFrame(table)
    return frame.select(F.col("u").cast(kind), F.col("m").cast(kind))


def _hashed(column: str) -> Column:
    """The order the algorithm sees when no two ids share a 64-bit hash (checked first)."""
    return F.xxhash64(F.col(column))


def _spelled(column: str) -> Column:
    """The order when two ids do share a hash: the hash, then the id (slower, never wrong)."""
    text = F.col(column)
    return F.concat(F.lpad(F.hex(F.xxhash64(text)), 16, "0"), text)


def _large_star(graph: DataFrame) -> DataFrame:
    """[u, v, m, bad]: every edge seen from both ends, once each, with m = m(u) and ``bad``
    marking a node that is neither a centre nor a leaf."""
    ends = F.explode(
        F.array(
            F.struct(F.col("src").alias("u"), F.col("dst").alias("v")),
            F.struct(F.col("dst").alias("u"), F.col("src").alias("v")),
        )
    )
    both = graph.select(ends.alias("e")).select("e.u", "e.v")  # one pass, not a union
    around = Window.partitionBy("u")
    smallest = F.min("v").over(around)
    seen = both.select(
        "u",
        "v",
        F.least(F.col("u"), smallest).alias("m"),
        ((smallest < F.col("u")) & (smallest != F.max("v").over(around))).alias("bad"),
    )
    # partitioned by u already: dropping repeats here costs no shuffle
    return seen.dropDuplicates(["u", "v"])


def _small_star(graph: DataFrame) -> DataFrame:
    """Input oriented larger -> smaller (src > dst); output the same way, repeats possible.

    After dropping repeats each row yields one edge: ``dst -> m``, or for the row whose
    ``dst`` is ``m`` itself (one per ``src``), ``src -> m``.
    """
    smallest = F.min("dst").over(Window.partitionBy("src"))
    seen = graph.select("src", "dst", smallest.alias("m")).dropDuplicates(["src", "dst"])
    return seen.select(
        F.when(F.col("dst") == F.col("m"), F.col("src")).otherwise(F.col("dst")).alias("src"),
        F.col("m").alias("dst"),
    )


def _named(ids: DataFrame, roots: DataFrame, authority: DataFrame | None) -> DataFrame:
    """Name each component as reconcile/cluster.py does: smallest authority, else smallest id."""
    placed = ids.join(roots.select(F.col("u").alias("k"), F.col("m").alias("root")), "k", "left")
    placed = placed.select("id", F.coalesce("root", "k").alias("root"))
    if authority is not None:
        codes = (
            authority.select(
                F.col("id").cast("string").alias("id"),
                F.col("authority").cast("string").alias("a"),
            )
            .where(F.col("a").isNotNull())
            .groupBy("id")
            .agg(F.min("a").alias("a"))
        )
        placed = placed.join(codes, "id", "left")
    else:
        placed = placed.withColumn("a", F.lit(None).cast("string"))
    component = Window.partitionBy("root")
    return placed.select(
        "id",
        F.coalesce(F.min("a").over(component), F.min("id").over(component)).alias("cluster_id"),
        F.count(F.lit(1)).over(component).alias("cluster_size"),
    )
