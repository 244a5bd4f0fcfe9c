"""From the store to signed files: `doisoat transcript issue` and `verify` as schools run them."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_der_x509_certificate
from hocba_data import ISSUED, SUBJECT_NAMES, canonical_frames
from typer.testing import CliRunner

from doisoat import store
from service.cli import app
from signing import build_transcript, load_transcript_inputs

ROLES = ("teacher1", "teacher2", "teacher3", "homeroom", "principal", "seal")


def _load(engine) -> None:
    frames = canonical_frames()
    for table, key in (
        ("student_record", "student_records"),
        ("subject_result", "subject_results"),
        ("term_result", "term_results"),
        ("school", "schools"),
    ):
        store.bulk_insert(engine, table, frames[key])


def test_store_inputs_build_the_same_transcript(engine):
    _load(engine)
    inputs = load_transcript_inputs(engine, school_code="79THCS01")
    assert set(inputs["student_records"].get_column("moet_code")) == {
        "7912345678",
        "7912345679",
        "7912345680",
    }
    from_store = build_transcript(
        inputs["student_records"],
        inputs["subject_results"],
        inputs["term_results"],
        inputs["schools"],
        "7912345678",
        issued_on=ISSUED,
        subject_names=SUBJECT_NAMES,
    )
    frames = canonical_frames()
    from_frames = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345678",
        issued_on=ISSUED,
        subject_names=SUBJECT_NAMES,
    )
    assert from_store == from_frames


@pytest.fixture
def school(sqlite_engine, pki, tmp_path, monkeypatch):
    """A store with the class, and a signing configuration of PKCS#12 files."""
    _load(sqlite_engine)
    folder = tmp_path / "keys"
    folder.mkdir()
    chain = [load_der_x509_certificate(pki.cert(x).dump()) for x in ("interm", "root")]
    lines = [
        'level = "B-B"',
        'trust = ["root.pem"]',
        "[roles]",
        'homeroom = "homeroom"',
        'principal = "principal"',
        'seal = "seal"',
        "[teachers]",
        'teacher1 = ["TOAN", "NGU_VAN"]',
        'teacher2 = ["GDTC"]',
        'teacher3 = ["*"]',
    ]
    for role in ROLES:
        password = f"pw-{role}"
        key = serialization.load_der_private_key(pki.key(role).dump(), None)
        cert = load_der_x509_certificate(pki.cert(role).dump())
        (folder / f"{role}.p12").write_bytes(
            pkcs12.serialize_key_and_certificates(
                role.encode(),
                key,
                cert,
                chain,
                serialization.BestAvailableEncryption(password.encode()),
            )
        )
        monkeypatch.setenv(f"HOCBA_{role.upper()}_PASS", password)
        lines += [
            f"[signers.{role}]",
            f'pkcs12 = "{role}.p12"',
            f'passphrase_env = "HOCBA_{role.upper()}_PASS"',
        ]
    pki.pem("root", folder)
    config = folder / "signers.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db_url = str(sqlite_engine.url)
    return {"config": config, "db": db_url, "out": tmp_path / "out", "root": folder / "root.pem"}


def _issue(school, *args: str):
    return CliRunner().invoke(
        app,
        [
            "transcript",
            "issue",
            "--school",
            "79THCS01",
            "--year",
            "2024-2025",
            "--signers",
            str(school["config"]),
            "--out",
            str(school["out"]),
            "--db",
            school["db"],
            "--date",
            "2025-06-02",
            *args,
        ],
    )


def _verify(school, *paths):
    return CliRunner().invoke(
        app, ["transcript", "verify", "--trust", str(school["root"]), *map(str, paths)]
    )


def test_issue_a_class_then_verify_and_catch_a_forgery(school):
    result = _issue(school, "--class", "9A1")
    assert result.exit_code == 0, result.output
    folder = school["out"] / "79THCS01" / "9A1"
    files = sorted(p.name for p in folder.glob("*.pdf"))
    assert files == ["HocBa_7912345678_THCS.pdf", "HocBa_7912345679_THCS.pdf"]
    ok = _verify(school, *folder.glob("*.pdf"))
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("HỢP LỆ") == 2 and "KHÔNG HỢP LỆ" not in ok.output
    assert "Hoàng Quốc Đạt" in ok.output  # the principal is named
    pdf = folder / "HocBa_7912345678_THCS.pdf"
    data = pdf.read_bytes()
    at = data.index(b"/Lang") + 2
    forged = folder.parent / "forged.pdf"
    forged.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    bad = _verify(school, forged)
    assert bad.exit_code == 1
    assert "KHÔNG HỢP LỆ" in bad.output and "không còn nguyên vẹn" in bad.output


def test_transfer_out_and_study_record_confirmation(school):
    moved = _issue(school, "--student", "7912345680")
    assert moved.exit_code == 0, moved.output
    transfer_pdf = school["out"] / "79THCS01" / "9B" / "HocBa_7912345680_THCS.pdf"
    assert transfer_pdf.exists()
    confirm = _issue(school, "--student", "7912345678", "--confirmation", "--json")
    assert confirm.exit_code == 0, confirm.output
    confirmation = school["out"] / "79THCS01" / "9A1" / "XacNhan_7912345678_THCS.pdf"
    assert confirmation.with_suffix(".json").read_text(encoding="utf-8").count("2024-2025") >= 1
    result = CliRunner().invoke(
        app, ["transcript", "verify", "--json", "--trust", str(school["root"]), str(confirmation)]
    )
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    assert [s["role"] for s in report["signatures"]] == ["principal"]
    assert report["ok"] and report["qr_matches"]


