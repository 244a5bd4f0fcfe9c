"""A Spark session for the national run: local for tests and one machine, or a cluster's master.

The executor itself never builds a session (it is handed one, as HTTP connectors are handed their
client); this is the one place that knows which settings keep a local run small and quiet, so the
command line, the benchmarks and the tests start Spark the same way.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyspark is an extra: importing this module must not need it
    from pyspark.sql import SparkSession


def spark_session(
    master: str = "local[2]",
    *,
    app_name: str = "doisoat",
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
    conf: dict[str, Any] | None = None,
) -> SparkSession:
    """Start (or join) a Spark session on ``master`` (``local[N]``, ``spark://host:7077`` …).

    Local sessions get few shuffle partitions (one per core: the default 200 makes a small run
    slow), no web UI, adaptive execution off, 4 GiB for the driver (which is the executor too),
    Arrow turned on and the session's time zone fixed to UTC so dates do not shift between
    machines. Adaptive execution is off locally because it runs every query stage as a job of
    its own: on two cores a 3 k-student link took 186 jobs (62 s) with it, 68 jobs (42 s)
    without; its skew and coalescing help a cluster, where it stays on. ``conf`` overrides any
    of these (a large local run may want ``spark.sql.shuffle.partitions`` higher).
    """
    from pyspark.sql import SparkSession

    local = master.startswith("local")
    builder = SparkSession.builder.master(master).appName(app_name)
    settings: dict[str, Any] = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.adaptive.enabled": "true",
    }
    if local:
        cores = _local_cores(master)
        settings.update(
            {
                "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "false",
                "spark.sql.shuffle.partitions": str(shuffle_partitions or max(2, cores)),
                "spark.default.parallelism": str(max(2, cores)),
                "spark.sql.adaptive.enabled": "false",
                "spark.driver.memory": driver_memory or "4g",
                "spark.sql.ansi.enabled": "false",
            }
        )
    elif shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    # the Python of the driver runs the tasks too (same polars, rapidfuzz, doisoat)
    os.environ.setdefault("PYSPARK_PYTHON", _python())
    return builder.getOrCreate()


def _local_cores(master: str) -> int:
    inside = master[len("local") :].strip("[]")
    if inside in ("", "*"):
        return os.cpu_count() or 1
    try:
        return max(1, int(inside.split(",")[0]))
    except ValueError:
        return 1


def _python() -> str:
    import sys

    return sys.executable
