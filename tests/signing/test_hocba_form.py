"""The học bạ as a school hands it out: a transfer told from the issuing school's side, the
signers' names on the page once signed, the form's header, page numbers and closing count."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from hocba_data import CREATED, ISSUED, SUBJECT_NAMES, canonical_frames
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import (
    SigningSetup,
    build_transcript,
    plan_for,
    render_transcript,
    sign_document,
    verify_pdf,
)
from signing.form import mark, place_and_date

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils absent")
CN = {  # the subjects' common names of the test PKI (tests/signing/pki/certomancer.yml)
    "teacher1": "Nguyễn Văn An",
    "teacher2": "Trần Thị Bình",
    "teacher3": "Lê Minh Châu",
    "homeroom": "Phạm Thu Dung",
    "principal": "Hoàng Quốc Đạt",
}
TEACHERS = {"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]}


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "hocba.pdf"
    path.write_bytes(pdf)
    # reading order (not -layout): a cell's wrapped lines and a block's lines stay together
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode().split("\f")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _left_in_march(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The student leaves 79THCS01 on 10/03/2025 for 79THCS02, which alone records the move
    (as in the demo district): the origin's year has term I only."""
    arrival = (
        frames["student_records"]
        .filter(pl.col("record_id") == "smas:2:a9")
        .with_columns(
            pl.lit("vnedu:9:a9").alias("record_id"),
            pl.lit("vnedu").alias("source"),
            pl.lit(9).alias("snapshot_id"),
            pl.lit("79THCS02").alias("school_code"),
            pl.lit("9A3").alias("class_name"),
            pl.lit("transferred_in").alias("status"),
            pl.lit(dt.date(2025, 3, 10)).alias("status_date"),
            pl.lit("79THCS01").alias("transfer_school_code"),
        )
    )
    left = pl.col("record_id") == "smas:2:a9"
    return {
        **frames,
        "student_records": pl.concat([frames["student_records"], arrival], how="vertical_relaxed"),
        "subject_results": frames["subject_results"].filter(~(left & (pl.col("term") != "1"))),
        "term_results": frames["term_results"].filter(~(left & (pl.col("term") != "1"))),
    }


def _transcript(frames, issuer: str):
    return build_transcript(
        frames["student_records"], frames["subject_results"], frames["term_results"],
        frames["schools"], "7912345678", issued_on=ISSUED, issuing_school_code=issuer,
        subject_names=SUBJECT_NAMES,
    )


@needs_poppler
def test_a_transfer_out_is_told_by_the_school_left_and_the_cut_year_says_why(tmp_path):
    t = _transcript(_left_in_march(canonical_frames()), "79THCS01")
    [move] = t.transfers
    assert (move.direction, move.school_code, move.other_school_code) == (
        "out", "79THCS01", "79THCS02")
    pages = [_flat(p) for p in _pages(render_transcript(t, None, created=CREATED), tmp_path)]
    text = " ".join(pages)
    assert "Chuyển đi ngày 10/03/2025 đến Trường THCS Lê Lợi" in pages[1]
    assert "Chuyển đến" not in text and "trường Trường" not in text
    year9 = pages[-3]  # the cut year: the page before the closing confirmation
    assert "Năm học: 2024-2025" in year9
    # the blank term II and whole-year columns of both tables say why they are blank
    assert year9.count("Chuyển trường trước khi kết thúc học kỳ II") == 1 + 1
    assert "8,0" in year9 and "8,3" not in year9  # term I printed, term II absent
    assert "Được lên lớp / ở lại lớp: Chuyển đi ngày 10/03/2025 đến Trường THCS Lê Lợi" in year9
    # the year before was complete: no such sentence there
    assert "Chuyển trường trước" not in pages[2]


def test_the_receiving_school_tells_the_same_move_as_a_transfer_in():
    from signing.form import transfer_text

    t = _transcript(_left_in_march(canonical_frames()), "79THCS02")
    [move] = t.transfers
    assert (move.direction, move.other_school_code) == ("in", "79THCS01")
    assert transfer_text(move, t) == "Chuyển đến ngày 10/03/2025 từ Trường THCS Nguyễn Du"


