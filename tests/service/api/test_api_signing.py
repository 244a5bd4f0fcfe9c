"""Principals and teachers sign an issued transcript through the API, one field per request, in
the legal order; every signature is one audit event; other schools and other roles cannot."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from certomancer.registry import CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    load_der_private_key,
    pkcs12,
)
from sqlalchemy import select
from sqlmodel import Session

from doisoat.model import AuditEvent, UserAccount
from service.api import issue_token
from signing import SigningSetup, build_transcript, plan_for, render_transcript, verify_pdf
from tests.service.api.world import _NOW, SCHOOL_A, SCHOOL_B, World, _password_hash
from tests.signing.hocba_data import CREATED, ISSUED, SUBJECT_NAMES, canonical_frames

PKI = Path(__file__).parents[2] / "signing" / "pki" / "certomancer.yml"
NAME = "HocBa_7912345678_THCS.pdf"
PASSPHRASE = "mật khẩu chứng thư 2025"
TEACHERS = {"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]}
# who signs which field, with whose certificate, in the legal order
CHAIN = [
    ("teacher_a", "GVBM_teacher2", "teacher2"),
    ("teacher_a", "GVBM_teacher1", "teacher1"),
    ("teacher_a", "GVBM_teacher3", "teacher3"),
    ("teacher_a", "GVCN", "homeroom"),
    ("principal_a", "HIEUTRUONG", "principal"),
    ("principal_a", "DAUTRUONG", "seal"),
]


@functools.cache
def _arch():
    config = CertomancerConfig.from_file(str(PKI), external_url_prefix="http://127.0.0.1:9")
    return config.get_pki_arch("hocba")


@functools.cache
def p12(label: str, passphrase: str = PASSPHRASE) -> bytes:
    """The person's certificate file as a CA hands it out: key, certificate and chain."""
    arch = _arch()
    key = load_der_private_key(arch.key_set.get_private_key(label).dump(), None)
    cert = x509.load_der_x509_certificate(arch.get_cert(label).dump())
    chain = [x509.load_der_x509_certificate(arch.get_cert(c).dump()) for c in ("interm", "root")]
    return pkcs12.serialize_key_and_certificates(
        label.encode(), key, cert, chain, BestAvailableEncryption(passphrase.encode())
    )


def _serial(label: str) -> str:
    return format(_arch().get_cert(label).serial_number, "x")


@functools.cache
def unsigned_pdf() -> bytes:
    frames = canonical_frames()
    transcript = build_transcript(
        frames["student_records"], frames["subject_results"], frames["term_results"],
        frames["schools"], "7912345678", issued_on=ISSUED, subject_names=SUBJECT_NAMES,
    )  # fmt: skip
    setup = SigningSetup(
        signers={}, homeroom="homeroom", principal="principal", seal="seal", teachers=TEACHERS
    )
    return render_transcript(transcript, plan_for(transcript, setup), created=CREATED)


def _add_users(world: World) -> None:
    users = {"principal_a": ("principal", SCHOOL_A), "teacher_b": ("teacher", SCHOOL_B),
             "principal_b": ("principal", SCHOOL_B)}  # fmt: skip
    with Session(world.engine) as session:
        for user, (role, school) in users.items():
            session.add(UserAccount(username=user, role=role, school_code=school,
                                    password_hash=_password_hash(), created_at=_NOW))  # fmt: skip
        session.commit()
    for user in users:
        world.tokens[user] = issue_token(world.engine, user)
    # each account signs with the certificates registered to it (service.certificates)
    register(world, "teacher_a", "teacher1", "teacher2", "teacher3", "homeroom")
    register(world, "principal_a", "principal", "seal")


def register(world: World, user: str, *labels: str) -> None:
    """Register these certificates of the test PKI to ``user``, as a district officer would."""
    from service import certificates
    from service.api import Principal

    officer = Principal("officer", "district_officer", None)
    for label in labels:
        certificates.register(world.engine, officer, p12(label), passphrase=PASSPHRASE,
                              username=user)  # fmt: skip


def school_with_transcript(world: World) -> Path:
    """School A's transcript folder holding one issued, unsigned transcript (and its users)."""
    _add_users(world)
    folder = world.client.app.state.files.transcripts_dir / SCHOOL_A
    folder.mkdir(parents=True)
    (folder / NAME).write_bytes(unsigned_pdf())
    return folder


@pytest.fixture
def school_a(world: World) -> Path:
    return school_with_transcript(world)


def _sign(world: World, user: str, field: str, label: str, passphrase: str = PASSPHRASE, **kw):
    return world.client.post(
        f"/api/v1/transcripts/{kw.get('school', SCHOOL_A)}/{kw.get('name', NAME)}/sign",
        data={"field": field, "passphrase": passphrase},
        files={"pkcs12": (f"{label}.p12", kw.get("p12", p12(label)), "application/x-pkcs12")},
        headers=world.as_(user),
    )


