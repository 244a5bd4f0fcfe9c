"""``doisoat simulate --night``: a night of any day of the school year, written the Vietnamese way
(dd/mm/yyyy) or ISO. A September night comes before term 2: the district's transfers and
drop-outs then date from the months before the night, never after it."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from service.cli import app


@pytest.mark.parametrize("written", ["01/09/2025", "2025-09-01"])
def test_simulate_a_september_night(tmp_path, written: str) -> None:
    out = tmp_path / "district"
    result = CliRunner().invoke(
        app, ["simulate", "-n", "300", "--night", written, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["vendor_records"] == 300 and summary["problems"] > 0
    meta = json.loads((out / "district.json").read_text(encoding="utf-8"))
    assert meta["night"] == "2025-09-01"
    records = pl.read_parquet(out / "records.parquet")
    dated = records.filter(pl.col("status_date").is_not_null())
    assert dated.height > 0  # the transfers and drop-outs were told
    assert dated["status_date"].max() <= dt.date(2025, 9, 1)
    assert set(records["school_year"].drop_nulls()) == {"2025-2026"}


def test_demo_speaks_vietnamese(tmp_path, monkeypatch) -> None:
    """What ``make demo`` prints, line by line, is read by a district officer: no English."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOISOAT_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    result = CliRunner().invoke(app, ["demo", "-n", "300", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Đã mô phỏng 300 hồ sơ học sinh")
    assert lines[1].startswith("Kho dữ liệu: sqlite:///")
    assert "(lượt chạy số 1, Hoàn tất)" in lines[1]
    assert lines[2].startswith("Danh sách việc (Excel) của từng trường: ")
    for english in ("Simulated", "Store:", "Ingested", "Worklists:", "accepted", "quarantined"):
        assert english not in result.stdout, english