def test_both_schools_recording_a_move_give_it_once():
    frames = _left_in_march(canonical_frames())
    records = frames["student_records"].with_columns(
        pl.when(pl.col("record_id") == "smas:2:a9").then(pl.lit("transferred_out"))
        .otherwise(pl.col("status")).alias("status"),
        pl.when(pl.col("record_id") == "smas:2:a9").then(pl.lit("79THCS02"))
        .otherwise(pl.col("transfer_school_code")).alias("transfer_school_code"),
        pl.when(pl.col("record_id") == "smas:2:a9").then(pl.lit(dt.date(2025, 3, 8)))
        .otherwise(pl.col("status_date")).alias("status_date"),
    )
    t = _transcript({**frames, "student_records": records}, "79THCS01")
    [move] = t.transfers
    assert move.direction == "out" and move.date == dt.date(2025, 3, 8)  # the issuer's own date


@needs_poppler
def test_signer_names_appear_under_the_blocks_once_signed(transcript, signer_map, tmp_path):
    """Issued unsigned with no names known (the service's path), then signed: each signature
    writes its certificate's name into its block."""
    setup = SigningSetup(signers={}, homeroom="homeroom", principal="principal", seal="seal",
                         teachers=TEACHERS)
    plan = plan_for(transcript, setup)
    unsigned = render_transcript(transcript, plan, created=CREATED)
    before = " ".join(_flat(p) for p in _pages(unsigned, tmp_path))
    assert not any(name in before for name in CN.values())
    signed = sign_document(unsigned, plan, signer_map)
    pages = [_flat(p) for p in _pages(signed, tmp_path)]
    year9, last = pages[-3], pages[-2]
    for key in ("teacher1", "teacher2", "teacher3", "homeroom"):
        assert CN[key] in year9, key
    # the stamp: the certificate's name, then when; under the block's title
    assert "Phạm Thu Dung Đã ký số:" in year9
    assert year9.index("GIÁO VIÊN CHỦ NHIỆM") < year9.index("Phạm Thu Dung")
    assert "HIỆU TRƯỞNG (Ký, ghi rõ họ tên và đóng dấu) Hoàng Quốc Đạt Đã ký số:" in last
    assert "(Ký số và đóng dấu số: trang 5)" in year9  # where the principal signs
    assert "Trường THCS Thử Nghiệm" in pages[1]  # the seal, across the photo of page 1
    assert not any(name in pages[2] for name in CN.values())  # the earlier year: not signed here
    assert "nhà trường xác nhận kết quả ở trang 5" in pages[2]  # and says where it is confirmed


@needs_poppler
def test_the_roster_name_is_printed_before_signing(transcript, tmp_path):
    setup = SigningSetup(signers={}, homeroom="homeroom", principal="principal", seal="seal",
                         teachers=TEACHERS, names={"homeroom": "Phạm Thị Thu Dung"})
    pdf = render_transcript(transcript, plan_for(transcript, setup), created=CREATED)
    year9 = _flat(_pages(pdf, tmp_path)[-3])
    assert year9.index("GIÁO VIÊN CHỦ NHIỆM") < year9.index("Phạm Thị Thu Dung")
    assert "Đã ký số" not in year9


def test_signature_widgets_are_visible_printable_and_pdfa_ready(signed_bb):
    """PDF/A-3: a visible widget prints, has a normal appearance, and its fonts are embedded."""
    reader = PdfFileReader(io.BytesIO(signed_bb))
    widgets = [
        a.get_object()
        for page in reader.root["/Pages"]["/Kids"]
        for a in page.get_object().get("/Annots", [])
    ]
    assert len(widgets) == 6
    for widget in widgets:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        assert x2 - x1 > 20 and y2 - y1 > 10  # visible
        assert int(widget["/F"]) & 4 and not int(widget["/F"]) & 2  # printed, not hidden
        appearance = widget["/AP"]["/N"].get_object()
        for font in appearance["/Resources"]["/Font"].values():
            cid = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in cid["/FontDescriptor"]
        # the stamp draws with the document's own embedded font: no second copy per signature
        page_fonts = reader.root["/Pages"]["/Kids"][0].get_object()["/Resources"]["/Font"]
        stamp_font = appearance["/Resources"]["/Font"].raw_get("/F1")
        assert stamp_font.idnum == page_fonts.raw_get("/F1").idnum