def _sign_events(world: World) -> list:
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.__table__)
            .where(AuditEvent.__table__.c.action == "sign")
            .order_by(AuditEvent.__table__.c.id)
        ).fetchall()
    return rows


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_teachers_homeroom_principal_and_seal_sign_in_the_legal_order(
    world: World, school_a: Path
) -> None:
    listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_("teacher_a"))
    assert listed.status_code == 200
    (item,) = listed.json()
    assert item["name"] == NAME and not item["complete"]
    assert [f["field"] for f in item["fields"]] == [field for _, field, _ in sorted(
        CHAIN[:3], key=lambda c: c[1])] + ["GVCN", "HIEUTRUONG", "DAUTRUONG"]  # fmt: skip
    assert not any(f["signed"] for f in item["fields"])
    assert item["signable"] == ["GVBM_teacher1", "GVBM_teacher2", "GVBM_teacher3"]

    first = _sign(world, *CHAIN[0])
    assert first.status_code == 200, first.text
    assert first.json()["certificate"]["serial"] == _serial("teacher2")
    assert "Trần Thị Bình" in first.json()["certificate"]["subject"]

    early = _sign(world, "principal_a", "HIEUTRUONG", "principal")
    assert early.status_code == 409
    assert "Chưa thể ký ô «Hiệu trưởng»" in early.json()["detail"]
    assert "Giáo viên chủ nhiệm" in early.json()["detail"]
    early_homeroom = _sign(world, "teacher_a", "GVCN", "homeroom")
    assert early_homeroom.status_code == 409
    assert "Giáo viên bộ môn: Toán, Ngữ văn" in early_homeroom.json()["detail"]

    for user, field, label in CHAIN[1:]:
        response = _sign(world, user, field, label)
        assert response.status_code == 200, (field, response.text)
        assert response.json()["signed_field"] == field
    again = _sign(world, "principal_a", "DAUTRUONG", "seal")
    assert again.status_code == 409 and "đã được ký" in again.json()["detail"]

    final = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}/{NAME}", headers=world.as_("admin_a"))
    assert final.status_code == 200
    report = verify_pdf(final.content, trust_roots=[asn1_x509.Certificate.load(
        _arch().get_cert("root").dump())])  # fmt: skip
    assert report.ok, report.all_problems()
    assert [s.field for s in report.signatures] == [field for _, field, _ in CHAIN]
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    assert [s.role for s in report.signatures][-2:] == ["principal", "seal"]
    listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_("admin_a"))
    assert listed.json()[0]["complete"] and listed.json()[0]["signable"] == []

    events = _sign_events(world)
    assert len(events) == len(CHAIN)
    previous = _sha(unsigned_pdf())
    for event, (user, field, label) in zip(events, CHAIN, strict=True):
        before, after = json.loads(event.before), json.loads(event.after)
        assert (event.actor, event.entity_id) == (user, f"{SCHOOL_A}/{NAME}")
        assert after["field"] == field and after["certificate_serial"] == _serial(label)
        assert after["certificate_subject"].startswith("Common Name: ")
        assert before["sha256"] == previous and event.at is not None
        previous = after["sha256"]
    assert previous == _sha(final.content)
    assert PASSPHRASE not in " ".join(e.after + e.before + e.reason for e in events)


def test_roles_sign_only_their_own_fields(world: World, school_a: Path) -> None:
    before = (school_a / NAME).read_bytes()
    for user in ("admin_a", "officer"):
        denied = _sign(world, user, "GVBM_teacher1", "teacher1")
        assert denied.status_code == 403 and "không được ký" in denied.json()["detail"]
    teacher_as_principal = _sign(world, "teacher_a", "HIEUTRUONG", "principal")
    assert teacher_as_principal.status_code == 403
    assert "Giáo viên" in teacher_as_principal.json()["detail"]
    principal_as_teacher = _sign(world, "principal_a", "GVBM_teacher1", "teacher1")
    assert principal_as_teacher.status_code == 403
    unknown = _sign(world, "teacher_a", "GVBM_nobody", "teacher1")
    assert unknown.status_code == 422 and "không có ô chữ ký" in unknown.json()["detail"]
    assert (school_a / NAME).read_bytes() == before
    assert _sign_events(world) == []


