"""Signing in the legal order and verifying: what a receiving school relies on.

Every tampering a forger would try must make verification fail: a changed grade, an added page,
an incremental update after the seal, a copied signature.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from hocba_data import CREATED
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject

from doisoat.errors import SigningError
from signing import (
    SigningPlan,
    Step,
    issue_transcript,
    render_transcript,
    sign_document,
    standard_plan,
    verify_pdf,
)
from signing.typeface import load_font

ORDER = ["GVBM_teacher1", "GVBM_teacher2", "GVBM_teacher3", "GVCN", "HIEUTRUONG", "DAUTRUONG"]


def _verify(pki, data: bytes):
    return verify_pdf(data, trust_roots=[pki.root])


def test_signatures_follow_the_legal_order_and_verify(pki, signed_bb):
    report = _verify(pki, signed_bb)
    assert report.ok, report.all_problems()
    assert [s.field for s in report.signatures] == ORDER
    assert [s.role for s in report.signatures] == [
        "subject_teacher",
        "subject_teacher",
        "subject_teacher",
        "homeroom",
        "principal",
        "seal",
    ]
    first = report.signatures[0]
    assert first.signer == "Nguyễn Văn An"
    assert "Toán" in first.subjects and "Ngữ văn" in first.subjects
    assert report.signatures[2].subjects.endswith("Lịch sử và Địa lí")  # the "*" teacher
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    # teachers' signatures are followed only by further signing; nothing follows the seal
    assert {s.changes_after for s in report.signatures[:-1]} == {"FORM_FILLING"}
    assert report.signatures[-1].changes_after == "NONE"
    assert report.signatures[-1].coverage == "ENTIRE_FILE"
    assert report.xml_valid and report.qr_matches and report.number == "7912345678/THCS"


def test_a_root_the_reader_does_not_trust_fails(pki, signed_bb):
    other_root = pki.cert("tsa")  # a certificate that anchors nothing the signers chain to
    report = verify_pdf(signed_bb, trust_roots=[other_root])
    assert not report.ok
    assert all(s.intact for s in report.signatures)
    assert not any(s.trusted for s in report.signatures)
    assert any("không được tin cậy" in p for p in report.all_problems())


def _year_page_with_grade_changed(data: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = w.root["/Pages"]["/Kids"][-2]  # the current year page, before the closing one
    page = page_ref.get_object()
    content = page["/Contents"].get_object().data
    font = load_font(False)
    old, new = font.encode("8,3"), font.encode("9,3")
    assert old in content
    stream = generic.StreamObject(stream_data=content.replace(old, new, 1))
    page[pdf_name("/Contents")] = w.add_object(stream)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _added_page(data: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    contents = w.add_object(generic.StreamObject(stream_data=b"0 g 10 10 100 100 re f"))
    w.insert_page(PageObject(contents, (0, 0, 595, 842)))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _annotation_after_seal(data: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][-1].get_object()
    note = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject(
                generic.NumberObject(v) for v in (50, 50, 70, 70)
            ),
            pdf_name("/Contents"): generic.TextStringObject("Điểm Toán thật ra là 9.3"),
        }
    )
    page[pdf_name("/Annots")] = generic.ArrayObject([w.add_object(note)])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _flip_signed_byte(data: bytes) -> bytes:
    at = data.index(b"/Lang") + 2  # inside the first revision, covered by every signature
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [_year_page_with_grade_changed, _added_page, _annotation_after_seal, _flip_signed_byte],
    ids=["changed-grade", "added-page", "update-after-seal", "flipped-byte"],
)
def test_tampering_fails_verification(pki, signed_bb, tamper):
    forged = tamper(signed_bb)
    report = _verify(pki, forged)
    assert not report.ok
    assert report.all_problems()


def test_changed_grade_is_reported_against_the_seal(pki, signed_bb):
    report = _verify(pki, _year_page_with_grade_changed(signed_bb))
    seal = report.signatures[-1]
    assert seal.intact  # the seal's own bytes are untouched …
    assert seal.changes_after == "OTHER"  # … but the page changed after it
    assert any("bị thay đổi sau chữ ký" in p for p in report.all_problems())


def _contents_span(data: bytes, index: int) -> tuple[int, int]:
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[index]
    _, end_first, start_second, _ = sig.byte_range
    return end_first, start_second


def test_copied_signature_fails(pki, signer_map, transcript, frames, signed_bb, setup_bb):
    """The seal of one student's transcript pasted into another's is not the other's seal."""
    from signing import build_transcript

    other = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345679",
        issued_on=transcript.issued_on,
    )
    other_pdf = issue_transcript(other, setup_bb, created=CREATED)
    a0, a1 = _contents_span(signed_bb, -1)
    b0, b1 = _contents_span(other_pdf, -1)
    assert a1 - a0 == b1 - b0
    forged = other_pdf[:b0] + signed_bb[a0:a1] + other_pdf[b1:]
    report = _verify(pki, forged)
    assert not report.ok
    assert not report.signatures[-1].intact
    assert any("không còn nguyên vẹn" in p for p in report.all_problems())


