"""The national run: every province's records on Apache Spark, with the night's own rules.

``run_country(spark, root, out)`` reads the country's Parquet (:mod:`service.country.layout`),
dedupes the national registry and links every province's vendor records to it with the same
profiles a province's night uses (``reconcile.spark``: another executor for the same
``Profile``), runs the night's identity and transfer rules on groups of whole conflict
components inside Spark (:mod:`service.country.conflicts`), and writes identities, links and
conflicts back as Parquet partitioned by province, with a summary. ``run_single`` is the same on
one machine: the yardstick.
"""

from service.country.run import CountryRun, run_country
from service.country.single import SingleRun, run_single, run_single_from

__all__ = ["CountryRun", "SingleRun", "run_country", "run_single", "run_single_from"]
