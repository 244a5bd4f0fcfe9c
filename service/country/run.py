"""``run_country``: the national run, stage by stage, on a Spark session it is handed.

read → keys → link (every province's vendor records to the national registry) → registry
(the registry's own duplicates) → components → rules → write. Each stage ends with its data
materialised, so its seconds are its own (Spark is lazy: without that the last stage would carry
them all), and is reported through ``progress(stage, info)``; the executor's own sub-stages
(blocking, comparing, estimating, scoring, clustering) come through as ``link.<stage>`` and
``registry.<stage>``.

The session is the caller's (the command line starts one with :func:`reconcile.spark.spark_session`,
a notebook on a cluster passes its own); nothing here stops it.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from doisoat.errors import ReconcileError
from doisoat.model import REGISTRY_SOURCE
from reconcile import Model, registry_profile, student_profile, with_keys
from service.country import report
from service.country.conflicts import (
    carried_columns,
    conflict_components,
    national_rules,
)
from service.country.layout import (
    PROVINCE,
    output_dir,
    read_manifest,
    read_records_spark,
)
from service.country.messages import ERRORS
from service.country.rules import PART_CONFLICT, PART_IDENTITY

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from reconcile.spark import SparkLinkResult

Progress = Callable[[str, dict[str, Any]], None]

SCRATCH = "_work"  # under the output folder: each linkage's answers while the run goes on


@dataclass
class CountryRun:
    out: Path
    summary: dict[str, Any]


class _Stages:
    """Times each stage and tells ``progress`` when it ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str, info: dict[str, Any] | None = None) -> Iterator[dict]:
        started = time.perf_counter()
        detail = dict(info or {})
        yield detail
        self.seconds[stage] = round(time.perf_counter() - started, 2)
        if self.progress is not None:
            self.progress(stage, {"seconds": self.seconds[stage], **detail})

    def sub(self, prefix: str) -> Progress | None:
        if self.progress is None:
            return None
        progress = self.progress
        return lambda stage, info: progress(f"{prefix}.{stage}", info)


def keyed_records(records: DataFrame) -> DataFrame:
    """``reconcile.with_keys`` on Arrow batches inside the tasks: the repaired identity code
    (``code_key``, ``code_status``) and personal ID (``pid_key``) the profiles compare."""
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StringType, StructField, StructType

    keys = ("code_key", "code_status", "pid_key")
    added = [StructField(c, StringType()) for c in keys]
    schema = StructType([f for f in records.schema.fields if f.name not in keys] + added)
    arrow_schema = to_arrow_schema(schema)
    names = schema.fieldNames()

    def batches(incoming: Iterator[Any]) -> Iterator[Any]:
        for batch in incoming:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            table = with_keys(frame).select(names).to_arrow().cast(arrow_schema)
            yield from table.to_batches()

    return records.mapInArrow(batches, schema)


def run_country(
    spark: SparkSession,
    root: Path,
    out: Path,
    *,
    progress: Progress | None = None,
    link_model: Model | None = None,
    registry_model: Model | None = None,
    night: dt.date | None = None,
    grace_days: int | None = None,
) -> CountryRun:
    """Link, dedupe and check the whole country; write identities, links, conflicts and the
    summary under ``out``.

    ``link_model``/``registry_model``: models to use as they are (an earlier run's, or the
    single-machine run's when the two are compared); otherwise Spark estimates them (the
    registry's keeping the link model's m probabilities, as :func:`run_single` does). ``night``:
    the day the data describes (default: the manifest's), which the transfer rules count from.
    """
    from reconcile.spark import dedupe_spark, link_spark

    root, out = Path(root), Path(out)
    started = time.perf_counter()
    stage = _Stages(progress)
    manifest = read_manifest(root)
    night = night or manifest.night or dt.date.today()
    with stage("read") as info:
        records = read_records_spark(spark, root)
    with stage("keys") as info:
        keyed = keyed_records(records).persist()
        counts = _counts(keyed, root)
        info.update(records=sum(counts["records"].values()))
    vendor = keyed.filter(keyed.source != REGISTRY_SOURCE)
    registry = keyed.filter(keyed.source == REGISTRY_SOURCE)
    scratch = out / SCRATCH
    with stage("link") as info:
        links = link_spark(
            vendor, registry, student_profile(), model=link_model, progress=stage.sub("link")
        )
        links = _settled(links, scratch / "link")
        info.update(candidate_pairs=links.stats.get("candidate_pairs"))
    with stage("registry") as info:
        duplicates = dedupe_spark(
            registry,
            registry_profile(),
            model=registry_model,
            # the registry has few labels: it borrows the link's m, as run_single does
            base_model=None if registry_model is not None else links.model,
            progress=stage.sub("registry"),
        )
        duplicates = _settled(duplicates, scratch / "registry")
        info.update(candidate_pairs=duplicates.stats.get("candidate_pairs"))
    with stage("components") as info:
        carried = carried_columns(keyed, links.clusters, duplicates.clusters, links.pairs)
        components, joining_edges = conflict_components(carried)
        rows = carried.join(components, on="record_id").persist()
        info.update(joining_edges=joining_edges, records=rows.count())
    with stage("rules") as info:
        found = national_rules(
            rows,
            link_model=links.model,
            registry_model=duplicates.model,
            night=night,
            grace_days=grace_days,
            total_records=sum(counts["records"].values()),
        ).persist()
        info.update(rows=found.count())
    with stage("write") as info:
        facts = _write(found, links.pairs, duplicates.pairs, keyed, out)
        info.update(conflicts=facts["conflicts"]["total"])
    for frame in (found, rows, keyed):
        frame.unpersist()
    shutil.rmtree(scratch, ignore_errors=True)
    summary = report.summary(
        night=night,
        manifest=manifest,
        counts=counts,
        facts=facts,
        stats={
            "link": _stats(links.stats, links.model),
            "registry": _stats(duplicates.stats, duplicates.model),
            "joining_edges": joining_edges,
        },
        seconds={**stage.seconds, "total": round(time.perf_counter() - started, 2)},
        master=str(spark.sparkContext.master),
    )
    report.write(summary, out)
    return CountryRun(out, summary)


