"""The three commands, run as a user would (through the typer app)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_inspect_shows_vendor_header_mapping_and_samples(exported):
    path = next(exported.rglob("vnEdu_*.xls"))
    result = runner.invoke(app, ["inspect", str(path), "--night", "2026-06-10"])
    assert result.exit_code == 0, result.output
    assert "Nguồn: vnedu" in result.output
    assert "family_middle" in result.output and "«Họ đệm»" in result.output
    assert "Năm dòng mẫu" in result.output and "Đã đọc" in result.output
    as_json = runner.invoke(app, ["inspect", str(path), "--json"])
    report = json.loads(as_json.output)
    assert report["source"] == "vnedu" and len(report["samples"]) == 5
    assert report["rows_read"] == report["rows_accepted"] + report["rows_quarantined"]


def test_inspect_samples_a_grade_file_with_its_regular_scores(exported):
    path = next(exported.rglob("diem_*.csv"))  # grades only: the samples are results
    report = json.loads(runner.invoke(app, ["inspect", str(path), "--json"]).output)
    scores = [json.loads(sample["regular_scores"]) for sample in report["samples"]]
    assert len(scores) == 5 and any(scores)
    assert all(0 <= score <= 10 for one in scores for score in one)


def test_inspect_refuses_a_bad_file_in_vietnamese(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 1 and "Tệp rỗng" in result.output


def test_ingest_folder_then_again(exported, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    school = next(p for p in exported.iterdir() if any(p.glob("QuangIch_*")))
    first = runner.invoke(app, ["ingest", str(school), "--url", url, "--night", "2026-06-10"])
    assert first.exit_code == 0, first.output
    assert "✓" in first.output and "cách ly 0" in first.output
    second = runner.invoke(app, ["ingest", str(school), "--url", url, "--json"])
    summary = json.loads(second.output)
    assert summary["rows_read"] == 0
    assert {f["status"] for f in summary["files"]} == {"skipped"}


def test_pull_resumes_and_reports_in_vietnamese(district, tmp_path, monkeypatch):
    from simulate.vendor_api import VendorApi, serve

    api = VendorApi.from_district(district)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DOISOAT_PULL_PASSWORD", "mat-khau")
    with serve(api) as base:
        args = ["pull", "smas", "--base-url", base, "--user", "phong-gd", "--url", url,
                "--night", "2026-06-10"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "trang" in result.output and "cách ly 0" in result.output
        monkeypatch.setenv("DOISOAT_PULL_PASSWORD", "sai")
        refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "từ chối" in refused.output
