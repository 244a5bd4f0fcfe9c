"""Prepared frames, term frequencies and comparison vectors on Spark, by the engine's own code.

``prepare`` (the profile's derived columns and name keys) and ``comparison_levels`` (polars and
``rapidfuzz.process.cpdist``) run inside the tasks on Arrow batches: a candidate pair's two rows
are joined side by side (``l__``/``r__`` columns), each batch is split back into a left and a
right frame, and row *i* is compared with row *i*. Term frequencies are the share of each value
among both sides' non-null values, as :func:`reconcile.engine._add_term_frequencies` computes
them, from a ``groupBy`` count.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from reconcile.compare import comparison_levels, prepare, tf_key
from reconcile.profile import Comparison, CompiledProfile
from reconcile.spark.arrow import map_polars

LEFT, RIGHT = "l__", "r__"
_NAME_PARTS = ("exact", "fold", "family", "given", "sorted", "initials")


def tf_column(comp: Comparison) -> str:
    return f"__tf_{comp.name}"


def prepared(frame: DataFrame, settings: CompiledProfile) -> DataFrame:
    """The profile's derived columns and comparison keys, added batch by batch."""
    return map_polars(frame, lambda batch: prepare(batch, settings))


def with_term_frequencies(
    settings: CompiledProfile, left: DataFrame, right: DataFrame | None
) -> tuple[DataFrame, DataFrame | None]:
    """Attach ``__tf_<comparison>`` (value count / non-null values of both sides) to each side."""
    for comp in settings.comparisons:
        if not comp.tf:
            continue
        key = tf_key(comp)
        sides = [left] + ([right] if right is not None else [])
        values = None
        for side in sides:
            part = side.select(F.col(key).cast("string").alias("__key")).where("__key IS NOT NULL")
            values = part if values is None else values.unionAll(part)
        assert values is not None
        total = max(values.count(), 1)
        freq = (
            values.groupBy("__key")
            .count()
            .select("__key", (F.col("count") / F.lit(total)).alias(tf_column(comp)))
        )

        def attach(frame: DataFrame, key: str = key, freq: DataFrame = freq) -> DataFrame:
            keyed = frame.withColumn("__key", F.col(key).cast("string"))
            return keyed.join(freq, on="__key", how="left").drop("__key")

        left = attach(left)
        right = attach(right) if right is not None else None
    return left, right


def compared_columns(settings: CompiledProfile) -> list[str]:
    """The prepared columns a pair's comparison reads (per side)."""
    out: list[str] = []
    for comp in settings.comparisons:
        if comp.kind == "name":
            out += [f"__{comp.name}_{part}" for part in _NAME_PARTS]
        else:
            out += list(comp.columns)
        if comp.tf:
            out.append(tf_column(comp))
    if settings.label_column:
        out.append(settings.label_column)
    return list(dict.fromkeys(out))


def side_by_side(
    pairs: DataFrame,
    left: DataFrame,
    right: DataFrame,
    settings: CompiledProfile,
    extra_left: tuple[str, ...] = (),
) -> DataFrame:
    """``pairs`` [left_id, right_id] with each side's compared columns (``l__``/``r__``)."""
    columns = compared_columns(settings)
    idc = settings.id_column

    def side(frame: DataFrame, prefix: str, id_name: str, extra: tuple[str, ...]) -> DataFrame:
        wanted = list(dict.fromkeys([*columns, *extra]))
        return frame.select(
            F.col(idc).cast("string").alias(id_name),
            *[F.col(c).alias(prefix + c) for c in wanted],
        )

    joined = pairs.join(side(left, LEFT, "left_id", extra_left), on="left_id")
    return joined.join(side(right, RIGHT, "right_id", ()), on="right_id")


def gamma_columns(settings: CompiledProfile) -> list[str]:
    return [f"gamma_{c.name}" for c in settings.comparisons]


def comparison_function(settings: CompiledProfile, group_column: str | None):
    """The batch function: γ per comparison, the pair's term frequency (the larger side's, as
    the engine takes it) per tf comparison, whether the label says match, and the left record's
    group (``one_per_right_in``)."""
    columns = compared_columns(settings)

    def compare(batch: pl.DataFrame) -> pl.DataFrame:
        left = batch.select([pl.col(LEFT + c).alias(c) for c in columns])
        right = batch.select([pl.col(RIGHT + c).alias(c) for c in columns])
        index = np.arange(batch.height)
        # a task is one core: its batch is compared on its own thread
        gamma = comparison_levels(settings, left, right, index, index, workers=1)
        out = [batch["left_id"], batch["right_id"]]
        out += [
            pl.Series(f"gamma_{c.name}", gamma[:, k], dtype=pl.Int8)
            for k, c in enumerate(settings.comparisons)
        ]
        for comp in settings.comparisons:
            if comp.tf:
                col = tf_column(comp)
                tf = np.fmax(left[col].to_numpy(), right[col].to_numpy())
                out.append(pl.Series(col, tf, dtype=pl.Float64))
        label = settings.label_column
        if label:
            same = (left[label] == right[label]).fill_null(False)
            out.append(same.alias("__labelled"))
        else:
            out.append(pl.Series("__labelled", [False] * batch.height, dtype=pl.Boolean))
        if group_column:
            out.append(batch[LEFT + group_column].cast(pl.Utf8).fill_null("").alias("__group"))
        return pl.DataFrame(out)

    return compare


def compared_pairs(
    pairs: DataFrame,
    left: DataFrame,
    right: DataFrame,
    settings: CompiledProfile,
    group_column: str | None = None,
) -> DataFrame:
    """[left_id, right_id, gamma_<c>…, __tf_<c>…, __labelled(, __group)] for ``pairs``."""
    extra = (group_column,) if group_column else ()
    joined = side_by_side(pairs, left, right, settings, extra)
    return map_polars(joined, comparison_function(settings, group_column))
