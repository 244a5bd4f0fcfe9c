"""Connected components on Spark against scipy (through reconcile/cluster.py) on graphs with the
shapes that break naive algorithms: a long chain, a giant component, isolated pairs, singletons."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from doisoat.errors import ReconcileError
from reconcile.cluster import clusters

pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")

from reconcile.spark import components  # noqa: E402
from reconcile.spark.components import connected_components  # noqa: E402


def _mixed_graph(seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Node ids and edges (index pairs) of one graph holding every hard shape at once."""
    rng = np.random.default_rng(seed)
    srcs: list[np.ndarray] = []
    dsts: list[np.ndarray] = []
    start = 0

    def block(n: int) -> np.ndarray:
        nonlocal start
        out = np.arange(start, start + n)
        start += n
        return out

    chain = block(2_000)  # a path, numbered along its length: label propagation's worst case
    srcs.append(chain[:-1])
    dsts.append(chain[1:])
    giant = block(1_500)  # random graph of mean degree 3: one giant component + debris
    m = 2_250
    srcs.append(rng.choice(giant, m))
    dsts.append(rng.choice(giant, m))
    tail = block(500)  # a second long chain hanging off the giant component
    srcs.append(np.concatenate([[giant[0]], tail[:-1]]))
    dsts.append(tail)
    sparse = block(1_000)  # below the threshold: trees and small components
    srcs.append(rng.choice(sparse, 350))
    dsts.append(rng.choice(sparse, 350))
    pairs = block(400)  # isolated pairs
    srcs.append(pairs[0::2])
    dsts.append(pairs[1::2])
    block(300)  # singletons: in `nodes` only
    src = np.concatenate(srcs)
    dst = np.concatenate(dsts)
    # repeats, reversed repeats and self-loops must change nothing
    again = rng.choice(len(src), 300, replace=False)
    src = np.concatenate([src, dst[again], np.arange(0, 50)])
    dst = np.concatenate([dst, src[again], np.arange(0, 50)])
    # ids whose string order has nothing to do with the structure
    ids = [f"{v:08x}" for v in rng.permutation(1 << 24)[:start]]
    ids[chain[0]], ids[chain[-1]] = "zz-chain-start", "aa-chain-end"
    return ids, src, dst


def _frames(spark, ids, src, dst, codes=None):
    """Spark frames built from Arrow tables: the rows live in the JVM, no Python worker reads
    them back on every round."""
    edges = spark.createDataFrame(
        pa.table(
            {
                "src": pa.array([ids[a] for a in src], pa.string()),
                "dst": pa.array([ids[b] for b in dst], pa.string()),
            }
        )
    )
    nodes = spark.createDataFrame(pa.table({"id": pa.array(ids, pa.string())}))
    authority = None
    if codes is not None:
        kept = [(i, c) for i, c in zip(ids, codes, strict=True) if c is not None]
        authority = spark.createDataFrame(
            pa.table(
                {
                    "id": pa.array([i for i, _ in kept], pa.string()),
                    "authority": pa.array([c for _, c in kept], pa.string()),
                }
            )
        )
    return edges, nodes, authority


def _spark_result(frame) -> pl.DataFrame:
    rows = frame.collect()
    return pl.DataFrame(
        {
            "id": [r["id"] for r in rows],
            "cluster_id": [r["cluster_id"] for r in rows],
            "cluster_size": [int(r["cluster_size"]) for r in rows],
        }
    ).sort("id")


# 0: every round on Spark; the default: one round, the rest finished on the driver
ON_SPARK, ON_DRIVER = 0, 2_000_000
WHERE = pytest.mark.parametrize("driver_edges", [ON_SPARK, ON_DRIVER], ids=["spark", "driver"])


