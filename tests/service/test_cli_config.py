"""The sample ``doisoat.example.toml`` shows every setting the service reads (so a district can
copy it), and a setting misspelt or of the wrong kind is refused naming the file and the key,
instead of silently keeping a default."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from doisoat.errors import ConfigError
from service.cli import app
from service.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "doisoat.example.toml"


def test_the_example_sets_every_setting_and_loads() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    nightly = {f.name for f in dataclasses.fields(Settings)} - {"calendars", "public_url"}
    assert set(data["nightly"]) == nightly
    assert set(data["server"]) >= {"public_url"}
    assert all({"term1_end", "year_end"} == set(d) for d in data["calendar"].values())
    settings = load_settings(EXAMPLE)
    assert settings.inbox and settings.calendars.keys() == data["calendar"].keys()
    assert "doisoat.example.toml" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[nightly]\ntransfer_grace_day = 30\n",
         "Mục cấu hình không có: 'nightly.transfer_grace_day'"),
        ("[nighty]\ninbox = []\n", "Mục cấu hình không có: 'nighty'"),
        ('[nightly]\nlock_grace_days = "7"\n',
         "Mục 'nightly.lock_grace_days' trong «{path}» phải là số nguyên"),
        ("[nightly]\nincremental_identities = 1\n",
         "Mục 'nightly.incremental_identities' trong «{path}» phải là true hoặc false"),
        ('[calendar."2025-2026"]\nterm1_end = 2026-01-17\n',
         "Lịch năm học 2025-2026 thiếu mục 'year_end'"),
        ('[calendar."2025-2026"]\nterm1_end = "17/01/2026"\nyear_end = 2026-05-30\n',
         "phải là ngày (yyyy-mm-dd)"),
    ],
)  # fmt: skip
def test_a_wrong_setting_is_refused_by_name(tmp_path, text: str, said: str) -> None:
    path = tmp_path / "doisoat.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    assert said.format(path=path) in refused.value.message_vi


def test_a_command_with_a_wrong_setting_says_so_in_vietnamese(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOISOAT_CONFIG", raising=False)
    (tmp_path / "doisoat.toml").write_text("[nightly]\nsync_deadline = 7\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--night", "10/06/2026",
                                      "--url", f"sqlite:///{tmp_path / 's.db'}"])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Mục cấu hình không có: 'nightly.sync_deadline'")
