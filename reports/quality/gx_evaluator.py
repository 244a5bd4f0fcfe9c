"""The Great Expectations evaluator: one ephemeral context, one validation per frame.

GX is imported here only, and lazily (it takes seconds to import). Its per-row answers come back
through ``unexpected_index_list`` with the group column attached, so one validation of a source's
whole frame yields the counts of every snapshot in it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import polars as pl

from doisoat.errors import ConfigError, ErrorContext
from reports.quality.columnar import EXAMPLES_PER_GROUP
from reports.quality.suites import ExpectationSpec

log = logging.getLogger(__name__)


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def evaluate_all(
    frame: pl.DataFrame, specs: list[ExpectationSpec], group_col: str, suite_name: str
) -> dict[str, pl.DataFrame]:
    """Run ``specs`` with GX on ``frame``; per spec name, the per-group counts and examples."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    if not specs:
        return {}
    context = _context()
    asset = context.data_sources.add_pandas("doisoat").add_dataframe_asset("frame")
    batch = asset.add_batch_definition_whole_dataframe("whole")
    suite = gx.ExpectationSuite(
        name=suite_name,
        expectations=[
            ExpectationConfiguration(type=s.type, kwargs=s.gx_kwargs()).to_domain_obj()
            for s in specs
        ],
    )
    suite = context.suites.add(suite)
    # GX answers in its own order: match answers to expectations by the ids it gave them.
    spec_of = {e.id: spec for e, spec in zip(suite.expectations, specs, strict=True)}
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite_name}-run", data=batch, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame.to_pandas()},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [group_col],
            "partial_unexpected_count": EXAMPLES_PER_GROUP,
        },
    )
    out: dict[str, pl.DataFrame] = {}
    for item in result.results:
        spec = spec_of[item.expectation_config.id]
        info = item.exception_info or {}
        if info.get("raised_exception") or (info and "raised_exception" not in info):
            raise ConfigError(
                f"Great Expectations could not evaluate {spec.name}: {info}",
                context=ErrorContext(column=",".join(spec.columns)),
            )
        out[spec.name] = _per_group(spec, item.result.get("unexpected_index_list") or [], group_col)
    return out


def _per_group(spec: ExpectationSpec, index_list: list[dict], group_col: str) -> pl.DataFrame:
    counts: dict[Any, int] = defaultdict(int)
    examples: dict[Any, list[str]] = defaultdict(list)
    cols = spec.columns
    for row in index_list:
        group = _plain(row.get(group_col))
        counts[group] += 1
        if len(examples[group]) < EXAMPLES_PER_GROUP:
            values = [_text(row.get(c)) for c in cols]
            examples[group].append(values[0] if len(values) == 1 else " | ".join(values))
    groups = list(counts)
    return pl.DataFrame(
        {
            group_col: groups,
            "unexpected_count": [counts[g] for g in groups],
            "examples": [examples[g] for g in groups],
        },
        schema_overrides={"unexpected_count": pl.Int64, "examples": pl.List(pl.String)},
        strict=False,
    )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _text(value: Any) -> str:
    if value is None:
        return "∅"
    try:
        import pandas as pd

        if pd.isna(value):
            return "∅"
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
    except (TypeError, ValueError):
        pass
    value = _plain(value)
    return str(value)
