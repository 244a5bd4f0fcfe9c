"""The Spark executor gives the single-machine engine's answers (issue 17, items 1 and 4).

Same data, same model → the same pairs, decisions, weights (within 1e-9) and clusters; a model
estimated on Spark from pattern counts → close to the one estimated on one machine, and the
same matches. On a simulated district (students linked to the registry, the registry
deduplicated) and on a profile that is not about students (two library catalogues).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import reconcile as rc
from reconcile.student import registry_profile, student_profile, with_keys
from simulate import generate

pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")

from reconcile.spark import dedupe_spark, link_spark  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reconcile_books import catalogues, truth  # noqa: E402

WEIGHT_TOLERANCE = 1e-9


def _frame(spark, table: pl.DataFrame):
    return spark.createDataFrame(table.to_arrow())


def _local(frame) -> pl.DataFrame:
    return pl.from_arrow(frame.toArrow())  # type: ignore[return-value]


@pytest.fixture(scope="module")
def district():
    records = with_keys(generate(4_000, seed=3).records)
    vendor = records.filter(pl.col("source") != "moet")
    registry = records.filter(pl.col("source") == "moet")
    return vendor, registry


@pytest.fixture(scope="module")
def engine_links(district):
    vendor, registry = district
    return rc.link(vendor, registry, student_profile())


@pytest.fixture(scope="module")
def spark_links(spark, district, engine_links):
    vendor, registry = district
    stages: list[tuple[str, str]] = []
    result = link_spark(
        _frame(spark, vendor),
        _frame(spark, registry),
        student_profile(),
        model=engine_links.model,
        progress=lambda stage, info: stages.append((stage, info["event"])),
    )
    return result, _local(result.pairs), _local(result.clusters), stages


def _compare_pairs(engine: pl.DataFrame, spark: pl.DataFrame, *, unordered: bool = False):
    """Join the two executors' pairs; for a dedupe each pair is taken as (smaller, larger) id."""
    if unordered:
        engine, spark = (
            f.with_columns(
                pl.min_horizontal("left_id", "right_id").alias("left_id"),
                pl.max_horizontal("left_id", "right_id").alias("right_id"),
            )
            for f in (engine, spark)
        )
    return engine.join(spark, on=["left_id", "right_id"], how="full", suffix="_spark")


def _only_tied_best_tries(joined: pl.DataFrame, engine: pl.DataFrame, spark: pl.DataFrame):
    """Pairs only one executor kept must be a record's best try (a non-match) tied in weight
    with the best try the other kept: which of two equal pairs is "best" is arbitrary."""
    alone = joined.filter(pl.col("left_id").is_null() | pl.col("left_id_spark").is_null())
    for row in alone.iter_rows(named=True):
        mine = row["left_id"] is not None
        left = row["left_id"] if mine else row["left_id_spark"]
        weight = row["match_weight"] if mine else row["match_weight_spark"]
        assert (row["decision"] if mine else row["decision_spark"]) == "non-match", row
        other = (spark if mine else engine).filter(pl.col("left_id") == left)
        assert (other["match_weight"] - weight).abs().min() <= WEIGHT_TOLERANCE, row
    return alone.height


def test_the_stages_report_start_and_end(spark_links):
    stages = spark_links[3]
    for stage in ("blocking", "comparing", "scoring", "clustering"):
        assert (stage, "start") in stages and (stage, "end") in stages
    assert ("estimating", "start") not in stages  # the model was given


def test_the_engines_model_gives_the_engines_pairs_decisions_and_weights(engine_links, spark_links):
    result, pairs, _, _ = spark_links
    engine = engine_links.pairs
    assert result.stats["candidate_pairs"] == engine_links.stats["candidate_pairs"]
    joined = _compare_pairs(engine, pairs)
    assert _only_tied_best_tries(joined, engine, pairs) <= 5
    both = joined.drop_nulls(["left_id", "left_id_spark"])
    assert both.height >= engine.height - 5
    assert (both["decision"] == both["decision_spark"]).all()
    for column in ("match_weight", "match_probability"):
        assert (both[column] - both[f"{column}_spark"]).abs().max() <= WEIGHT_TOLERANCE
    for comparison in engine_links.model.names:
        assert (both[f"gamma_{comparison}"] == both[f"gamma_{comparison}_spark"]).all()
    assert result.stats["matches"] == engine_links.matches.height


def test_the_engines_model_gives_the_engines_clusters(engine_links, spark_links):
    clusters = spark_links[2]
    joined = engine_links.clusters.join(clusters, on="id", how="full", suffix="_spark")
    assert joined.height == engine_links.clusters.height == clusters.height
    assert (joined["cluster_id"] == joined["cluster_id_spark"]).all()
    assert (joined["cluster_size"] == joined["cluster_size_spark"]).all()
    assert (joined["side"] == joined["side_spark"]).all()


