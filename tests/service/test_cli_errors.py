"""A refused command says why in Vietnamese and exits non-zero: never a traceback, whether the
refusal is ours (a DoisoatError) or a database library's that nobody translated."""

from __future__ import annotations

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_a_store_that_cannot_be_opened_is_said_in_vietnamese(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'store.db'}"
    for args in (["reconcile", "--url", url], ["link", "list", "--url", url]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)  # not the library's exception
        # said by the database library's translation, or as the file beside the store
        assert result.output.startswith("Không đọc hoặc ghi được"), result.output
        assert "no-such-folder" in result.output or "kho dữ liệu" in result.output
        assert "Traceback" not in result.output


def test_a_folder_that_cannot_be_written_is_said_in_vietnamese(tmp_path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    result = runner.invoke(app, ["simulate", "-n", "20", "--out", str(blocked / "out")])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"Không đọc hoặc ghi được «{blocked / 'out'}»" in result.output
    assert "Traceback" not in result.output


def test_a_refusal_of_ours_is_its_vietnamese_message(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, ["link", "same", "a:1:x", "b:2:y", "--by", "A", "--reason", "B",
                                 "--url", url])  # fmt: skip
    assert result.exit_code == 1
    assert result.output == "Lỗi: Không tìm thấy bản ghi học sinh: a:1:x, b:2:y.\n"
