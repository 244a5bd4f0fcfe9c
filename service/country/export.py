"""A province's store, exported as its part of the country (``doisoat export``).

The national run reads the country as Parquet partitioned by province (the layout of
:mod:`simulate.country`). A real province feeds it by exporting, from its own store, the newest
loaded snapshot of every source and school — what its own night reconciles
(:func:`reconcile.latest_records`) — under ``records/province=<PP>/``, with its schools under
``schools/province=<PP>/``, and its entry in ``manifest.json``. Several provinces may export
into one folder: each replaces only its own partition and its own manifest entry.

The records are read a batch of snapshots at a time (a school's vendor list and its registry
list are snapshots of their own), so a province of millions is written with the memory of one
batch. The province is the one the ``--province`` option names, else the 2025 province holding
most of the store's schools (a school code's first two digits are the pre-2025 province that
opened it; ``74…`` is in Hồ Chí Minh, 79, since 1 July 2025).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from doisoat.errors import ConfigError, ReconcileError
from doisoat.model import REGISTRY_SOURCE
from doisoat.store import queries
from doisoat.vn import PROVINCES_2025, SUCCESSOR_2025

SNAPSHOTS_PER_PART = 100  # about a hundred schools' lists per Parquet file
SCHOOL_COLUMNS = ["school_code", "name", "level", "province_code", "district", "vendor"]

# What a refused export says (Vietnamese: the district or provincial officer reads it).
EXPORT_VI = {
    "empty": "Kho dữ liệu chưa có ảnh chụp dữ liệu nào để xuất: hãy nạp dữ liệu trước.",
    "unknown_province": (
        "Mã tỉnh/thành «{code}» không có trong danh sách 34 tỉnh/thành từ 01/7/2025 "
        "(ví dụ 01 Hà Nội, 79 Hồ Chí Minh)."
    ),
    "no_province": (
        "Không xác định được tỉnh/thành của kho dữ liệu từ mã trường: hãy ghi rõ --province "
        "(hai chữ số, ví dụ 79)."
    ),
}


@dataclass
class ExportOutcome:
    """What an export wrote, for the command's summary and the manifest."""

    province: str
    name: str
    night: dt.date | None  # the newest snapshot's night
    snapshots: int
    records: int
    registry_records: int
    vendor_records: int
    schools: int
    files: list[str] = field(default_factory=list)
    # schools whose code belongs to another 2025 province, by that province (still exported here)
    other_provinces: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["night"] = self.night.isoformat() if self.night else None
        return out


def province_of_code(code: str) -> str:
    """The 2025 province of a code given by hand: its own (``79``) or a predecessor's (``74``)."""
    text = code.strip().zfill(2)
    successor = SUCCESSOR_2025.get(text, text)
    if successor not in PROVINCES_2025:
        raise ConfigError(
            f"unknown province code {code!r}",
            message_vi=EXPORT_VI["unknown_province"].format(code=code),
        )
    return successor


def school_provinces(school_codes: list[str]) -> Counter[str]:
    """How many of these schools each 2025 province holds (by the codes' first two digits)."""
    found: Counter[str] = Counter()
    for code in school_codes:
        successor = SUCCESSOR_2025.get(str(code)[:2])
        if successor is not None:
            found[successor] += 1
    return found


def export_province(engine: Engine, out: Path, *, province: str | None = None) -> ExportOutcome:
    """Write the store's latest snapshots as ``out``'s partition of its province."""
    latest = queries.latest_snapshots(engine).sort("id")
    if latest.height == 0:
        raise ReconcileError("no loaded snapshot in the store", message_vi=EXPORT_VI["empty"])
    directory = queries.school_directory(engine)
    codes = sorted(set(latest["school_code"].drop_nulls().to_list()))
    counted = school_provinces(codes or directory["school_code"].to_list())
    if province is not None:
        code = province_of_code(province)
    elif counted:
        code = max(sorted(counted), key=lambda c: counted[c])
    else:
        raise ConfigError("cannot tell the store's province", message_vi=EXPORT_VI["no_province"])
    folder = out / "records" / f"province={code}"
    shutil.rmtree(folder, ignore_errors=True)  # an export replaces its province's last one
    folder.mkdir(parents=True)
    outcome = ExportOutcome(
        province=code,
        name=PROVINCES_2025[code].name,
        night=max(latest["night"].to_list()),
        snapshots=latest.height,
        records=0,
        registry_records=0,
        vendor_records=0,
        schools=0,
        other_provinces={p: n for p, n in sorted(counted.items()) if p != code},
    )
    ids = latest["id"].to_list()
    for part, start in enumerate(range(0, len(ids), SNAPSHOTS_PER_PART)):
        records = queries.records_of_snapshots(engine, ids[start : start + SNAPSHOTS_PER_PART])
        path = folder / f"part-{part:05d}.parquet"
        records.write_parquet(path, compression="zstd", statistics=True)
        registry = int((records["source"] == REGISTRY_SOURCE).sum())
        outcome.records += records.height
        outcome.registry_records += registry
        outcome.vendor_records += records.height - registry
        outcome.files.append(str(path))
    schools = directory.filter(pl.col("school_code").is_in(codes)).select(
        [c for c in SCHOOL_COLUMNS if c in directory.columns]
    )
    outcome.schools = schools.height
    school_folder = out / "schools" / f"province={code}"
    shutil.rmtree(school_folder, ignore_errors=True)
    school_folder.mkdir(parents=True)
    schools.write_parquet(school_folder / "part-00000.parquet")
    _update_manifest(out, outcome)
    return outcome


def _update_manifest(out: Path, outcome: ExportOutcome) -> None:
    """This province's entry in the folder's manifest, the other provinces' entries kept."""
    path = out / "manifest.json"
    manifest: dict[str, Any] = {}
    if path.exists():
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}
    if manifest.get("kind") != "export":  # a simulated country's manifest is not mixed in
        manifest = {"layout": 1, "kind": "export", "provinces": []}
    entry = {k: v for k, v in outcome.as_dict().items() if k != "files"}
    entry["code"] = entry.pop("province")
    provinces = [p for p in manifest.get("provinces", []) if p.get("code") != outcome.province]
    manifest["provinces"] = sorted([*provinces, entry], key=lambda p: p["code"])
    nights = [p["night"] for p in manifest["provinces"] if p.get("night")]
    manifest["night"] = max(nights) if nights else None
    manifest["records"] = sum(p["records"] for p in manifest["provinces"])
    manifest["datasets"] = {"records": "student records, canonical columns (source = moet: the "
                            "registry)", "schools": "the province's schools"}  # fmt: skip
    manifest["partition"] = "province=<2-digit code of the 2025 province, text>"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
