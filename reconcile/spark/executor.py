"""``link_spark`` and ``dedupe_spark``: the engine's steps as Spark stages, same profile, same
answers.

block (Spark joins, :mod:`reconcile.spark.blocking`) → compare (``prepare`` and
``comparison_levels`` in the tasks) → estimate (γ pattern counts → the single machine's EM)
→ score (``pair_weights``/``probability`` per pair, competing candidates per record) → decide
(:mod:`reconcile.decide` per bucket of records) → cluster (connected components on
DataFrames, :mod:`reconcile.spark.components`).

With ``model=`` the model is used as it is, thresholds included: on the same data it gives the
pairs, weights, decisions and clusters ``reconcile.link``/``dedupe`` gave when they estimated
it. Without, it is estimated here from counts, as the single machine estimates it from its
arrays (only the random sample of pairs behind u differs). Human decisions (``overrides``) and
increments are the nightly engine's business and not taken here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from doisoat.errors import ReconcileError
from reconcile.decide import MATCH
from reconcile.messages import ENGINE_VI
from reconcile.profile import CompiledProfile, Profile, compile_profile
from reconcile.scoring import Model
from reconcile.spark import decide as spark_decide
from reconcile.spark.blocking import spark_candidate_pairs, worst_block
from reconcile.spark.compare import compared_pairs, gamma_columns, prepared, with_term_frequencies
from reconcile.spark.estimate import estimate_model, match_threshold

Progress = Callable[[str, dict[str, Any]], None]
PAIRS_PER_BUCKET = 200_000  # pairs one Python call decides at once (memory of one task)


@dataclass
class SparkLinkResult:
    """``pairs``: left_id, right_id, match_weight, match_probability, decision, gamma_<c>, w_<c>
    (as :class:`reconcile.LinkResult`); ``clusters``: id, cluster_id, cluster_size (+ side for
    a link); ``stats``: candidate_pairs, matches, blocking (per rule), seconds per stage.

    ``pairs`` and ``clusters`` are read from frames the run keeps in Spark's memory (or disk);
    :meth:`release` frees them once the caller has written or collected what it needs (many
    runs in one session otherwise fill the memory aggregations need)."""

    pairs: DataFrame
    clusters: DataFrame
    model: Model
    stats: dict[str, Any] = field(default_factory=dict)
    cached: list[DataFrame] = field(default_factory=list, repr=False)

    def release(self) -> None:
        """Unpersist the run's kept frames (``pairs``/``clusters`` stay valid, recomputed if
        read again)."""
        for frame in self.cached:
            frame.unpersist()
        self.cached.clear()

    @property
    def matches(self) -> DataFrame:
        return self.pairs.where(F.col("decision") == "match")


class _Stages:
    """Times each stage and tells ``progress`` when it starts and ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, **info: Any) -> Iterator[dict[str, Any]]:
        if self.progress:
            self.progress(name, {"event": "start", **info})
        started = time.perf_counter()
        done: dict[str, Any] = {}
        yield done
        self.seconds[name] = round(time.perf_counter() - started, 3)
        if self.progress:
            self.progress(name, {"event": "end", "seconds": self.seconds[name], **done})


def _check(frame: DataFrame, settings: CompiledProfile, what: str) -> None:
    needed = set(settings.comparison_columns) | {settings.id_column}
    for rule in settings.blocking:
        needed.update(rule.keys)
    missing = sorted(c for c in needed if c not in frame.columns)
    if missing:
        raise ReconcileError(
            f"{what} lacks columns {missing}",
            message_vi=ENGINE_VI["MISSING_COLUMNS"].format(what=what, columns=", ".join(missing)),
            details={"missing": missing},
        )


def _persisted(frame: DataFrame) -> tuple[DataFrame, int]:
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    return frame, frame.count()