def _level_weight_gaps(settings_model: rc.Model, other: rc.Model) -> tuple[float, float]:
    """(largest gap in bits over the exact levels u is counted for, over the levels whose u
    the random sample sees at least 1e-3 of the time). Rarer sampled levels are left out: a
    level seen a handful of times in 200 k random pairs is as noisy as that."""
    exact, sampled = 0.0, 0.0
    counted = {c.name for c in student_profile().comparisons if c.kind != "custom"}
    for name, wa, wb, ua in zip(
        settings_model.names,
        settings_model.level_weights(),
        other.level_weights(),
        settings_model.u,
        strict=True,
    ):
        gap = np.abs(wa - wb)
        if name in counted:
            exact = max(exact, float(gap[0]))
        seen = ua >= 1e-3
        seen[0] = False
        if seen.any():
            sampled = max(sampled, float(gap[seen].max()))
    return exact, sampled


def test_a_model_estimated_on_spark_is_the_engines_model_and_finds_the_same_matches(
    spark, district, engine_links
):
    vendor, registry = district
    small_vendor = vendor.filter(pl.col("school_code").hash(3) % 4 == 0)
    small = registry.filter(pl.col("school_code").is_in(small_vendor["school_code"].implode()))
    engine = rc.link(small_vendor, small, student_profile())
    result = link_spark(_frame(spark, small_vendor), _frame(spark, small), student_profile())
    model = result.model
    assert model.training["candidate_pairs"] == engine.stats["candidate_pairs"]
    assert model.training["labelled_pairs"] == engine.model.training["labelled_pairs"]
    # only the random pairs behind the sampled u differ; EM fits λ on the same pattern counts
    # (measured: λ equal to the last digit, sampled levels ≤ 0.11 bits apart)
    assert abs(model.lam - engine.model.lam) <= 1e-3 * engine.model.lam
    exact, sampled = _level_weight_gaps(engine.model, model)
    assert exact <= WEIGHT_TOLERANCE
    assert sampled <= 0.3
    assert model.match_threshold == pytest.approx(engine.model.match_threshold, abs=1e-4)
    matches = _local(result.matches.select("left_id", "right_id"))
    mine = set(engine.matches.select("left_id", "right_id").iter_rows())
    theirs = set(matches.iter_rows())
    assert len(mine ^ theirs) <= 0.001 * len(mine), (len(mine), len(mine - theirs))


def test_dedupe_spark_gives_reconcile_dedupes_answers(spark, district, engine_links):
    registry = district[1]
    engine = rc.dedupe(registry, registry_profile(), model=engine_links.model)
    assert engine.matches.height > 0, "the simulation should hold registry duplicates"
    given = dedupe_spark(_frame(spark, registry), registry_profile(), model=engine.model)
    pairs = _local(given.pairs)
    joined = _compare_pairs(engine.pairs, pairs, unordered=True)
    # a record's best try depends on which side of the pair it is on: compare the plausible
    floor = registry_profile().keep_weight_above
    plausible = joined.filter(
        (pl.col("match_weight") > floor) | (pl.col("match_weight_spark") > floor)
    )
    assert plausible.height > 0
    assert plausible.null_count()["left_id"].item() == 0
    assert plausible.null_count()["left_id_spark"].item() == 0
    assert (plausible["decision"] == plausible["decision_spark"]).all()
    gap = (plausible["match_weight"] - plausible["match_weight_spark"]).abs().max()
    assert gap <= WEIGHT_TOLERANCE
    clusters = _local(given.clusters)
    same = engine.clusters.join(clusters, on="id", suffix="_spark")
    assert same.height == engine.clusters.height == clusters.height
    assert (same["cluster_id"] == same["cluster_id_spark"]).all()

    # estimated on Spark with the link's m lent, as the national run and `rc.dedupe` do
    alone = engine
    estimated = dedupe_spark(
        _frame(spark, registry), registry_profile(), base_model=engine_links.model
    )
    assert not estimated.model.training.get("reused")
    assert abs(estimated.model.lam - alone.model.lam) <= 0.05 * alone.model.lam
    found = _local(estimated.matches.select("left_id", "right_id"))
    mine = {tuple(sorted(p)) for p in alone.matches.select("left_id", "right_id").iter_rows()}
    theirs = {tuple(sorted(p)) for p in found.iter_rows()}
    assert len(mine ^ theirs) <= max(1, 0.01 * len(mine)), (len(mine), mine ^ theirs)


def book_profile() -> rc.Profile:
    from reconcile.normalise import fold

    return rc.Profile(
        id_column="book_id",
        comparisons=(
            rc.exact("isbn"),
            rc.string("title_key", name="title", levenshtein=(1, 2)),
            rc.exact("author_key", name="author", tf=True),
            rc.date("published"),
        ),
        blocking=(
            rc.block_on("isbn"),
            rc.block_on("author_key", "published"),
            rc.block_on("title_key"),
        ),
        derive={"title_key": fold("title"), "author_key": fold("author")},
        label_column="isbn",
        max_matches_per_left=1,
    )


def test_a_profile_that_is_not_about_students_runs_too(spark):
    left, right = catalogues()
    engine = rc.link(left, right, book_profile())
    result = link_spark(_frame(spark, left), _frame(spark, right), book_profile())
    found = set(_local(result.matches.select("left_id", "right_id")).iter_rows())
    assert found == set(engine.matches.select("left_id", "right_id").iter_rows())
    expected = truth(right)
    assert len(found & expected) / len(found) >= 0.98
    assert len(found & expected) / len(expected) >= 0.9
    assert _local(result.clusters).height == left.height + right.height