def test_another_school_cannot_list_or_sign_or_see_the_page(world: World, school_a: Path) -> None:
    before = (school_a / NAME).read_bytes()
    for user in ("teacher_b", "principal_b", "admin_b"):
        listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_(user))
        assert listed.status_code in (403, 404)
        assert NAME not in listed.text
        signed = _sign(world, user, "GVBM_teacher1", "teacher1")
        assert signed.status_code in (403, 404)
        own = world.client.get(f"/api/v1/transcripts/{SCHOOL_B}", headers=world.as_(user))
        assert own.status_code == 200 and own.json() == []
    # the B principal holds a real certificate: still not on A's transcript
    seal = _sign(world, "principal_b", "DAUTRUONG", "seal")
    assert seal.status_code in (403, 404)
    escape = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1", name="..%2F" + NAME)
    assert escape.status_code in (404, 422)
    page = world.client.get(f"/schools/{SCHOOL_A}/transcripts")
    assert page.url.path == "/login" and NAME not in page.text  # not signed in: the login page
    assert world.client.get("/api/v1/transcripts/" + SCHOOL_A).status_code == 401
    assert (school_a / NAME).read_bytes() == before
    assert _sign_events(world) == []


def test_a_wrong_passphrase_or_a_file_that_is_not_pkcs12_changes_nothing(
    world: World, school_a: Path
) -> None:
    before = (school_a / NAME).read_bytes()
    wrong = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1", passphrase="sai mật khẩu")
    assert wrong.status_code == 400
    assert (
        "sai mật khẩu" in wrong.json()["detail"] and "không bị thay đổi" in wrong.json()["detail"]
    )
    junk = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1", p12=b"%PDF-1.7 not a key")
    assert junk.status_code == 400
    huge = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1", p12=b"\0" * 70_000)
    assert huge.status_code == 413 and "quá lớn" in huge.json()["detail"]
    assert (school_a / NAME).read_bytes() == before
    assert sorted(p.name for p in school_a.iterdir() if not p.name.startswith(".signing.lock")) == [
        NAME
    ]  # no temporary file left behind
    assert _sign_events(world) == []
    ok = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1")
    assert ok.status_code == 200 and len(_sign_events(world)) == 1


def test_the_sign_route_is_documented(world: World) -> None:
    spec = world.client.app.openapi()
    sign = spec["paths"]["/api/v1/transcripts/{school}/{name}/sign"]["post"]
    assert {"400", "403", "404", "409"} <= set(sign["responses"])
    body = sign["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    props = spec["components"]["schemas"][body]["properties"]
    assert {"field", "pkcs12", "passphrase"} <= set(props)
    assert "/api/v1/transcripts/{school}" in spec["paths"]


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_no_or_wrong_token_is_refused_on_the_new_routes(world: World, school_a: Path, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=headers)
    signed = world.client.post(
        f"/api/v1/transcripts/{SCHOOL_A}/{NAME}/sign", headers=headers,
        data={"field": "GVBM_teacher1", "passphrase": PASSPHRASE},
        files={"pkcs12": ("t.p12", p12("teacher1"), "application/x-pkcs12")},
    )  # fmt: skip
    assert listed.status_code == signed.status_code == 401
    assert NAME not in listed.text and _sign_events(world) == []


def test_when_the_audit_event_cannot_be_written_the_transcript_stays_unsigned(
    world: World, school_a: Path, monkeypatch
) -> None:
    from service import transcripts as signing_service

    def broken(*_args, **_kw):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(signing_service.audit, "record", broken)
    before = (school_a / NAME).read_bytes()
    with pytest.raises(RuntimeError):
        _sign(world, "teacher_a", "GVBM_teacher1", "teacher1")
    assert (school_a / NAME).read_bytes() == before
    assert [p.name for p in school_a.iterdir() if p.suffix != ".lock"] == [NAME]


def test_a_class_issued_unsigned_is_found_in_its_class_folder_and_signed(world: World):
    """``doisoat transcript issue --unsigned`` files transcripts by class, as schools archive
    them; the service lists, serves and signs them there."""
    from signing import write_issued

    _add_users(world)
    frames = canonical_frames()
    transcript = build_transcript(
        frames["student_records"], frames["subject_results"], frames["term_results"],
        frames["schools"], "7912345678", issued_on=ISSUED, subject_names=SUBJECT_NAMES,
        issuing_school_code=SCHOOL_A,
    )  # fmt: skip
    setup = SigningSetup(
        signers={}, homeroom="homeroom", principal="principal", seal="seal", teachers=TEACHERS
    )
    root = world.client.app.state.files.transcripts_dir
    [path] = write_issued([transcript], setup, root, created=CREATED, signed=False)
    assert path.parent.parent == root / SCHOOL_A and path.name == NAME
    listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_("teacher_a"))
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()
    assert entry["name"] == NAME and not entry["complete"]
    assert "GVBM_teacher1" in entry["signable"]
    download = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}/{NAME}",
                                headers=world.as_("admin_a"))
    assert download.status_code == 200 and download.content == path.read_bytes()
    signed = _sign(world, "teacher_a", "GVBM_teacher1", "teacher1")
    assert signed.status_code == 200, signed.text
    report = verify_pdf(path.read_bytes(), file_name=NAME)
    assert [s.field for s in report.signatures] == ["GVBM_teacher1"]
    other = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}/{NAME}",
                             headers=world.as_("teacher_b"))
    assert other.status_code in (403, 404)