def test_unknown_class_and_missing_secret_fail_with_vietnamese_messages(school, monkeypatch):
    empty = _issue(school, "--class", "9Z")
    assert empty.exit_code == 2
    assert "không có học sinh nào" in empty.output
    monkeypatch.delenv("HOCBA_SEAL_PASS")
    missing = _issue(school, "--class", "9A1")
    assert missing.exit_code == 2
    assert "HOCBA_SEAL_PASS" in missing.output


def test_issue_unsigned_for_signing_through_the_service(school, monkeypatch):
    """No key is opened (no passphrase needed); the files carry every field, none signed."""
    from signing.resume import field_states

    for role in ROLES:
        monkeypatch.delenv(f"HOCBA_{role.upper()}_PASS")
    result = _issue(school, "--class", "9A1", "--unsigned")
    assert result.exit_code == 0, result.output
    assert "chưa ký" in result.output
    pdf = school["out"] / "79THCS01" / "9A1" / "HocBa_7912345678_THCS.pdf"
    states = field_states(pdf.read_bytes(), file_name=pdf.name)
    assert [s.field for s in states] == [
        "GVBM_teacher1", "GVBM_teacher2", "GVBM_teacher3", "GVCN", "HIEUTRUONG", "DAUTRUONG",
    ]  # fmt: skip
    assert not any(s.signed for s in states)
    unsigned = _verify(school, pdf)
    assert unsigned.exit_code == 1  # an unsigned transcript is not a valid one


def test_a_student_who_left_is_not_issued_with_the_class(school):
    """7912345680 transferred out of 9B: the class has nobody left to issue for; the student's
    own transcript is issued with --student, into 9B."""
    empty = _issue(school, "--class", "9B")
    assert empty.exit_code == 2
    assert "không có học sinh nào" in empty.output
    moved = _issue(school, "--student", "7912345680")
    assert moved.exit_code == 0, moved.output
    assert (school["out"] / "79THCS01" / "9B" / "HocBa_7912345680_THCS.pdf").exists()


def _open_conflict(engine, conflict_id: str, ctype: str, record_ids: list[str], **kw) -> None:
    import datetime as dt
    import json

    from sqlmodel import Session

    from doisoat.model import Conflict

    day = dt.date(2025, 6, 1)
    with Session(engine) as session:
        session.add(Conflict(
            conflict_id=conflict_id, type=ctype, severity="critical", school_code="79THCS01",
            record_ids=json.dumps(record_ids), evidence=json.dumps(kw.pop("evidence", {})),
            status=kw.pop("status", "new"), first_seen=day, last_seen=day,
        ))  # fmt: skip
        session.commit()


def test_an_open_identity_or_transfer_conflict_stops_the_batch_unless_forced(
    school, sqlite_engine
):
    """Trần Minh Khôi's vendor record is named by an open ID_MISMATCH, Nguyễn Thị Ánh Tuyết's
    code by a DUAL_ENROLLMENT's evidence: nothing is issued, both are named in Vietnamese; a
    resolved conflict and a grades conflict stop nobody; --force issues and says so."""
    _open_conflict(sqlite_engine, "c-mismatch", "ID_MISMATCH", ["smas:2:b9"])
    _open_conflict(sqlite_engine, "c-dual", "DUAL_ENROLLMENT", [],
                   evidence={"moet_code": "7912345678"})  # fmt: skip
    _open_conflict(sqlite_engine, "c-old", "TRANSFER_CODE_CHANGED", ["smas:2:b9"],
                   status="resolved")  # fmt: skip
    _open_conflict(sqlite_engine, "c-grade", "GRADE_AVERAGE_MISMATCH", ["smas:2:a9"])
    folder = school["out"] / "79THCS01" / "9A1"

    stopped = _issue(school, "--class", "9A1", "--unsigned")
    assert stopped.exit_code == 2
    assert "Chưa cấp học bạ: 2 học sinh" in stopped.output
    assert "Trần Minh Khôi (mã định danh 7912345679)" in stopped.output
    assert "Mã định danh thuộc học sinh khác [c-mismatch]" in stopped.output
    assert "Đang học ở hai trường [c-dual]" in stopped.output
    assert "c-old" not in stopped.output and "c-grade" not in stopped.output
    assert "--force" in stopped.output
    assert not folder.exists() or not list(folder.glob("*.pdf"))

    forced = _issue(school, "--class", "9A1", "--unsigned", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(list(folder.glob("*.pdf"))) == 2
    assert "bất chấp" in forced.output and "Trần Minh Khôi" in forced.output


def test_issue_writes_where_the_pages_look_by_default(school, tmp_path, monkeypatch):
    """Without --out the transcripts land in var/transcripts, the folder `doisoat serve` lists,
    with the plan's homeroom, principal and seal recorded beside the class."""
    import json

    monkeypatch.chdir(tmp_path)
    args = ["transcript", "issue", "--school", "79THCS01", "--year", "2024-2025", "--class",
            "9A1", "--signers", str(school["config"]), "--db", school["db"], "--unsigned"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "transcripts" / "79THCS01" / "9A1"
    assert len(list(folder.glob("*.pdf"))) == 2
    assert json.loads((folder / ".signers.json").read_text())["GVCN"] == "homeroom"