@WHERE
def test_components_equal_scipy_on_chains_giant_pairs_and_singletons(spark, driver_edges):
    ids, src, dst = _mixed_graph(seed=17)
    rng = np.random.default_rng(3)
    # registry codes on ~4 % of the nodes: some components hold two (the smallest names them)
    codes = [f"79{rng.integers(10**7, 10**8)}" if rng.random() < 0.04 else None for _ in ids]
    codes[1_999] = "0100000001"  # the chain's far end carries the smallest code of all
    edges, nodes, authority = _frames(spark, ids, src, dst, codes)
    rounds: list[dict] = []

    got = _spark_result(
        connected_components(
            edges,
            nodes=nodes,
            authority=authority,
            progress=lambda stage, info: rounds.append(info) if stage == "components" else None,
            driver_edges=driver_edges,
        )
    )

    expected = clusters(pl.Series(ids), src, dst, authority=pl.Series(codes, dtype=pl.Utf8)).sort(
        "id"
    )
    assert got.height == len(ids)
    assert got["id"].to_list() == expected["id"].to_list()
    assert got["cluster_id"].to_list() == expected["cluster_id"].to_list()
    assert got["cluster_size"].to_list() == expected["cluster_size"].cast(pl.Int64).to_list()
    by_id = dict(zip(got["id"], got["cluster_id"], strict=True))
    assert by_id["zz-chain-start"] == "0100000001"  # named across 2,000 hops
    sizes = got.group_by("cluster_id").agg(pl.len())["len"]
    assert sizes.max() > 1_500 and (sizes == 1).sum() >= 300 and (sizes == 2).sum() >= 200
    # O(log² n) rounds, not the chain's length as label propagation would need
    if driver_edges == ON_SPARK:
        assert 1 <= len(rounds) < 40 and rounds[-1]["unfinished"] == 0
    else:  # the first round counts ~5 k edges left: the driver finishes them
        assert len(rounds) == 1 and rounds[0]["unfinished"] > 0


@WHERE
def test_components_partition_equals_scipy_when_ids_share_a_hash(spark, monkeypatch, driver_edges):
    """Nodes are ordered by a 64-bit hash of their id; with a hash that collides (seven values)
    the run must notice and order by the ids themselves, or components would merge."""
    from pyspark.sql import functions as F
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    rng = np.random.default_rng(5)
    n = 160
    src = rng.integers(0, n, 120)
    dst = rng.integers(0, n, 120)
    ids = [f"r{v}" for v in rng.permutation(n)]  # r10 < r9: string order, not numeric
    edges, _, _ = _frames(spark, ids, src, dst)
    monkeypatch.setattr(
        components, "_hashed", lambda column: F.pmod(F.xxhash64(F.col(column)), F.lit(7))
    )

    # nodes = the edges' endpoints
    got = _spark_result(connected_components(edges, driver_edges=driver_edges))

    touched = np.unique(np.concatenate([src, dst]))
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, labels = scipy_components(graph, directed=False)
    assert sorted(got["id"]) == sorted(ids[i] for i in touched)
    members: dict[int, list[str]] = {}
    for i in touched:
        members.setdefault(int(labels[i]), []).append(ids[i])
    expected = {i: (min(group), len(group)) for group in members.values() for i in group}
    for row in got.iter_rows(named=True):
        assert (row["cluster_id"], row["cluster_size"]) == expected[row["id"]]


def test_components_without_edges_keep_every_node_alone(spark):
    edges = spark.createDataFrame([], "src string, dst string")
    nodes = spark.createDataFrame([("b",), ("a",), ("c",)], "id string")
    authority = spark.createDataFrame(
        [("c", "7900000001"), ("c", None)], "id string, authority string"
    )

    got = _spark_result(connected_components(edges, nodes=nodes, authority=authority))

    assert got.rows() == [("a", "a", 1), ("b", "b", 1), ("c", "7900000001", 1)]


def test_components_refuse_to_stop_unconverged_and_checkpoint_where_told(spark, tmp_path):
    ids = [f"n{i:04d}" for i in range(12)]
    src = np.arange(11)
    edges, _, _ = _frames(spark, ids, src, src + 1)

    with pytest.raises(ReconcileError) as refused:
        connected_components(edges, max_iterations=1, driver_edges=ON_SPARK)
    assert "vòng" in refused.value.message_vi

    got = _spark_result(
        connected_components(
            edges, checkpoint_every=1, checkpoint_dir=str(tmp_path / "cp"), driver_edges=ON_SPARK
        )
    )
    assert set(got["cluster_id"]) == {"n0000"} and set(got["cluster_size"]) == {12}
    assert any((tmp_path / "cp").iterdir())  # reliable checkpoints were written there
