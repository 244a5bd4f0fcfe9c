"""The national run's summary: ``summary.json`` for programs, ``summary.txt`` for the Ministry's
officer (Vietnamese, conflict types by their glossary names, provinces by name, Vietnam time).

Pure builders over the few counts the run collects (types × provinces: a few hundred numbers),
plus one writer.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from doisoat.conflict_types import label_of, type_rank
from doisoat.glossary import fmt_date, fmt_datetime_vn, fmt_decimal
from doisoat.vn import province_name
from service.country.layout import Manifest
from service.country.messages import STAGES, SUMMARY

TOP_TYPES_PER_PROVINCE = 3


def conflict_counts(rows: list[Any]) -> dict[str, Any]:
    """Rows of (province, type, cross_province, count) → totals, per type, per province."""
    by_type: dict[str, dict[str, int]] = {}
    by_province: dict[str, dict[str, Any]] = {}
    for row in rows:
        kind, province, count = row["type"], row["province"], int(row["count"])
        cross = count if row["cross_province"] else 0
        entry = by_type.setdefault(kind, {"total": 0, "cross_province": 0})
        entry["total"] += count
        entry["cross_province"] += cross
        place = by_province.setdefault(province, {"total": 0, "cross_province": 0, "types": {}})
        place["total"] += count
        place["cross_province"] += cross
        place["types"][kind] = place["types"].get(kind, 0) + count
    return {
        "total": sum(e["total"] for e in by_type.values()),
        "cross_province": sum(e["cross_province"] for e in by_type.values()),
        "by_type": dict(sorted(by_type.items(), key=lambda kv: type_rank(kv[0]))),
        "by_province": dict(sorted(by_province.items())),
    }


def summary(
    *,
    night: dt.date,
    manifest: Manifest,
    counts: dict[str, dict[str, int]],
    facts: dict[str, Any],
    stats: dict[str, Any],
    seconds: dict[str, float],
    master: str,
) -> dict[str, Any]:
    """What ``summary.json`` holds (codes, not words: programs read it)."""
    provinces = sorted(counts["records"])
    return {
        "night": night.isoformat(),
        "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "master": master,
        "data": {k: manifest.raw.get(k) for k in ("kind", "seed", "hard", "layout")},
        "records": {
            "total": sum(counts["records"].values()),
            "registry": sum(counts["registry"].values()),
            "vendor": sum(counts["vendor"].values()),
            "by_province": {
                p: {
                    "registry": counts["registry"].get(p, 0),
                    "vendor": counts["vendor"].get(p, 0),
                }
                for p in provinces
            },
        },
        "identities": facts["identities"],
        "links": facts["links"],
        "conflicts": facts["conflicts"],
        "linkage": stats,
        "seconds": seconds,
    }


def _number(n: int) -> str:
    """Thousands with a dot, as Vietnamese write them (1.234.567)."""
    return f"{n:,}".replace(",", ".")


def _province(code: str) -> str:
    return province_name(code, when="2025") or code


def text(data: dict[str, Any]) -> str:
    """The officer's summary, in Vietnamese."""
    records, conflicts, links = data["records"], data["conflicts"], data["links"]
    lines = [
        SUMMARY["title"],
        SUMMARY["night"].format(
            night=fmt_date(data["night"]), made=fmt_datetime_vn(data["made_at"])
        ),
        "",
        SUMMARY["records"].format(
            vendor=_number(records["vendor"]),
            registry=_number(records["registry"]),
            provinces=len(records["by_province"]),
        ),
        SUMMARY["identities"].format(identities=_number(data["identities"])),
        SUMMARY["links"].format(
            match=_number(links.get("vendor_registry:match", 0)),
            review=_number(links.get("vendor_registry:review", 0)),
        ),
        "",
        SUMMARY["conflicts"].format(
            total=_number(conflicts["total"]), cross=_number(conflicts["cross_province"])
        ),
    ]
    for code, entry in conflicts["by_type"].items():
        lines.append(
            SUMMARY["conflict_line"].format(
                label=label_of(code),
                code=code,
                count=_number(entry["total"]),
                cross=_number(entry["cross_province"]),
            )
        )
    if not conflicts["by_type"]:
        lines.append(SUMMARY["no_conflicts"])
    lines += ["", SUMMARY["by_province"]]
    for code, entry in conflicts["by_province"].items():
        ranked = sorted(entry["types"].items(), key=lambda kv: (-kv[1], type_rank(kv[0])))
        items = ", ".join(f"{label_of(k)} {_number(n)}" for k, n in ranked[:TOP_TYPES_PER_PROVINCE])
        lines.append(
            SUMMARY["province_line"].format(
                code=code,
                name=_province(code),
                count=_number(entry["total"]),
                cross=_number(entry["cross_province"]),
                top=SUMMARY["province_top"].format(items=items) if items else "",
            )
        )
    stages = ", ".join(
        f"{STAGES.get(k, k).lower()} {fmt_decimal(v)}"
        for k, v in data["seconds"].items()
        if k != "total"
    )
    lines += [
        "",
        SUMMARY["stages"].format(total=fmt_decimal(data["seconds"].get("total", 0)), stages=stages),
        SUMMARY["where"],
    ]
    return "\n".join(lines) + "\n"


def write(data: dict[str, Any], out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    (out / "summary.txt").write_text(text(data), encoding="utf-8")
