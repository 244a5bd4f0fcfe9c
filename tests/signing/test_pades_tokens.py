"""PAdES B-T to B-LTA against the loopback TSA/OCSP/CRL, and signers from PKCS#12 and PKCS#11."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_der_x509_certificate
from hocba_data import CREATED
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator import ValidationContext

from doisoat.errors import SigningError
from signing import (
    SigningSetup,
    from_pkcs12,
    http_timestamper,
    issue_transcript,
    pkcs11_signers,
    verify_pdf,
)


def _setup(signer_map, **kw) -> SigningSetup:
    return SigningSetup(
        signers=signer_map,
        homeroom="homeroom",
        principal="principal",
        seal="seal",
        teachers={"teacher1": ["*"]},
        **kw,
    )


def test_b_t_timestamps_come_from_the_loopback_tsa(pki, transcript, signer_map):
    setup = _setup(signer_map, level="B-T", timestamper=http_timestamper(pki.tsa_url))
    pdf = issue_transcript(transcript, setup, created=CREATED)
    report = verify_pdf(pdf, trust_roots=[pki.root])
    assert report.ok, report.all_problems()
    assert all(s.timestamped for s in report.signatures)


def test_b_lta_embeds_ocsp_crl_and_a_document_timestamp(pki, transcript, signer_map, tmp_path):
    vc = ValidationContext(trust_roots=[pki.root], allow_fetching=True)
    setup = _setup(
        signer_map, level="B-LTA", timestamper=http_timestamper(pki.tsa_url), validation_context=vc
    )
    pdf = issue_transcript(transcript, setup, created=CREATED)
    reader = PdfFileReader(io.BytesIO(pdf))
    dss = reader.root["/DSS"]
    assert len(dss["/OCSPs"]) >= 1 and len(dss["/CRLs"]) >= 1 and len(dss["/Certs"]) >= 3
    # offline verification: everything needed is inside the file
    report = verify_pdf(pdf, trust_roots=[pki.root], allow_fetching=False)
    assert report.ok, report.all_problems()
    assert report.signatures[-1].is_document_timestamp
    assert report.signatures[-1].role == "timestamp"
    seal = [s for s in report.signatures if s.role == "seal"][0]
    assert seal.changes_after == "LTA_UPDATES"  # only DSS and the document timestamp follow
    if shutil.which("pdfsig"):
        path = tmp_path / "lta.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdfsig", "-no-ocsp", str(path)], capture_output=True, text=True
        ).stdout
        blocks = out.split("Signature #")[1:]
        assert len(blocks) == len(report.signatures)
        # poppler 22 does not verify ETSI.RFC3161 document timestamps ("not yet verified")
        regular = [b for b in blocks if "ETSI.CAdES.detached" in b]
        assert len(regular) == len(blocks) - 1
        assert all("Signature is Valid." in b for b in regular), out


def test_b_t_without_a_timestamper_is_refused(transcript, signer_map):
    setup = _setup(signer_map, level="B-T")
    with pytest.raises(SigningError) as err:
        issue_transcript(transcript, setup, created=CREATED)
    assert "dấu thời gian" in err.value.message_vi


def test_unreachable_tsa_is_reported_in_vietnamese(transcript, signer_map):
    setup = _setup(
        signer_map, level="B-T", timestamper=http_timestamper("http://127.0.0.1:9/tsa", timeout=2)
    )
    with pytest.raises(SigningError) as err:
        issue_transcript(transcript, setup, created=CREATED)
    assert "Không ký được học bạ" in err.value.message_vi


def _p12(pki, label: str, password: bytes, path):
    key = serialization.load_der_private_key(pki.key(label).dump(), None)
    cert = load_der_x509_certificate(pki.cert(label).dump())
    chain = [load_der_x509_certificate(pki.cert(x).dump()) for x in ("interm", "root")]
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            label.encode(), key, cert, chain, serialization.BestAvailableEncryption(password)
        )
    )
    return path


def test_pkcs12_signers_and_a_wrong_password(pki, transcript, signer_map, tmp_path):
    seal = from_pkcs12(_p12(pki, "seal", b"mat-khau", tmp_path / "seal.p12"), "mat-khau")
    setup = _setup({**signer_map, "seal": seal})
    report = verify_pdf(
        issue_transcript(transcript, setup, created=CREATED), trust_roots=[pki.root]
    )
    assert report.ok and report.signatures[-1].signer == "Trường THCS Thử Nghiệm"
    with pytest.raises(SigningError) as err:
        from_pkcs12(tmp_path / "seal.p12", "sai")
    assert "seal.p12" in err.value.message_vi


def test_the_school_seal_signs_from_a_pkcs11_token(pki, softhsm, transcript, signer_map):
    with pkcs11_signers(
        softhsm.lib,
        token_label=softhsm.label,
        pin=softhsm.pin,
        key_labels={"seal": "seal"},
        other_certs=[pki.cert("interm"), pki.root],
    ) as token_signers:
        setup = _setup({**signer_map, **token_signers})
        pdf = issue_transcript(transcript, setup, created=CREATED)
    report = verify_pdf(pdf, trust_roots=[pki.root])
    assert report.ok, report.all_problems()
    assert report.signatures[-1].field == "DAUTRUONG"
    assert report.signatures[-1].signer == "Trường THCS Thử Nghiệm"


def test_wrong_token_pin_is_reported(softhsm):
    with pytest.raises(SigningError) as err:
        with pkcs11_signers(
            softhsm.lib, token_label=softhsm.label, pin="0000", key_labels={"seal": "seal"}
        ):
            pass
    assert softhsm.label in err.value.message_vi


def test_level_is_part_of_the_plan(transcript, signer_map, pki):
    from signing import plan_for

    setup = _setup(signer_map, level="B-T", timestamper=http_timestamper(pki.tsa_url))
    plan = plan_for(transcript, setup)
    assert plan.level == "B-T"
    assert dataclasses.replace(setup, level="B-B").level == "B-B"
