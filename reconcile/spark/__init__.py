"""The linkage engine's second executor: the same :class:`~reconcile.profile.Profile` run on Spark.

Blocking is Spark joins that emit id pairs; comparisons run the single-machine comparison code on
Arrow batches inside the tasks; the model is estimated from counts of comparison patterns; clusters
are connected components computed with DataFrames. ``pyspark`` is an extra (``doisoat[spark]``):
nothing outside this package imports it.
"""

from typing import TYPE_CHECKING, Any

from reconcile.spark.session import spark_session

if TYPE_CHECKING:
    from reconcile.spark.blocking import spark_candidate_pairs, worst_block
    from reconcile.spark.components import connected_components
    from reconcile.spark.executor import SparkLinkResult, dedupe_spark, link_spark

__all__ = [
    "SparkLinkResult",
    "connected_components",
    "dedupe_spark",
    "link_spark",
    "spark_candidate_pairs",
    "spark_session",
    "worst_block",
]

# names whose modules import pyspark: loaded on first use, so importing the package does not
_LAZY = {
    "spark_candidate_pairs": "reconcile.spark.blocking",
    "worst_block": "reconcile.spark.blocking",
    "connected_components": "reconcile.spark.components",
    "link_spark": "reconcile.spark.executor",
    "dedupe_spark": "reconcile.spark.executor",
    "SparkLinkResult": "reconcile.spark.executor",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
