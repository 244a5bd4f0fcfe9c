"""``doisoat report --night D`` refuses a night that was never reconciled (a report of it would
read «0 vấn đề» and be believed), naming the nearest nights that were; a day and month typed the
wrong way round is pointed out."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from doisoat import store
from service.cli import app
from tests.service.cli_district import district_store

runner = CliRunner()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    return district_store(tmp_path_factory.mktemp("report"))


def test_a_night_with_no_run_is_refused_naming_the_nights_that_have_one(district, tmp_path):
    out = tmp_path / "out"
    slipped = runner.invoke(app, ["report", "--night", "06/10/2026", "--url", district.url,
                                  "--out", str(out)])  # fmt: skip
    assert slipped.exit_code == 1
    assert slipped.output.startswith("Lỗi: Đêm 06/10/2026 chưa được đối soát")
    assert "Những đêm gần nhất đã đối soát: 10/06/2026." in slipped.output
    assert "Có phải ý bạn là đêm 10/06/2026 (ngày và tháng đảo chỗ)?" in slipped.output
    assert "Traceback" not in slipped.output
    assert not out.exists()  # nothing written that could be mistaken for a report

    later = runner.invoke(app, ["report", "--night", "2026-06-12", "--url", district.url,
                                "--out", str(out)])  # fmt: skip
    assert later.exit_code == 1
    assert "Đêm 12/06/2026 chưa được đối soát" in later.output
    assert "10/06/2026" in later.output and "đảo chỗ" not in later.output
    assert not out.exists()


def test_the_night_that_has_a_run_is_reported(district, tmp_path):
    out = tmp_path / "out"
    done = runner.invoke(app, ["report", "--night", "10/06/2026", "--url", district.url,
                               "--out", str(out), "--no-worklists"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert (out / "report.html").exists()
    open_conflicts = store.read_table(store.get_engine(district.url), "conflict").height
    assert f"{open_conflicts} vấn đề đang mở" in done.output


def test_a_store_with_no_run_at_all_says_to_run_the_night_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.open_store(url).dispose()
    result = runner.invoke(app, ["report", "--night", "10/06/2026", "--url", url])
    assert result.exit_code == 1
    assert "kho dữ liệu chưa có lượt đối soát nào" in result.output
    assert "doisoat nightly" in result.output


def test_a_date_that_does_not_exist_is_refused_with_an_example(tmp_path):
    result = runner.invoke(app, ["report", "--night", "31/02/2026"])
    assert result.exit_code == 2
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # out of its box
    assert "Ngày không hợp lệ: «31/02/2026» (cần dd/mm/yyyy, ví dụ 10/06/2026" in said