def test_signing_in_sessions_and_partial_documents(pki, transcript, signer_map):
    plan = standard_plan(
        teachers={"teacher1": ["*"]}, homeroom="homeroom", principal="principal", seal="seal"
    )
    pdf = render_transcript(transcript, plan, created=CREATED)
    # the teacher and the homeroom teacher sign during the year …
    partial = sign_document(pdf, plan, signer_map, stop_after="GVCN")
    report = _verify(pki, partial)
    assert [s.field for s in report.signatures] == ["GVBM_teacher1", "GVCN"]
    assert not report.ok  # … and an incompletely signed transcript is not valid
    assert any("Thiếu chữ ký" in p and "DAUTRUONG" in p for p in report.problems)
    # … the principal and the seal finish it at year end
    complete = sign_document(partial, plan, signer_map)
    assert _verify(pki, complete).ok


def test_principal_signing_before_the_teachers_is_an_order_violation(pki, transcript, signer_map):
    from pyhanko.sign import signers

    plan = standard_plan(
        teachers={"teacher1": ["*"]}, homeroom="homeroom", principal="principal", seal="seal"
    )
    pdf = render_transcript(transcript, plan, created=CREATED)
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="HIEUTRUONG"),
        signer=signer_map["principal"],
        existing_fields_only=True,
    )
    signed = sign_document(out.getvalue(), plan, signer_map)  # the others sign afterwards
    report = _verify(pki, signed)
    assert not report.ok
    assert any("Thứ tự ký không đúng" in p for p in report.problems)


def test_plans_out_of_legal_order_are_refused():
    steps = standard_plan(teachers={"t": ["*"]}, homeroom="h", principal="p", seal="s").steps
    with pytest.raises(SigningError) as err:
        SigningPlan((steps[0], steps[3], steps[1], steps[2])).check()
    assert "Kế hoạch ký không hợp lệ" in err.value.message_vi
    with pytest.raises(SigningError):
        SigningPlan((Step("GVCN", "homeroom", "h"),)).check()


def test_missing_signer_is_named_in_vietnamese(transcript, signer_map):
    plan = standard_plan(
        teachers={"teacher1": ["*"]}, homeroom="homeroom", principal="nobody", seal="seal"
    )
    pdf = render_transcript(transcript, plan, created=CREATED)
    with pytest.raises(SigningError) as err:
        sign_document(pdf, plan, signer_map)
    assert "Hiệu trưởng" in err.value.message_vi


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils absent")
def test_poppler_agrees_every_signature_is_valid_and_the_document_fully_signed(
    pki, signed_bb, tmp_path
):
    path = tmp_path / "hocba.pdf"
    path.write_bytes(signed_bb)
    # Poppler checks the cryptography and the coverage; the chain to our test root is checked by
    # our own verifier (poppler 22's NSS path reports a generic certificate error for it).
    args = ["pdfsig", "-no-ocsp"]
    out = subprocess.run([*args, str(path)], capture_output=True, text=True).stdout
    blocks = out.split("Signature #")[1:]
    assert len(blocks) == len(ORDER)
    assert all("Signature is Valid." in b for b in blocks)
    assert "Total document signed" in blocks[-1]
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_flip_signed_byte(signed_bb))
    out = subprocess.run([*args, str(forged)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in out


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf absent")
def test_qpdf_finds_no_errors_in_the_signed_document(signed_bb, tmp_path):
    path = tmp_path / "hocba.pdf"
    path.write_bytes(signed_bb)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_a_signature_added_after_the_seal_breaks_the_seal(pki, signed_bb, signer_map):
    """Even a valid signature by a real school officer may not follow the seal."""
    from pyhanko.sign import fields, signers

    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(signed_bb)),
        signers.PdfSignatureMetadata(field_name="DAUTRUONG_2"),
        signer=signer_map["principal"],
        new_field_spec=fields.SigFieldSpec("DAUTRUONG_2"),
    )
    report = _verify(pki, out.getvalue())
    assert not report.ok
    seal = next(s for s in report.signatures if s.field == "DAUTRUONG")
    assert seal.problems  # the seal's /P 1 lock forbids it
