"""The unsigned PDF/A-3 document: what a PDF/A validator and a reader of the page look for."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess

import pytest
from hocba_data import CREATED
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import qr, render_transcript, standard_plan, to_xml

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils absent")
needs_qpdf = pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf absent")


@pytest.fixture
def plan():
    return standard_plan(
        teachers={"teacher1": ["TOAN"]}, homeroom="homeroom", principal="principal", seal="seal"
    )


@pytest.fixture
def pdf(transcript, plan) -> bytes:
    return render_transcript(transcript, plan, created=CREATED)


def test_pdfa3_identification_output_intent_and_attached_xml(pdf, transcript):
    assert pdf.startswith(b"%PDF-1.7\n%") and max(pdf[9:14]) > 127  # binary comment line
    reader = PdfFileReader(io.BytesIO(pdf))
    root = reader.root
    xmp = root["/Metadata"].get_object().data
    assert re.search(rb"pdfaid:part(>|=\")3", xmp)  # element or attribute form of RDF
    assert re.search(rb"pdfaid:conformance(>|=\")B", xmp)
    assert "/Filter" not in root["/Metadata"].get_object()  # PDF/A: metadata not filtered
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3
    spec = root["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Source"
    assert spec["/UF"] == "hocba.xml"
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/xml"
    assert "/ModDate" in embedded["/Params"]
    assert embedded.data == to_xml(transcript)


def test_fonts_are_embedded_with_unicode_maps(pdf):
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][2].get_object()
    for font_ref in page["/Resources"]["/Font"].values():
        font = font_ref.get_object()
        assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]
        assert descendant["/CIDToGIDMap"] == "/Identity"


@needs_poppler
def test_pages_read_as_a_hoc_ba_in_vietnamese(pdf, tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = text.split("\f")
    # cover, page 1 (identity), two school years, the closing confirmation
    assert len([p for p in pages if p.strip()]) == 5
    assert "HỌC BẠ" in pages[0] and "TRUNG HỌC CƠ SỞ" in pages[0]
    assert "Số: 7912345678/THCS" in pages[0]  # the transcript number where the cover has it
    assert "Nguyễn Thị Ánh Tuyết" in pages[1] and "04/03/2010" in pages[1]
    year9 = pages[3]
    assert "Năm học: 2024-2025" in year9
    assert "Lịch sử và Địa lí" in year9
    toan = next(line for line in year9.splitlines() if line.strip().startswith("Toán"))
    assert toan.split()[1:4] == ["8,0", "8,3", "8,2"]  # decimal comma, as Vietnamese writes
    gdtc = next(line for line in year9.splitlines() if "Giáo dục thể chất" in line)
    assert "Đ" in gdtc.split()
    assert "Được lên lớp" in year9 and "Tốt" in year9


@needs_qpdf
def test_qpdf_finds_no_errors(pdf, tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_qr_code_carries_number_and_xml_hash(pdf, transcript):
    from signing.verify import _qr_modules

    xml = to_xml(transcript)
    expected = f"HOCBA|1|7912345678/THCS|SHA256:{hashlib.sha256(xml).hexdigest().upper()}"
    assert qr.payload(transcript.number, xml) == expected
    modules = _qr_modules(PdfFileReader(io.BytesIO(pdf)))
    assert modules == qr.matrix(expected)
    assert modules != qr.matrix(expected.replace("7912345678", "7912345679"))


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="zbar-tools or poppler-utils absent",
)
def test_a_phone_reads_the_qr_code(pdf, transcript, tmp_path):
    """An independent decoder reads the printed code (rendered at phone-camera resolution)."""
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "cover")],
        check=True,
    )
    image = next(tmp_path.glob("cover*.png"))
    out = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
    assert out.stdout.strip() == qr.payload(transcript.number, to_xml(transcript))


def test_confirmation_is_one_page_with_only_the_principal_field(transcript):
    from signing import principal_plan
    from signing.verify import _field_labels

    confirmation = transcript.model_copy(update={"kind": "xac_nhan"})
    pdf = render_transcript(confirmation, principal_plan(principal="principal"), created=CREATED)
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.root["/Pages"]["/Kids"]) == 1
    assert list(_field_labels(reader)) == ["HIEUTRUONG"]
