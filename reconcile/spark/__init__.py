"""The linkage engine's second executor: the same :class:`~reconcile.profile.Profile` run on Spark.

Blocking is Spark joins that emit id pairs; comparisons run the single-machine comparison code on
Arrow batches inside the tasks; the model is estimated from counts of comparison patterns; clusters
are connected components computed with DataFrames. ``pyspark`` is an extra (``doisoat[spark]``):
nothing outside this package imports it.
"""

from reconcile.spark.session import spark_session

__all__ = ["spark_session"]
