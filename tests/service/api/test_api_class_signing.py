"""The signing workflow as a school runs it: each account registers its certificate, teachers and
the principal sign a whole class at once through the API, a borrowed certificate is refused,
and a receiving school verifies the result on the public page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem
from sqlalchemy import select
from sqlmodel import Session

from doisoat.model import AuditEvent, UserAccount
from service.api import issue_token
from service.issuing import record_plan
from signing import SigningSetup, build_students, verify_pdf, write_issued
from tests.service.api.test_api_signing import PASSPHRASE, _arch, p12
from tests.service.api.world import _NOW, SCHOOL_A, World, _password_hash
from tests.signing.hocba_data import CREATED, ISSUED, SUBJECT_NAMES, canonical_frames

CLASS = "9A1"
# the plan's teacher keys are the teachers' account names: each subject field is theirs alone
TEACHERS = {"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]}
ACCOUNTS = {  # account -> (role, certificates of the test PKI registered to it)
    "teacher1": ("teacher", ("teacher1",)),
    "teacher2": ("teacher", ("teacher2",)),
    "teacher3": ("teacher", ("teacher3",)),
    "gvcn": ("teacher", ("homeroom",)),
    "principal_a": ("principal", ("principal", "seal")),
}


def _accounts(world: World, *, register: bool = True) -> None:
    from service import certificates
    from service.api import Principal

    with Session(world.engine) as session:
        for user, (role, _) in ACCOUNTS.items():
            session.add(UserAccount(username=user, role=role, school_code=SCHOOL_A,
                                    password_hash=_password_hash(), created_at=_NOW))  # fmt: skip
        session.commit()
    officer = Principal("officer", "district_officer", None)
    for user, (_, labels) in ACCOUNTS.items():
        world.tokens[user] = issue_token(world.engine, user)
        for label in labels if register else ():
            certificates.register(world.engine, officer, p12(label), passphrase=PASSPHRASE,
                                  username=user)  # fmt: skip


def issue_class(world: World) -> list[Path]:
    """Class 9A1 of school A issued unsigned into the folder the pages read (its students'
    records in the store, where the pages find their names)."""
    from doisoat import store

    frames = canonical_frames()
    store.bulk_insert(world.engine, "student_record", frames["student_records"])
    transcripts = build_students(
        frames, ["7912345678", "7912345679"], issued_on=ISSUED, issuing_school_code=SCHOOL_A,
        subject_names=SUBJECT_NAMES,
    )  # fmt: skip
    setup = SigningSetup(
        signers={}, homeroom="gvcn", principal="principal_a", seal="principal_a", teachers=TEACHERS
    )
    root = world.client.app.state.files.transcripts_dir
    paths = write_issued(transcripts, setup, root, created=CREATED, signed=False)
    record_plan(paths, setup)  # as `doisoat transcript issue` does: GVCN is gvcn's
    return paths


@pytest.fixture
def school_class(world: World) -> list[Path]:
    _accounts(world)
    return issue_class(world)


def sign_class(world: World, user: str, label: str, *, passphrase: str = PASSPHRASE, field=""):
    return world.client.post(
        f"/api/v1/transcripts/{SCHOOL_A}/classes/{CLASS}/sign",
        data={"passphrase": passphrase, "field": field},
        files={"pkcs12": (f"{label}.p12", p12(label), "application/x-pkcs12")},
        headers=world.as_(user),
    )


def _events(world: World, action: str) -> list:
    table = AuditEvent.__table__
    with world.engine.connect() as conn:
        return conn.execute(
            select(table).where(table.c.action == action).order_by(table.c.id)
        ).fetchall()


def test_a_class_is_signed_by_each_signer_in_one_request_and_poppler_agrees(
    world: World, school_class: list[Path]
) -> None:
    assert [p.parent.name for p in school_class] == [CLASS, CLASS]
    listed = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_("teacher1"))
    assert {i["student_name"] for i in listed.json()} == {"Nguyễn Thị Ánh Tuyết", "Trần Minh Khôi"}
    assert {i["class_name"] for i in listed.json()} == {CLASS}
    fields = {f["field"]: f for f in listed.json()[0]["fields"]}
    assert fields["GVBM_teacher2"]["owner"] == "teacher2" and not fields["GVBM_teacher2"]["yours"]
    assert fields["GVBM_teacher1"]["yours"]

    early = sign_class(world, "principal_a", "principal")
    assert early.status_code == 200 and early.json()["done"] == 0
    assert early.json()["waiting"] == 4  # both fields of both transcripts wait for the teachers

    first = sign_class(world, "teacher1", "teacher1")
    assert first.status_code == 200, first.text
    body = first.json()
    # teacher1's own subject field in both transcripts: not the others', not the homeroom's
    assert (body["done"], body["total"], body["failed"]) == (2, 2, [])
    for user in ("teacher2", "teacher3"):
        assert sign_class(world, user, user).json()["done"] == 2
    assert sign_class(world, "gvcn", "homeroom").json()["done"] == 2
    last = sign_class(world, "principal_a", "principal")  # principal and seal, one upload
    assert last.status_code == 200 and (last.json()["done"], last.json()["total"]) == (4, 4)

    root = asn1_root()
    for path in school_class:
        report = verify_pdf(path.read_bytes(), trust_roots=[root], file_name=path.name)
        assert report.ok, report.all_problems()
        assert [s.field for s in report.signatures][-3:] == ["GVCN", "HIEUTRUONG", "DAUTRUONG"]
    assert len(_events(world, "sign")) == 2 * 6
    if shutil.which("pdfsig"):
        for path in school_class:
            out = subprocess.run(
                ["pdfsig", "-no-ocsp", str(path)], capture_output=True, text=True
            ).stdout
            blocks = out.split("Signature #")[1:]
            assert len(blocks) == 6 and all("Signature is Valid." in b for b in blocks), out


def asn1_root():
    from asn1crypto import x509

    return x509.Certificate.load(_arch().get_cert("root").dump())


def test_a_borrowed_certificate_is_refused_and_the_audit_names_both(
    world: World, school_class: list[Path]
) -> None:
    before = [p.read_bytes() for p in school_class]
    borrowed = sign_class(world, "teacher1", "teacher2")  # teacher2's file, teacher1's account
    assert borrowed.status_code == 403
    assert "không phải chứng thư đã đăng ký của tài khoản teacher1" in borrowed.json()["detail"]
    single = world.client.post(
        f"/api/v1/transcripts/{SCHOOL_A}/{school_class[0].name}/sign",
        data={"field": "GVBM_teacher1", "passphrase": PASSPHRASE},
        files={"pkcs12": ("t.p12", p12("teacher2"), "application/x-pkcs12")},
        headers=world.as_("teacher1"),
    )
    assert single.status_code == 403
    assert [p.read_bytes() for p in school_class] == before
    refused = _events(world, "sign.refused_certificate")
    assert len(refused) == 2 and refused[0].actor == "teacher1"
    registered, presented = json.loads(refused[0].before), json.loads(refused[0].after)
    assert "Teacher" in registered["registered"][0]["subject"] or registered["registered"]
    assert presented["presented"]["fingerprint"] != registered["registered"][0]["fingerprint"]
    assert presented["presented"]["subject"] != registered["registered"][0]["subject"]
    assert _events(world, "sign") == []


def test_an_account_registers_its_own_certificate_once(world: World) -> None:
    _accounts(world, register=False)
    issue_class(world)
    unregistered = sign_class(world, "teacher1", "teacher1")
    assert unregistered.status_code == 403 and "chưa đăng ký" in unregistered.json()["detail"]

    cert_pem = pem.armor("CERTIFICATE", _arch().get_cert("teacher1").dump())
    mine = world.client.post(
        "/api/v1/certificates", files={"certificate": ("gv.pem", cert_pem, "application/x-pem")},
        headers=world.as_("teacher1"),
    )  # fmt: skip
    assert mine.status_code == 200, mine.text
    assert mine.json()["username"] == "teacher1"
    listed = world.client.get("/api/v1/certificates", headers=world.as_("teacher1")).json()
    assert [c["fingerprint"] for c in listed] == [mine.json()["fingerprint"]]
    taken = world.client.post(
        "/api/v1/certificates", files={"certificate": ("gv.pem", cert_pem, "application/x-pem")},
        headers=world.as_("teacher2"),
    )  # fmt: skip
    assert taken.status_code == 409 and "tài khoản khác" in taken.json()["detail"]
    for_other = world.client.post(
        "/api/v1/certificates", data={"username": "teacher2"},
        files={"certificate": ("x.p12", p12("teacher2"), "application/x-pkcs12")},
        headers=world.as_("teacher1"),
    )  # fmt: skip
    assert for_other.status_code == 403
    assert sign_class(world, "teacher1", "teacher1").json()["done"] == 2
    assert len(_events(world, "certificate.registered")) == 1


# -- the public verification page --------------------------------------------------------------


def _fully_signed(world: World, paths: list[Path]) -> None:
    for user, label in (("teacher1", "teacher1"), ("teacher2", "teacher2"),
                        ("teacher3", "teacher3"), ("gvcn", "homeroom"),
                        ("principal_a", "principal")):  # fmt: skip
        assert sign_class(world, user, label).status_code == 200
    trust = world.client.app.state.files.transcripts_dir.parent / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "root.pem").write_bytes(pem.armor("CERTIFICATE", _arch().get_cert("root").dump()))


def test_the_public_page_says_valid_for_an_issued_transcript_and_invalid_for_a_tampered_one(
    world: World, school_class: list[Path]
) -> None:
    _fully_signed(world, school_class)
    client = world.client
    client.cookies.clear()
    data = school_class[0].read_bytes()
    page = client.get("/verify")
    assert page.status_code == 200 and "Không cần đăng nhập" in page.text

    good = client.post("/verify", files={"pdf": ("hb.pdf", data, "application/pdf")})
    assert good.status_code == 200, good.text
    assert 'id="verdict">HỢP LỆ<' in good.text
    assert "(UTC+7)" in good.text and "Hiệu trưởng" in good.text
    report = verify_pdf(data)
    assert report.signatures[0].signer in good.text

    tampered = bytearray(data)
    at = data.index(b"/ByteRange")
    cut = data.index(b"stream", 2000)  # a byte inside the first revision's content
    tampered[cut + 20] ^= 0x01
    assert at > 0
    bad = client.post("/verify", files={"pdf": ("hb.pdf", bytes(tampered), "application/pdf")})
    assert bad.status_code == 200 and 'id="verdict">KHÔNG HỢP LỆ<' in bad.text

    number = report.number
    sha = _xml_sha(data)
    by_number = client.post("/verify", data={"number": number, "sha256": "SHA256:" + sha.upper()})
    assert 'id="verdict">HỢP LỆ<' in by_number.text and "khớp với học bạ" in by_number.text
    from urllib.parse import quote

    link = client.get(f"/verify?qr={quote(f'HOCBA|1|{number}|SHA256:{sha.upper()}')}")
    assert 'id="verdict">HỢP LỆ<' in link.text  # a link carrying the QR text opens the verdict
    wrong = client.post("/verify", data={"qr": f"HOCBA|1|{number}|SHA256:{'0' * 64}"})
    assert "KHÔNG HỢP LỆ" in wrong.text and "KHÔNG khớp" in wrong.text
    unknown = client.post("/verify", data={"number": "7900000000/THCS", "sha256": sha})
    assert unknown.status_code == 404 and "Không tìm thấy học bạ số" in unknown.text


def _xml_sha(data: bytes) -> str:
    from service.verification import attached_xml_sha256

    sha = attached_xml_sha256(data)
    assert sha is not None
    return sha


def test_the_public_page_is_rate_limited_per_address(world: World) -> None:
    from service.verification import VerifyThrottle

    world.client.app.state.verify_throttle = VerifyThrottle(per_address=3)
    answers = [
        world.client.post("/verify", data={"number": "7900000000/THCS", "sha256": "0" * 64})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert "quá nhiều lần" in answers[-1].text and answers[-1].headers["retry-after"]
