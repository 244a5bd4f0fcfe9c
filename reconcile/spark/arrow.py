"""Polars functions run inside Spark tasks, on Arrow batches.

The Spark executor never re-implements a step of the engine: it hands Spark the engine's own
polars/numpy function and lets each task call it on a batch of rows (``mapInArrow``) or on all
the rows of a bucket of keys (``applyInArrow``). This module is the one place that turns a
``polars.DataFrame → polars.DataFrame`` function into that, output schema included: it is found
by calling the function on an empty frame of the input's schema, so a profile's derived columns
need no declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
from pyspark.sql.types import StructType

FrameFunction = Callable[[pl.DataFrame], pl.DataFrame]


def _plain(schema: pa.Schema) -> pa.Schema:
    """Arrow types Spark reads back: large and view strings as plain strings."""
    fields = []
    for field in schema:
        kind = field.type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        elif pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
            kind = pa.binary()
        elif pa.types.is_null(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind, nullable=True))
    return pa.schema(fields)


def empty_frame(schema: StructType) -> pl.DataFrame:
    """A polars frame with no rows and the columns of a Spark schema."""
    arrow = to_arrow_schema(schema, timezone="UTC")
    return pl.from_arrow(arrow.empty_table())  # type: ignore[return-value]


def output_schema(schema: StructType, function: FrameFunction) -> StructType:
    """The Spark schema of ``function``'s output on frames of ``schema``."""
    sample = function(empty_frame(schema))
    return from_arrow_schema(_plain(sample.to_arrow().schema), prefer_timestamp_ntz=True)


def to_batches(frame: pl.DataFrame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    table = frame.to_arrow().cast(schema)
    yield from table.to_batches()


def map_polars(frame: DataFrame, function: FrameFunction) -> DataFrame:
    """``mapInArrow`` of a row-wise polars function (each batch on its own)."""
    schema = output_schema(frame.schema, function)
    arrow = to_arrow_schema(schema, timezone="UTC")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from to_batches(function(pl.from_arrow(batch)), arrow)  # type: ignore[arg-type]

    return frame.mapInArrow(run, schema)


def apply_polars_by_bucket(
    frame: DataFrame, key: str, buckets: int, function: FrameFunction
) -> DataFrame:
    """Call ``function`` once per bucket of ``key`` values, with every row of those keys.

    The engine's per-record rules (best match per left record, one left record per right record)
    look at all the pairs of a record at once; hashing records into a bounded number of buckets
    gives each call whole records without one Python call per record.
    """
    bucketed = frame.withColumn("__bucket", F.pmod(F.xxhash64(key), F.lit(buckets)))
    schema = output_schema(bucketed.schema, function)
    arrow = to_arrow_schema(schema, timezone="UTC")

    def run(table: pa.Table) -> pa.Table:
        out = function(pl.from_arrow(table))  # type: ignore[arg-type]
        return out.to_arrow().cast(arrow)

    return bucketed.groupBy("__bucket").applyInArrow(run, schema)
