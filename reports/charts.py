"""Charts drawn as inline SVG: the report is one file that needs nothing from the network."""

from __future__ import annotations

from markupsafe import Markup, escape

from reports import catalog, messages

SEVERITY_FILL = {"critical": "#c0392b", "high": "#e67e22", "medium": "#f1c40f", "low": "#7fb069"}
FONT = "font-family=\"'Noto Sans','DejaVu Sans',Arial,sans-serif\" font-size=\"12\""


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


CHAR_W = 7.0  # a generous average width of a 12 px character: labels are sized, never cut


def _label_width(schools: list[dict]) -> int:
    """Wide enough for the longest «name (code)»: a name is never cut, and two schools with one
    name stay apart by their codes."""
    longest = max(len(f"{s['name']} ({s['school_code']})") for s in schools)
    return int(min(max(longest * CHAR_W + 12, 200), 640))


def school_bars(schools: list[dict], limit: int = 25) -> Markup:
    """Horizontal bars, stacked by severity, for the schools with the most open conflicts."""
    top = [s for s in schools if s["open"] > 0][:limit]
    if not top:
        return Markup(f"<p>{escape(messages.LABELS['no_conflicts'])}</p>")
    label_w, bar_w, row_h, top_pad = _label_width(top), 430, 22, 26
    height = top_pad + row_h * len(top) + 10
    width = label_w + bar_w + 70
    scale = bar_w / _nice_max(max(s["open"] for s in top))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
        f"<title>{escape(messages.LABELS['chart_per_school'])}</title>",
    ]
    x = label_w
    for sev in catalog.SEVERITY_ORDER:  # legend
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SEVERITY_FILL[sev]}"/>')
        parts.append(f'<text x="{x + 16}" y="14">{escape(messages.SEVERITIES[sev])}</text>')
        x += 105
    for i, school in enumerate(top):
        y = top_pad + i * row_h
        label = f"{school['name']} ({school['school_code']})"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        x = float(label_w)
        for sev in catalog.SEVERITY_ORDER:
            n = school["by_severity"].get(sev, 0)
            if n:
                w = max(n * scale, 1.0)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                    f'fill="{SEVERITY_FILL[sev]}"><title>{escape(messages.SEVERITIES[sev])}: '
                    f"{n}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 15}">{school["open"]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_lines(trend: list[dict]) -> Markup:
    """Open conflicts night by night, with the new and resolved of each night."""
    if not trend:
        return Markup("")
    width, height, left, right, top, bottom = 760, 240, 56, 20, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max(max(t["open"], t["new"], t["resolved"]) for t in trend))
    n = len(trend)

    def px(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def py(v: int) -> float:
        return top + plot_h - plot_h * v / peak

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
        f"<title>{escape(messages.LABELS['chart_trend'])}</title>",
    ]
    for k in range(5):  # grid and axis labels
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{round(peak * k / 4)}</text>'
        )
    series = (
        ("open", "#1f4e79", messages.LABELS["open"]),
        ("new", "#c0392b", messages.LABELS["new"]),
        ("resolved", "#27ae60", messages.LABELS["resolved"]),
    )
    for j, (key, colour, label) in enumerate(series):
        points = " ".join(f"{px(i):.1f},{py(t[key]):.1f}" for i, t in enumerate(trend))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for i, t in enumerate(trend):
            parts.append(
                f'<circle cx="{px(i):.1f}" cy="{py(t[key]):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(catalog.vn_date(t['night']))} — {escape(label)}: "
                f"{t[key]}</title></circle>"
            )
        lx = left + j * 150
        parts.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="16">{escape(label)}</text>'
        )
    step = max(1, n // 8)
    for i in range(0, n, step):
        parts.append(
            f'<text x="{px(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(catalog.vn_date(trend[i]['night'])[:5])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