def test_the_stamps_still_verify(pki, signed_bb):
    assert verify_pdf(signed_bb, trust_roots=[pki.root]).ok


@needs_poppler
def test_header_page_numbers_and_closing_count(transcript, tmp_path):
    pages = [_flat(p) for p in _pages(render_transcript(transcript, None, created=CREATED),
                                      tmp_path) if p.strip()]
    assert len(pages) == 5
    for i, page in enumerate(pages, 1):
        assert page.endswith(f"Trang {i}/5")
    assert "SỞ GD&ĐT THÀNH PHỐ HỒ CHÍ MINH" in pages[1]
    assert "TRƯỜNG THCS NGUYỄN DU" in pages[1]
    assert re.search("Ảnh 3 ?x ?4", pages[1])
    assert "Học bạ này gồm 5 trang" in pages[-1]
    assert "2 năm học, từ 2023-2024 đến 2024-2025" in pages[-1]
    assert "TP. Hồ Chí Minh, ngày 02 tháng 6 năm 2025" in pages[-1]


def test_marks_and_dates_as_vietnamese_writes_them(transcript):
    assert [mark(v) for v in ("8.0", "10.0", "D", "CD", None)] == ["8,0", "10,0", "Đ", "CĐ", ""]
    january = transcript.model_copy(update={"issued_on": dt.date(2026, 1, 5)})
    assert place_and_date(january) == "TP. Hồ Chí Minh, ngày 05 tháng 01 năm 2026"


@needs_poppler
def test_a_long_subject_name_wraps_inside_its_cell(transcript, tmp_path):
    year = transcript.current_year
    long = year.subjects[0].model_copy(
        update={"name": "Hoạt động trải nghiệm, hướng nghiệp (nội dung giáo dục của địa phương)"}
    )
    t = transcript.model_copy(
        update={"years": (*transcript.years[:-1],
                          year.model_copy(update={"subjects": (long, *year.subjects[1:])}))}
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(render_transcript(t, None, created=CREATED))
    out = subprocess.run(["pdftotext", "-f", "4", "-l", "4", "-bbox", str(path), "-"],
                         capture_output=True, check=True, text=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', out)
    start = next(i for i, w in enumerate(words) if w[2] == "trải") - 2
    cell = words[start:start + 13]
    assert " ".join(w[2] for w in cell) == long.name
    assert all(float(x1) <= 50 + 165 for _, x1, _ in cell)  # inside the subject column


@needs_poppler
def test_a_document_with_other_fonts_gets_a_font_of_its_own_for_the_stamp(
    transcript, signer_map, tmp_path, monkeypatch
):
    """A transcript rendered by another version (another font subset): the stamp embeds the
    current font in its own revision rather than drawing glyph ids the document's font lacks."""
    import signing.appearance as appearance

    setup = SigningSetup(signers={}, homeroom="homeroom", principal="principal", seal="seal",
                         teachers=TEACHERS)
    plan = plan_for(transcript, setup)
    unsigned = render_transcript(transcript, plan, created=CREATED)
    monkeypatch.setattr(appearance, "_cmap", lambda bold: b"another subset")
    signed = sign_document(unsigned, plan, signer_map)
    assert "Phạm Thu Dung Đã ký số:" in _flat(_pages(signed, tmp_path)[-3])
    reader = PdfFileReader(io.BytesIO(signed))
    page_fonts = reader.root["/Pages"]["/Kids"][0].get_object()["/Resources"]["/Font"]
    widget = reader.root["/AcroForm"]["/Fields"][0].get_object()
    stamp_fonts = widget["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    assert stamp_fonts.raw_get("/F1").idnum != page_fonts.raw_get("/F1").idnum
