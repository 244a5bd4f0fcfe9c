"""Frames in, files out: the night's HTML, JSON and every school's worklist in one directory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reports.build import build_report
from reports.html import render_html
from reports.inputs import ReportInputs
from reports.items import worklist_items
from reports.worklist import write_worklists

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "night-report.schema.json"
HTML_NAME = "report.html"
JSON_NAME = "report.json"


@dataclass
class ReportFiles:
    directory: Path
    html: Path
    json: Path
    worklists: list[Path] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


@cache
def report_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_report(document: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``document`` breaks the published schema."""
    import jsonschema

    jsonschema.Draft202012Validator(report_schema()).validate(document)


def write_report(
    inputs: ReportInputs,
    directory: Path,
    *,
    worklists: bool = True,
    items_in_json: bool = True,
) -> ReportFiles:
    """Write ``report.html``, ``report.json`` and ``worklists/<school>.xlsx`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    items = worklist_items(inputs)
    report = build_report(inputs, items if items_in_json else None)
    html_path = directory / HTML_NAME
    html_path.write_text(render_html(report), encoding="utf-8")
    json_path = directory / JSON_NAME
    # dumps, not dump: dump streams through the pure-Python encoder, several times slower.
    json_path.write_text(json.dumps(report, ensure_ascii=False, default=str), encoding="utf-8")
    paths = (
        write_worklists(
            directory, report, items, inputs.night, people=inputs.people, contacts=inputs.contacts
        )
        if worklists
        else []
    )
    return ReportFiles(directory, html_path, json_path, paths, report)
