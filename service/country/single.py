"""The national run on one machine: the yardstick the Spark run is held to.

The same steps as a province's night (:func:`reconcile.link` of vendor records to the registry,
:func:`reconcile.dedupe` of the registry with the link's model, the identity and transfer rules)
on the whole country's records at once. It is what the tests compare the Spark run with, and
what the benchmark puts beside it to say what Spark costs on one machine; a small country (or a
large machine) can use it as it is.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from reconcile import (
    LinkResult,
    Model,
    dedupe,
    identity_conflicts,
    link,
    person_identities,
    registry_profile,
    student_profile,
    with_keys,
)
from service.country.layout import PROVINCE, read_records_polars
from service.country.rules import transfers


@dataclass
class SingleRun:
    identities: pl.DataFrame  # record_id, identity_id, moet_code
    conflicts: pl.DataFrame  # the conflict table's columns
    links: LinkResult  # vendor → registry
    registry_links: LinkResult  # the registry's duplicates
    seconds: dict[str, float] = field(default_factory=dict)


def run_single(
    records: pl.DataFrame,
    *,
    night: dt.date,
    link_model: Model | None = None,
    registry_model: Model | None = None,
    grace_days: int | None = None,
) -> SingleRun:
    """Link, dedupe, name identities and find identity and transfer conflicts, on one machine.

    Records are taken in ``record_id`` order (as the Spark run hands them to the rules).
    ``link_model``/``registry_model``: an earlier run's models, whose m probabilities are kept
    (as a province's night borrows them); without them both are estimated here.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    keyed = with_keys(records.sort("record_id"))
    vendor = keyed.filter(pl.col("source") != REGISTRY_SOURCE)
    registry = keyed.filter(pl.col("source") == REGISTRY_SOURCE)
    seconds["keys"] = time.perf_counter() - started
    started = time.perf_counter()
    links = link(vendor, registry, student_profile(), model=link_model)
    seconds["link"] = time.perf_counter() - started
    started = time.perf_counter()
    registry_links = dedupe(registry, registry_profile(), model=registry_model or links.model)
    seconds["dedupe"] = time.perf_counter() - started
    started = time.perf_counter()
    identities = person_identities(links, registry_links, vendor, registry)
    canonical = keyed.drop("code_key", "code_status", "pid_key", PROVINCE, strict=False)
    conflicts = pl.concat(
        [
            identity_conflicts(vendor, registry, links, registry_links),
            transfers(canonical, identities, night=night, grace_days=grace_days),
        ],
        how="vertical",
    ).unique(subset="conflict_id", keep="first", maintain_order=True)
    seconds["rules"] = time.perf_counter() - started
    return SingleRun(identities, conflicts, links, registry_links, seconds)


def run_single_from(root: Path, *, night: dt.date | None = None, **options) -> SingleRun:
    """:func:`run_single` on a country's Parquet (the night of its manifest by default)."""
    from service.country.layout import read_manifest

    records = read_records_polars(root)
    night = night or read_manifest(root).night or dt.date.today()
    return run_single(records, night=night, **options)
