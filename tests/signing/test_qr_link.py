"""The cover's QR code as a link to the district's verification page.

A phone's camera opens ``<public address>/verify?qr=<payload>``; the verifier rebuilds that very
link from the address kept (under the signatures) in the QR XObject, so such a transcript
verifies, a transcript issued without an address keeps its bare payload, and changing the
address after signing is caught.
"""

from __future__ import annotations

import dataclasses
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from hocba_data import CREATED
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import issue_transcript, render_transcript, verify_pdf, xmlio
from signing import qr as qr_code
from tests.signing.test_issue_cli import school  # noqa: F401  (fixture)

BASE = "https://doisoat.phonggd.example.vn"


def _qr_xobject(data: bytes):
    page = PdfFileReader(io.BytesIO(data)).root["/Pages"]["/Kids"][0].get_object()
    return page["/Resources"]["/XObject"]["/DoisoatQR"].get_object()


def _drawn(data: bytes) -> list[list[bool]]:
    xobj = _qr_xobject(data)
    return qr_code.read_modules(xobj.data, int(xobj["/DoisoatQRModules"]))


@pytest.fixture(scope="module")
def linked(transcript_and_setup) -> bytes:
    t, setup = transcript_and_setup
    return issue_transcript(t, dataclasses.replace(setup, verify_url=BASE + "/"), created=CREATED)


@pytest.fixture(scope="module")
def transcript_and_setup(signer_map):
    from hocba_data import ISSUED, SUBJECT_NAMES, canonical_frames

    from signing import SigningSetup, build_transcript

    frames = canonical_frames()
    t = build_transcript(
        frames["student_records"], frames["subject_results"], frames["term_results"],
        frames["schools"], "7912345678", issued_on=ISSUED, subject_names=SUBJECT_NAMES,
    )  # fmt: skip
    setup = SigningSetup(
        signers=signer_map, homeroom="homeroom", principal="principal", seal="seal",
        teachers={"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]},
    )  # fmt: skip
    return t, setup


def test_the_code_links_to_the_verification_page_and_the_transcript_verifies(pki, linked):
    report = verify_pdf(linked, trust_roots=[pki.root])
    assert report.ok, report.all_problems()
    assert report.qr_matches
    assert str(_qr_xobject(linked)["/DoisoatVerifyURL"]) == BASE  # trailing slash dropped
    t = xmlio.from_xml(_attached_xml(linked))
    link = qr_code.text(t.number, _attached_xml(linked), BASE)
    assert _drawn(linked) == qr_code.matrix(link)  # what a phone reads is the link …
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == BASE + "/verify"
    # … whose qr parameter is the payload the page already understands
    assert parse_qs(parts.query)["qr"] == [qr_code.payload(t.number, _attached_xml(linked))]


def test_without_an_address_the_code_holds_the_bare_payload(transcript_and_setup):
    t, setup = transcript_and_setup
    data = render_transcript(t, None, created=CREATED)
    assert "/DoisoatVerifyURL" not in _qr_xobject(data)
    assert _drawn(data) == qr_code.matrix(qr_code.payload(t.number, _attached_xml(data)))
    assert verify_pdf(data).qr_matches


def test_an_address_changed_after_signing_fails(pki, linked):
    w = IncrementalPdfFileWriter(io.BytesIO(linked))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    ref = page["/Resources"]["/XObject"].raw_get("/DoisoatQR")
    xobj = ref.get_object()
    xobj[pdf_name("/DoisoatVerifyURL")] = generic.TextStringObject("https://gia-mao.example")
    w.mark_update(ref)
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue(), trust_roots=[pki.root])
    assert not report.ok
    assert not report.qr_matches  # the drawn code no longer matches the address it claims


def _attached_xml(data: bytes) -> bytes:
    root = PdfFileReader(io.BytesIO(data)).root
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    return names[1].get_object()["/EF"]["/F"].get_object().data


def test_transcript_issue_links_the_code_to_the_configured_address(
    school, tmp_path, monkeypatch  # noqa: F811
):
    """`doisoat transcript issue` reads ``[server] public_url`` and the result still verifies."""
    from tests.signing.test_issue_cli import _issue, _verify

    config = tmp_path / "doisoat.toml"
    config.write_text(f'[server]\npublic_url = "{BASE}"\n', encoding="utf-8")
    monkeypatch.setenv("DOISOAT_CONFIG", str(config))
    result = _issue(school, "--class", "9A1")
    assert result.exit_code == 0, result.output
    pdf = school["out"] / "79THCS01" / "9A1" / "HocBa_7912345678_THCS.pdf"
    data = pdf.read_bytes()
    assert str(_qr_xobject(data)["/DoisoatVerifyURL"]) == BASE
    number = verify_pdf(data).number
    assert _drawn(data) == qr_code.matrix(qr_code.text(number, _attached_xml(data), BASE))
    ok = _verify(school, pdf)
    assert ok.exit_code == 0 and "HỢP LỆ" in ok.output, ok.output
