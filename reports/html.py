"""The night's report as one self-contained HTML page (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from doisoat.glossary import fmt_date, fmt_datetime_vn
from reports import charts, evidence, messages
from reports.school_view import name_schools

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
    env.filters["named"] = name_schools  # «79000001» → «Trường THCS … (79000001)»
    env.globals.update(
        L=messages.LABELS,
        SEV=messages.SEVERITIES,
        SRC=messages.SOURCES,
        vn_date=fmt_date,
        SENT_TONIGHT=messages.SENT_TONIGHT,
        SENT_NOTHING=messages.SENT_NOTHING,
        NEVER_SENT=messages.NEVER_SENT,
        num=_number,
    )
    return env


def render_html(report: dict[str, Any]) -> str:
    """HTML of a report built by :func:`reports.build.build_report`."""
    schools = report["schools"]
    return (
        _environment()
        .get_template("night.html.j2")
        .render(
            r=report,
            s=report["summary"],
            generated=fmt_datetime_vn(report["generated_at"]),
            chart_schools=charts.school_bars(schools),
            chart_trend=charts.trend_lines(report["trend"]),
            school_names={sc["school_code"]: sc["name"] for sc in schools},
        )
    )
