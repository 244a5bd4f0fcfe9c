"""What the last committed night knew, and what has changed since: the inputs of an
incremental identity step (:mod:`reconcile.increment`).

A record is the same record from night to night by its stable key (``doisoat.model.STABLE_KEY``:
source, school, local id); its record id changes with every snapshot. It *changed* when any field
the student profile compares differs from last night's. The last night's plausible pairs (the
``link`` table) and its registry duplicates (registry records of one identity) are carried to
tonight's ids and scored again; only changed records are blocked anew. A model older than
``MAX_MODEL_AGE_DAYS`` nights, a profile with other comparisons, or a night where more than
``MAX_CHANGED_SHARE`` of the records changed makes the night match everything again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from doisoat.model import REGISTRY_SOURCE, STABLE_KEY, stable_key_expr
from doisoat.store import queries
from reconcile.increment import Increment
from reconcile.scoring import Model

COMPARED = (
    "moet_code",
    "personal_id",
    "family_name",
    "middle_name",
    "given_name",
    "dob",
    "gender",
    "school_code",
    "grade",
    "class_name",
    "father_name",
    "mother_name",
)
MAX_CHANGED_SHARE = 0.5
MAX_MODEL_AGE_DAYS = 7


@dataclass(frozen=True)
class PreviousNight:
    night: dt.date
    link_model: Model
    registry_model: Model
    learned_on: dt.date
    records: pl.DataFrame  # record_id, key, fingerprint (last night's)
    links: pl.DataFrame  # left_id, right_id
    identities: pl.DataFrame  # record_id, identity_id


def _fingerprinted(records: pl.DataFrame) -> pl.DataFrame:
    present = [c for c in COMPARED if c in records.columns]
    return records.select(
        "record_id",
        "source",
        stable_key_expr().alias("key"),
        pl.struct(present).hash(seed=11).alias("fingerprint"),
    )


def previous_night(engine: Engine, night: dt.date) -> PreviousNight | None:
    """The last committed run before ``night`` with stored models, or None (match everything)."""
    runs = queries.committed_runs_before(engine, night)
    if runs.height == 0:
        return None
    last = runs.row(0, named=True)
    models = json.loads(last["summary"] or "{}").get("identity", {}).get("models")
    if not models:
        return None
    learned_on = dt.date.fromisoformat(models["learned_on"])
    if (night - learned_on).days > MAX_MODEL_AGE_DAYS:
        return None
    records = queries.identified_records(
        engine, columns=["record_id", *STABLE_KEY, *(c for c in COMPARED if c not in STABLE_KEY)]
    )
    if records.height == 0:
        return None
    return PreviousNight(
        night=last["night"],
        link_model=Model.from_dict(models["link"]),
        registry_model=Model.from_dict(models["registry"]),
        learned_on=learned_on,
        records=_fingerprinted(records),
        links=queries.stored_links(engine),
        identities=queries.stored_identities(engine),
    )


def _to_tonight(pairs: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """Last night's (left_id, right_id) pairs under tonight's record ids."""
    return (
        pairs.join(ids.rename({"old_id": "left_id", "record_id": "new_left"}), on="left_id")
        .join(ids.rename({"old_id": "right_id", "record_id": "new_right"}), on="right_id")
        .select(pl.col("new_left").alias("left_id"), pl.col("new_right").alias("right_id"))
    )


def increments(
    vendor: pl.DataFrame, registry: pl.DataFrame, previous: PreviousNight | None
) -> tuple[Increment | None, Increment | None, dict[str, int]]:
    """The link and registry-dedupe increments of tonight, or (None, None) for a full run."""
    if previous is None:
        return None, None, {}
    tonight = _fingerprinted(pl.concat([vendor, registry], how="diagonal_relaxed"))
    old = previous.records.select(
        pl.col("record_id").alias("old_id"), "key", pl.col("fingerprint").alias("old_fp")
    )
    matched = tonight.join(old, on="key", how="left")
    changed = matched.filter(
        pl.col("old_id").is_null() | (pl.col("fingerprint") != pl.col("old_fp"))
    )
    stats = {"records": tonight.height, "changed_records": changed.height}
    if changed.height > MAX_CHANGED_SHARE * max(tonight.height, 1):
        return None, None, stats
    ids = matched.filter(pl.col("old_id").is_not_null()).select("old_id", "record_id")
    changed_vendor = changed.filter(pl.col("source") != REGISTRY_SOURCE)["record_id"]
    changed_registry = changed.filter(pl.col("source") == REGISTRY_SOURCE)["record_id"]
    link = Increment(
        model=previous.link_model,
        changed_left=changed_vendor,
        changed_right=changed_registry,
        carried=_to_tonight(previous.links, ids),
    )
    groups = previous.identities.join(
        ids.select(pl.col("old_id").alias("record_id"), pl.col("record_id").alias("new_id")),
        on="record_id",
    ).filter(pl.col("new_id").is_in(registry["record_id"].implode()))
    same = groups.join(groups, on="identity_id", suffix="_b").filter(
        pl.col("new_id") < pl.col("new_id_b")
    )
    dedupe = Increment(
        model=previous.registry_model,
        changed_left=changed_registry,
        carried=same.select(
            pl.col("new_id").alias("left_id"), pl.col("new_id_b").alias("right_id")
        ),
    )
    return link, dedupe, stats