def _settled(result: SparkLinkResult, where: Path) -> SparkLinkResult:
    """The linkage's answers written to ``where`` and read back, its own frames let go.

    ``pairs`` and ``clusters`` otherwise keep the whole lineage of the linkage alive, and with it
    every shuffle file it wrote (blocking, comparing, scoring, each round of the connected
    components): Spark deletes a shuffle's files only once nothing refers to it, so a national
    run's local disk would hold the link's shuffles through the registry's and beyond (11.6 GB at
    1 M students, more than the free disk at 5 M). Read back from Parquet, the answers have no
    lineage; the old frames are dropped and both garbage collectors run, so Spark's cleaner can
    delete their shuffles before the next linkage writes its own.
    """
    spark = result.pairs.sparkSession
    read = {}
    for name, frame in (("pairs", result.pairs), ("clusters", result.clusters)):
        frame.write.mode("overwrite").parquet(str(where / name))
        read[name] = spark.read.parquet(str(where / name))
    result.release()
    settled = replace(result, pairs=read["pairs"], clusters=read["clusters"], cached=[])
    del result
    _collect_garbage(spark)
    return settled


def _collect_garbage(spark: SparkSession) -> None:
    """Python's collector drops the JVM objects of frames no longer referred to, the JVM's then
    lets Spark's cleaner see their shuffles and cached blocks as unreachable."""
    gc.collect()
    jvm = spark.sparkContext._jvm
    if jvm is not None:
        jvm.System.gc()


def _counts(keyed: DataFrame, root: Path) -> dict[str, dict[str, int]]:
    """Records per province and source kind; refuses a country without both kinds."""
    from pyspark.sql import functions as F

    kind = F.when(F.col("source") == REGISTRY_SOURCE, "registry").otherwise("vendor")
    rows = keyed.groupBy(PROVINCE, kind.alias("kind")).count().collect()
    out: dict[str, dict[str, int]] = {"records": {}, "registry": {}, "vendor": {}}
    for row in rows:
        out[row["kind"]][row[PROVINCE]] = row["count"]
        out["records"][row[PROVINCE]] = out["records"].get(row[PROVINCE], 0) + row["count"]
    for kind_name, error in (("registry", "no_registry"), ("vendor", "no_vendor")):
        if not out[kind_name]:
            raise ReconcileError(
                f"the country has no {kind_name} records",
                message_vi=ERRORS[error].format(root=root),
            )
    return out


def _stats(stats: dict[str, Any], model: Model) -> dict[str, Any]:
    keep = ("candidate_pairs", "matches", "blocking", "worst_block", "seconds")
    return {
        **{k: stats[k] for k in keep if k in stats},
        "match_threshold": model.match_threshold,
        "review_threshold": model.review_threshold,
    }


def _write(
    found: DataFrame, pairs: DataFrame, registry_pairs: DataFrame, keyed: DataFrame, out: Path
) -> dict[str, Any]:
    """Write the three datasets (partitioned by province) and count what the summary says."""
    from pyspark.sql import functions as F

    identities = found.filter(F.col("part") == PART_IDENTITY).select(
        "record_id", "identity_id", "moet_code", PROVINCE
    )
    conflicts = (
        found.filter(F.col("part") == PART_CONFLICT)
        .drop("part", "record_id", "identity_id", "moet_code")
        .withColumn("cross_province", F.size("provinces") > 1)
    )
    where = keyed.select(F.col("record_id").alias("left_id"), PROVINCE)
    link_columns = ["left_id", "right_id", "match_weight", "match_probability", "decision"]

    def kept(frame: DataFrame, kind: str) -> DataFrame:
        # cut from the linkage's long lineage (see ``carried_columns``)
        return (
            frame.filter(F.col("decision") != "non-match")
            .select(*link_columns)
            .withColumn("kind", F.lit(kind))
            .localCheckpoint()
        )

    links = (
        kept(pairs, "vendor_registry")
        .unionByName(kept(registry_pairs, "registry_duplicate"))
        .join(where, on="left_id", how="left")
        .select("kind", *link_columns, PROVINCE)
        .persist()
    )
    for name, frame in (("identities", identities), ("conflicts", conflicts), ("links", links)):
        frame.write.mode("overwrite").partitionBy(PROVINCE).parquet(output_dir(out, name))
    by_type = conflicts.groupBy(PROVINCE, "type", "cross_province").count().collect()
    link_counts = links.groupBy("kind", "decision").count().collect()
    facts = {
        "identities": identities.select("identity_id").distinct().count(),
        "conflicts": report.conflict_counts(by_type),
        "links": {f"{r['kind']}:{r['decision']}": r["count"] for r in link_counts},
    }
    links.unpersist()
    return facts
