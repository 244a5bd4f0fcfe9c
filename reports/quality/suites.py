"""Expectation suites as files a district can tune: Great Expectations' own JSON format.

A suite file is what ``ExpectationSuite.to_json_dict()`` writes: ``name``, ``meta`` and a list of
``expectations`` (``type``, ``kwargs``, ``meta``, ``severity``). ``severity: "critical"`` means a
failure keeps the snapshot out of the night; ``"warning"`` / ``"info"`` are only reported.
``meta.description_vi`` says in Vietnamese what the expectation checks.

Where suites are looked up: the directory named by ``DOISOAT_SUITES_DIR`` (a district's tuned
copies), then the suites shipped in this package. Student records of a source use
``<source>.json``; other tables use ``<source>.<table>.json``, then ``<table>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from doisoat.errors import ConfigError, ErrorContext
from reports import messages

PACKAGE_SUITES = Path(__file__).resolve().parent.parent / "suites"

# The expectation types both engines evaluate (Great Expectations and the columnar fast path).
SUPPORTED_TYPES = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_column_to_exist",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_unique",
    }
)
TABLE_TYPES = frozenset({"expect_table_columns_to_match_set", "expect_column_to_exist"})


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as the suite file states it."""

    type: str
    kwargs: dict[str, Any]
    critical: bool
    description_vi: str
    label: str = ""

    @property
    def columns(self) -> list[str]:
        if "column_list" in self.kwargs:
            return list(self.kwargs["column_list"])
        if "column" in self.kwargs:
            return [self.kwargs["column"]]
        return []

    @property
    def name(self) -> str:
        """A readable, stable name: ``type(column)``; what the results table stores."""
        if self.label:
            return self.label
        target = ",".join(self.columns)
        return f"{self.type}({target})" if target else self.type

    @property
    def mostly(self) -> float | None:
        value = self.kwargs.get("mostly")
        return None if value is None else float(value)

    @property
    def is_table_level(self) -> bool:
        return self.type in TABLE_TYPES

    def gx_kwargs(self) -> dict[str, Any]:
        """kwargs for Great Expectations; ISO dates in bounds become datetimes so they compare
        with pandas timestamps (GX would otherwise keep a ``date`` and fail the comparison)."""
        out = dict(self.kwargs)
        for key in ("min_value", "max_value"):
            value = out.get(key)
            if isinstance(value, str):
                out[key] = dt.datetime.fromisoformat(value)
        return out


@dataclass(frozen=True)
class Suite:
    name: str
    source: str
    table: str
    expectations: tuple[ExpectationSpec, ...]
    path: Path | None = None

    @property
    def required_columns(self) -> list[str]:
        cols: list[str] = []
        for spec in self.expectations:
            cols.extend(c for c in spec.columns if c not in cols)
            if spec.type == "expect_table_columns_to_match_set":
                cols.extend(c for c in spec.kwargs.get("column_set", []) if c not in cols)
        return cols


def suite_from_dict(
    data: dict[str, Any], *, source: str, table: str, path: Path | None = None
) -> Suite:
    name = str(data.get("name") or f"{source}.{table}")

    def invalid(reason: str) -> ConfigError:
        return ConfigError(
            f"quality suite {name!r} is invalid: {reason}",
            message_vi=messages.SUITE_INVALID.format(suite=name, reason=reason),
            context=ErrorContext(source=source, file=str(path) if path else None),
        )

    raw = data.get("expectations")
    if not isinstance(raw, list):
        raise invalid("'expectations' must be a list")
    specs: list[ExpectationSpec] = []
    for item in raw:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in SUPPORTED_TYPES:
            raise invalid(f"unsupported expectation type {kind!r}")
        kwargs = item.get("kwargs")
        if not isinstance(kwargs, dict):
            raise invalid(f"{kind}: 'kwargs' must be an object")
        severity = str(item.get("severity", "critical")).lower()
        if severity not in ("critical", "warning", "info"):
            raise invalid(f"{kind}: severity must be critical, warning or info")
        meta = item.get("meta") or {}
        spec = ExpectationSpec(
            type=kind,
            kwargs=kwargs,
            critical=severity == "critical",
            description_vi=str(meta.get("description_vi") or messages.EXPECTATIONS[kind]),
        )
        taken = {s.name for s in specs}
        if spec.name in taken:  # the same check twice (e.g. a warning and a critical threshold)
            spec = replace(spec, label=f"{spec.name}[{severity},{kwargs.get('mostly', 1)}]")
            if spec.name in taken:
                raise invalid(f"{spec.name} appears twice")
        specs.append(spec)
    return Suite(name=name, source=source, table=table, expectations=tuple(specs), path=path)


def suite_path(source: str, table: str = "student_record", directory: Path | None = None) -> Path:
    names = [f"{source}.json"] if table == "student_record" else []
    names += [f"{source}.{table}.json", f"{table}.json"]
    dirs = [directory] if directory else []
    env = os.environ.get("DOISOAT_SUITES_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(PACKAGE_SUITES)
    for folder in dirs:
        for name in names:
            candidate = Path(folder) / name
            if candidate.is_file():
                return candidate
    raise ConfigError(
        f"no quality suite for source {source!r}, table {table!r}",
        message_vi=messages.SUITE_MISSING.format(source=source),
        context=ErrorContext(source=source),
    )


def load_suite(source: str, table: str = "student_record", directory: Path | None = None) -> Suite:
    path = suite_path(source, table, directory)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read quality suite {path}: {exc}",
            message_vi=messages.SUITE_INVALID.format(suite=path.name, reason=str(exc)),
            context=ErrorContext(source=source, file=str(path)),
        ) from exc
    return suite_from_dict(data, source=source, table=table, path=path)
