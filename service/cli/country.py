"""``doisoat country``: the national run on Apache Spark (adapter over :mod:`service.country`)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli.dates import date_option


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.command("country")(country_command)


def _refuse(key: str, **values: Any) -> None:
    from doisoat.errors import ConfigError
    from service.country.messages import ERRORS

    raise ConfigError(key, message_vi=ERRORS[key].format(**values))


def _session(master: str, shuffle_partitions: int | None, driver_memory: str | None) -> Any:
    """A Spark session, or a refusal in words when pyspark or Java is missing or the master
    cannot be reached."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _refuse("no_pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _refuse("no_java")
    from reconcile.spark import spark_session

    try:
        return spark_session(
            master,
            app_name="doisoat-country",
            shuffle_partitions=shuffle_partitions,
            driver_memory=driver_memory,
        )
    except Exception as exc:  # noqa: BLE001 - Py4J/JVM start-up errors, said in words
        first = next(iter(str(exc).splitlines()), "")[:200]
        _refuse("spark_failed", master=master, problem=f"{type(exc).__name__}: {first}")


def country_command(
    data: Path = typer.Option(
        ..., "--data", help="The country's folder (records/province=PP/, manifest.json)."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Where identities/, links/, conflicts/ and the summary are written."
    ),
    master: str = typer.Option(
        "local[2]", "--master", help="Spark master: local[N], spark://HOST:7077, yarn, k8s://…"
    ),
    night: Annotated[
        dt.date | None,
        date_option("--night", help="The night the data describes; default: the manifest's."),
    ] = None,
    shuffle_partitions: int | None = typer.Option(
        None, "--shuffle-partitions", help="spark.sql.shuffle.partitions (default: 2 per core)."
    ),
    driver_memory: str | None = typer.Option(
        None, "--driver-memory", help="Driver memory in local mode (default 2g)."
    ),
) -> None:
    """Dedupe the national registry, link every province's vendor records to it, and write the
    national identities, links and identity conflicts as Parquet partitioned by province, with
    a summary for the Ministry (summary.json, summary.txt)."""
    from service.country import run_country
    from service.country.layout import check_present
    from service.country.messages import PROGRESS, STAGES

    check_present(data)  # before a JVM is started for nothing
    spark = _session(master, shuffle_partitions, driver_memory)

    def progress(stage: str, info: dict[str, Any]) -> None:
        if "seconds" not in info:
            return
        top, _, sub = stage.partition(".")
        name = f"  {STAGES.get(top, top)} › {sub}" if sub else STAGES.get(top, top)
        detail = ", ".join(f"{k}={v}" for k, v in info.items() if k != "seconds")
        seconds = f"{float(info['seconds']):.1f}".replace(".", ",")
        typer.echo(
            PROGRESS["stage"].format(
                stage=name, seconds=seconds, detail=f" ({detail})" if detail else ""
            )
        )

    try:
        result = run_country(spark, data, out, progress=progress, night=night)
    finally:
        spark.stop()
    typer.echo((out / "summary.txt").read_text(encoding="utf-8"))
    total = f"{result.summary['seconds']['total']:.1f}".replace(".", ",")
    typer.echo(PROGRESS["done"].format(seconds=total, out=out))