def _buckets(frame: DataFrame, pairs: int) -> int:
    partitions = int(frame.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return max(partitions, pairs // PAIRS_PER_BUCKET + 1)


def _run(
    left: DataFrame,
    right: DataFrame | None,
    profile: Profile,
    model: Model | None,
    progress: Progress | None,
    base_model: Model | None = None,
) -> SparkLinkResult:
    settings = compile_profile(profile)
    stages = _Stages(progress)
    link = right is not None
    with stages.stage("preparing"):
        # prepared once (Python in the tasks), then read from memory by every later stage
        first = [prepared(left, settings)]
        first += [prepared(right, settings)] if right is not None else []
        for frame, what in zip(first, ("left", "right") if link else ("table",), strict=False):
            _check(frame, settings, what)
        first = [_persisted(frame)[0] for frame in first]
        left_p, right_p = with_term_frequencies(settings, first[0], first[1] if link else None)
        left_p, n_left = _persisted(left_p)
        counts = {"left": n_left}
        if right_p is not None:
            right_p, counts["right"] = _persisted(right_p)
        for frame in first:
            if frame is not left_p and frame is not right_p:  # no tf: the same frames
                frame.unpersist()
    other = right_p if right_p is not None else left_p
    group = settings.one_per_right_in if link else None
    groups = bool(group) and group in left_p.columns

    with stages.stage("blocking") as info:
        pairs, block_stats = spark_candidate_pairs(
            left_p, right_p, settings.blocking, id_column=settings.id_column
        )
        info["blocking"] = block_stats
    with stages.stage("comparing") as info:
        gamma = compared_pairs(pairs, left_p, other, settings, group if groups else None)
        gamma, n_pairs = _persisted(gamma)
        info["candidate_pairs"] = n_pairs
    buckets = _buckets(gamma, n_pairs)

    given = model is not None
    if model is None:
        with stages.stage("estimating"):
            model = estimate_model(
                settings, left_p, right_p, gamma, counts, base_model, block_stats
            )
    else:
        model = replace(model, training={**model.training, "reused": True})
    with stages.stage("scoring"):
        scores = spark_decide.scored(
            gamma, settings, model, link=link, groups=groups, buckets=buckets
        )
        scores, _ = _persisted(scores)
        if not given:
            model.match_threshold = (
                settings.match_threshold
                if settings.match_threshold is not None
                else match_threshold(scores, settings)
            )
            model.review_threshold = min(settings.review_threshold, model.match_threshold)
    gamma.unpersist()  # each stage's frame carries the last one's columns: keep one on disk
    with stages.stage("deciding") as info:
        decided = spark_decide.decided(
            scores, settings, model, link=link, groups=groups, buckets=buckets
        )
        decided, _ = _persisted(decided)
        scores.unpersist()
        edges = decided.where(F.col("decision") == MATCH).select(
            F.col("left_id").alias("src"), F.col("right_id").alias("dst")
        )
        n_matches = edges.count()
        info["matches"] = n_matches
    with stages.stage("clustering"):
        clusters = _clusters(settings, left_p, right_p, edges)
        clusters, _ = _persisted(clusters)
    columns = ["left_id", "right_id", "match_weight", "match_probability", "decision"]
    columns += gamma_columns(settings) + [f"w_{c.name}" for c in settings.comparisons]
    kept = spark_decide.kept(decided, settings)
    result_pairs = spark_decide.labelled_decisions(kept).select(*columns)
    for frame in (left_p, *([right_p] if right_p is not None else [])):
        frame.unpersist()  # the answers read only `decided` and `clusters` from here on
    stats = {
        "candidate_pairs": n_pairs,
        "matches": n_matches,
        "blocking": block_stats,
        "worst_block": worst_block(block_stats),
        "seconds": stages.seconds,
        "records": counts,
    }
    return SparkLinkResult(
        pairs=result_pairs, clusters=clusters, model=model, stats=stats, cached=[decided, clusters]
    )


def _clusters(
    settings: CompiledProfile, left: DataFrame, right: DataFrame | None, edges: DataFrame
) -> DataFrame:
    from reconcile.spark.components import connected_components

    idc, auth = settings.id_column, settings.authority_column

    def nodes(frame: DataFrame, side: str | None, with_authority: bool) -> DataFrame:
        authority = F.col(auth).cast("string") if auth and with_authority else F.lit(None)
        out = frame.select(
            F.col(idc).cast("string").alias("id"), authority.cast("string").alias("authority")
        )
        return out.withColumn("side", F.lit(side)) if side else out

    if right is None:
        everyone = nodes(left, None, True)
    else:
        everyone = nodes(left, "left", False).unionByName(nodes(right, "right", True))
    authority = everyone.where(F.col("authority").isNotNull()).select("id", "authority")
    found = connected_components(
        edges,
        nodes=everyone.select("id"),
        authority=authority if auth else None,
    )
    if right is None:
        return found.select("id", "cluster_id", "cluster_size")
    return found.join(everyone.select("id", "side"), on="id").select(
        "id", "cluster_id", "cluster_size", "side"
    )


def link_spark(
    left: DataFrame,
    right: DataFrame,
    profile: Profile,
    *,
    model: Model | None = None,
    base_model: Model | None = None,
    progress: Progress | None = None,
) -> SparkLinkResult:
    """Link two Spark DataFrames (vendor records → registry) with a profile.

    ``model``: use it as it is (m, u, λ and thresholds; e.g. what ``reconcile.link`` estimated
    on a province, or last night's); without it the model is estimated on Spark, keeping the m
    probabilities of ``base_model`` if given (as ``reconcile.link(model=…)`` does).
    ``progress(stage, info)`` is told when each stage starts and ends."""
    return _run(left, right, profile, model, progress, base_model)


def dedupe_spark(
    table: DataFrame,
    profile: Profile,
    *,
    model: Model | None = None,
    base_model: Model | None = None,
    progress: Progress | None = None,
) -> SparkLinkResult:
    """Find the records of one Spark DataFrame that describe the same entity.

    ``model`` is used as it is; ``base_model`` lends its m probabilities to the estimate (the
    registry has few labels of its own: the national run lends it the link's model, as
    ``reconcile.dedupe(model=links.model)`` does on one machine)."""
    return _run(table, None, profile, model, progress, base_model)
