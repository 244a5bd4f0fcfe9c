"""``make clean`` never deletes the district's data under var/ (the store, the reports); the
demo's data goes only with ``make wipe-demo-data CONFIRM=yes``, and never a configured store."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
DATA = ["var/doisoat.db", "var/reports/2026-06-10/report.html", "var/uploads/79000001/a.xlsx",
        "var/transcripts/79000001/hb.pdf", "var/demo/exports/79000001/smas.xlsx"]  # fmt: skip

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    for name in [*DATA, ".venv/bin/python", "pkg/__pycache__/m.pyc", ".pytest_cache/x"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    return tmp_path


def _make(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DOISOAT_DATABASE_URL"} | env
    return subprocess.run(["make", "-s", *args], cwd=folder, env=environ, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_clean_removes_the_build_and_keeps_var(folder: Path) -> None:
    assert _make(folder, "clean").returncode == 0
    assert not (folder / ".venv").exists() and not (folder / "pkg/__pycache__").exists()
    assert not (folder / ".pytest_cache").exists()
    assert all((folder / name).exists() for name in DATA)


def test_wiping_the_demo_needs_confirmation_and_never_a_configured_store(folder: Path) -> None:
    asked = _make(folder, "wipe-demo-data")
    assert asked.returncode != 0 and "make wipe-demo-data CONFIRM=yes" in asked.stdout
    configured = _make(folder, "wipe-demo-data", "CONFIRM=yes",
                       DOISOAT_DATABASE_URL="postgresql+psycopg://u@h/db")  # fmt: skip
    assert configured.returncode != 0 and "Nothing deleted" in configured.stdout
    assert all((folder / name).exists() for name in DATA)
    assert _make(folder, "wipe-demo-data", "CONFIRM=yes").returncode == 0
    assert not any((folder / name).exists() for name in DATA)
    assert (folder / "var").is_dir()  # only the demo's data, not whatever else is there
