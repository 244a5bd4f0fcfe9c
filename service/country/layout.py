"""The country's Parquet, as the national run reads and writes it.

Read (written by ``doisoat simulate --country`` or ``doisoat export``, see :mod:`simulate.country`
for the contract)::

    <root>/manifest.json                       provinces, night, …
    <root>/records/province=PP/part-*.parquet  canonical student records (source = moet: registry)

Written by the national run::

    <out>/identities/province=PP/   record_id, identity_id, moet_code
    <out>/links/province=PP/        kind (vendor_registry | registry_duplicate), left_id,
                                    right_id, match_weight, match_probability, decision
                                    (matches and pairs for review; PP: the left record's)
    <out>/conflicts/province=PP/    the conflict table's columns (conflict_id, type, severity,
                                    school_code, record_ids, evidence, suggested_fix,
                                    message_vi) + provinces (every province its records are in)
                                    + cross_province; PP: the province of its school
    <out>/summary.json, <out>/summary.txt (Vietnamese, for the Ministry's officer)

``PP`` stays text (``01`` is Hà Nội, not 1): Spark's partition type inference is turned off while
reading, polars is given the partition's type.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from doisoat.errors import ConfigError, ReconcileError
from service.country.messages import ERRORS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PROVINCE = "province"
RECORDS = "records"
OUTPUTS = ("identities", "links", "conflicts")
REQUIRED = (
    "record_id",
    "source",
    "snapshot_id",
    "school_code",
    "local_id",
    "moet_code",
    "family_name",
    "middle_name",
    "given_name",
    "full_name",
    "dob",
    "status",
)


@dataclass(frozen=True)
class Manifest:
    night: dt.date | None
    provinces: dict[str, str]  # code → name, as the manifest lists them
    raw: dict[str, Any]


def records_dir(root: Path) -> Path:
    return Path(root) / RECORDS


def read_manifest(root: Path) -> Manifest:
    """The manifest's night and provinces; a country without one (hand-made Parquet) has
    neither, and the run is told the night instead."""
    path = Path(root) / "manifest.json"
    if not path.exists():
        return Manifest(None, {}, {})
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        night = dt.date.fromisoformat(raw["night"]) if raw.get("night") else None
        provinces = {p["code"]: p.get("name", p["code"]) for p in raw.get("provinces", [])}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"unreadable manifest {path}: {exc}",
            message_vi=ERRORS["bad_manifest"].format(root=root, problem=exc),
        ) from exc
    return Manifest(night, provinces, raw)


def check_present(root: Path) -> None:
    """Refuse, in words, a folder that holds no country."""
    folder = records_dir(root)
    if not folder.is_dir() or not any(folder.glob("province=*/*.parquet")):
        raise ReconcileError(
            f"no country records under {folder}",
            message_vi=ERRORS["no_data"].format(root=root),
        )


def check_columns(columns: list[str], root: Path) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ReconcileError(
            f"country records lack columns {missing}",
            message_vi=ERRORS["missing_columns"].format(root=root, columns=", ".join(missing)),
            details={"missing": missing},
        )


def read_records_polars(root: Path) -> pl.DataFrame:
    """Every record of the country in one polars frame (the single-machine run)."""
    check_present(root)
    pattern = str(records_dir(root) / "province=*" / "*.parquet")
    records = pl.read_parquet(pattern, hive_partitioning=True, hive_schema={PROVINCE: pl.String})
    check_columns(records.columns, root)
    return records


def read_records_spark(spark: SparkSession, root: Path) -> DataFrame:
    """Every record of the country as a Spark DataFrame with ``province`` as text."""
    check_present(root)
    records = read_partitioned(spark, str(records_dir(root)))
    check_columns(records.columns, root)
    return records


def read_partitioned(spark: SparkSession, path: str) -> DataFrame:
    """A dataset partitioned by province, its ``province`` kept as text."""
    key = "spark.sql.sources.partitionColumnTypeInference.enabled"
    before = spark.conf.get(key, "true")
    spark.conf.set(key, "false")
    try:
        frame = spark.read.parquet(path)
        frame.schema  # noqa: B018 - the partitions are resolved while inference is off
    finally:
        spark.conf.set(key, before or "true")
    return frame


def output_dir(out: Path, dataset: str) -> str:
    return str(Path(out) / dataset)
