"""Connected components on Spark (large-star / small-star) on graphs built to be hard.

Each graph of E edges is generated inside Spark (nothing passes through the driver) and holds:
a giant component (60 % of the edges, mean degree 3) with a long chain hanging off it, nine more
long chains numbered along their length (label propagation's worst case: one round per hop),
isolated pairs and small random trees. Prints one JSON line per size: rounds, seconds, edges per
second, the number of components and the giant's size.

    .venv/bin/python -m bench.bench_spark_components                  # 1 M and 5 M edges
    .venv/bin/python -m bench.bench_spark_components 200000 --check   # and compare with scipy

``--check`` collects the graph to the driver and compares the partition with scipy's (sizes
that fit in memory only). ``--master`` picks the Spark master (default ``local[2]``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

QUICK_ARGS = ["100000"]
SEED = 17
CHAINS = 10


def _graph(spark, edges: int):
    """DataFrame [src, dst] of about ``edges`` edges with the shapes described above."""
    from pyspark.sql import functions as F

    chain_len = max(10, edges // 10 // CHAINS)
    giant_edges, giant_nodes = int(edges * 0.6), int(edges * 0.4)
    pairs = int(edges * 0.2)
    tree_edges, tree_nodes = int(edges * 0.1), int(edges * 0.4)

    def rand_node(prefix: str, count: int, seed: int):
        return F.concat(F.lit(prefix), (F.rand(seed) * count).cast("long").cast("string"))

    giant = spark.range(giant_edges).select(
        rand_node("g", giant_nodes, SEED).alias("src"),
        rand_node("g", giant_nodes, SEED + 1).alias("dst"),
    )
    position = F.lpad((F.col("id") % chain_len).cast("string"), 9, "0")
    chain = F.concat(F.lit("c"), (F.col("id") / chain_len).cast("long").cast("string"), F.lit("-"))
    chains = (
        spark.range(CHAINS * chain_len)
        .where(F.col("id") % chain_len != chain_len - 1)
        .select(
            F.concat(chain, position).alias("src"),
            F.concat(chain, F.lpad((F.col("id") % chain_len + 1).cast("string"), 9, "0")).alias(
                "dst"
            ),
        )
    )
    hook = spark.createDataFrame([("g0", "c0-" + "0" * 9)], "src string, dst string")
    isolated = spark.range(pairs).select(
        F.concat(F.lit("p"), F.col("id").cast("string"), F.lit("a")).alias("src"),
        F.concat(F.lit("p"), F.col("id").cast("string"), F.lit("b")).alias("dst"),
    )
    trees = spark.range(tree_edges).select(
        rand_node("t", tree_nodes, SEED + 2).alias("src"),
        rand_node("t", tree_nodes, SEED + 3).alias("dst"),
    )
    return giant.union(chains).union(hook).union(isolated).union(trees)


def _run(spark, edges: int, check: bool) -> dict:
    from pyspark.sql import functions as F

    from reconcile.spark.components import connected_components

    graph = _graph(spark, edges).localCheckpoint(eager=True)  # generation is not the measure
    n_edges = graph.count()
    rounds: list[dict] = []
    started = time.perf_counter()

    def heard(stage: str, info: dict) -> None:
        rounds.append({**info, "t": time.perf_counter()})
        print(f"# {edges}: {info} after {rounds[-1]['t'] - started:.0f} s", file=sys.stderr)

    result = connected_components(graph, progress=heard)
    summary = result.agg(
        F.count(F.lit(1)).alias("nodes"),
        F.countDistinct("cluster_id").alias("components"),
        F.max("cluster_size").alias("giant"),
    ).first()
    seconds = time.perf_counter() - started
    out = {
        "edges": n_edges,
        "nodes": summary["nodes"],
        "components": summary["components"],
        "giant_component": summary["giant"],
        "longest_chain": max(10, edges // 10 // CHAINS),
        "iterations": len(rounds),
        "seconds": round(seconds, 1),
        "seconds_per_iteration": [
            round(r["t"] - (rounds[i - 1]["t"] if i else started), 1) for i, r in enumerate(rounds)
        ],
        "edges_per_second": round(n_edges / seconds),
    }
    if check:
        out["equals_scipy"] = _equals_scipy(graph, result)
    return out


def _equals_scipy(graph, result) -> bool:
    """The Spark partition equals scipy's on the same graph (collects both to the driver)."""
    import numpy as np
    import polars as pl
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    got = pl.from_arrow(result.toArrow())
    edges = pl.from_arrow(graph.toArrow())
    assert isinstance(got, pl.DataFrame) and isinstance(edges, pl.DataFrame)
    index = {node: i for i, node in enumerate(got["id"].to_list())}
    src = np.fromiter((index[s] for s in edges["src"].to_list()), dtype=np.int64)
    dst = np.fromiter((index[d] for d in edges["dst"].to_list()), dtype=np.int64)
    n = len(index)
    _, labels = scipy_components(
        coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)), directed=False
    )
    pairs = pl.DataFrame({"spark": got["cluster_id"], "scipy": labels}).unique()
    return pairs.height == pairs["spark"].n_unique() == pairs["scipy"].n_unique()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("edges", nargs="*", type=int, default=[1_000_000, 5_000_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    from reconcile.spark import spark_session

    spark = spark_session(
        args.master, app_name="bench-components", driver_memory=args.driver_memory
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for edges in args.edges:
            result = _run(spark, edges, args.check)
            print(json.dumps({"master": args.master, **result}), flush=True)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
