"""The night's report as one self-contained HTML page (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports import catalog, charts, evidence, messages

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _number(value: int | float | None) -> str:
    """Vietnamese digit grouping: 1.234.567."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vn_value"] = evidence.format_value
    env.globals.update(
        L=messages.LABELS,
        SEV=messages.SEVERITIES,
        SRC=messages.SOURCES,
        vn_date=catalog.vn_date,
        num=_number,
    )
    return env


def render_html(report: dict[str, Any]) -> str:
    """HTML of a report built by :func:`reports.build.build_report`."""
    generated = dt.datetime.fromisoformat(report["generated_at"])
    schools = report["schools"]
    return (
        _environment()
        .get_template("night.html.j2")
        .render(
            r=report,
            s=report["summary"],
            generated=generated.strftime("%d/%m/%Y %H:%M"),
            chart_schools=charts.school_bars(schools),
            chart_trend=charts.trend_lines(report["trend"]),
            school_names={sc["school_code"]: sc["name"] for sc in schools},
        )
    )
