"""The homeroom teacher's comment, end to end: simulate → vendor export → ingest into the store →
transcript → XML, JSON and the signed PDF a receiving school reads; and on the page, long
comments wrap inside their box instead of running over the signatures."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hocba_data import CREATED, ISSUED, SUBJECT_NAMES
from lxml import etree

import simulate
from connectors import ingest_paths
from doisoat.errors import SigningError
from signing import (
    build_transcript,
    from_json,
    from_xml,
    issue_transcript,
    load_transcript_inputs,
    render_transcript,
    to_json,
    to_xml,
)
from signing.xmlio import NS, schema
from simulate.exports import write_district

NIGHT = dt.date(2026, 6, 10)
VENDORS = ["smas", "quangich"]
LABEL = "Nhận xét của giáo viên chủ nhiệm:"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils absent")


@pytest.fixture(scope="module")
def district():
    """Two schools (SMAS, Quảng Ích), the first class of each grade, with the registry rows."""
    district = simulate.generate(2_000, seed=7, night=NIGHT)
    schools = district.schools.head(2).with_columns(
        pl.Series("vendor", VENDORS), pl.lit("unicode").alias("export_text")
    )
    vendor_of = dict(zip(schools["school_code"], schools["vendor"], strict=True))
    records = district.records.filter(pl.col("school_code").is_in(list(vendor_of)))
    first = records.filter(pl.col("class_name").is_not_null()).group_by(
        "school_code", "grade").agg(pl.col("class_name").min())
    records = records.join(first, on=["school_code", "class_name"], how="semi").with_columns(
        pl.when(pl.col("source") == "moet").then(pl.lit("moet"))
        .otherwise(pl.col("school_code").replace_strict(vendor_of, default=None))
        .alias("source")
    )
    return replace(district, schools=schools, records=records)


@pytest.fixture(scope="module")
def exported(district, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    write_district(district, out)
    return out


def _known_student(district, vendor: str) -> tuple[str, str]:
    """(identity code, comment of the year) of a student with one secondary-school record."""
    vendor_rows = district.records.filter(pl.col("source") != "moet")
    once = vendor_rows.group_by("moet_code").len().filter(pl.col("len") == 1)
    candidates = vendor_rows.filter(
        (pl.col("source") == vendor)
        & (pl.col("status") == "studying")
        & (pl.col("grade") >= 6)
        & pl.col("moet_code").str.contains(r"^\d{10}$")
    ).join(once, on="moet_code", how="semi")
    year_rows = district.term_results.filter(pl.col("term") == "year")
    row = candidates.join(year_rows, on="record_id").sort("local_id").row(0, named=True)
    return row["moet_code"], row["homeroom_comment"]


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "hocba.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


@needs_poppler
@pytest.mark.parametrize("vendor", VENDORS)
def test_the_comment_reaches_xml_json_and_the_signed_pdf(
    district, exported, engine, vendor, setup_bb, tmp_path
):
    summary = ingest_paths([exported], engine=engine, night=NIGHT)
    assert not summary.refused, [f.message_vi for f in summary.refused]
    code, comment = _known_student(district, vendor)
    assert comment
    inputs = load_transcript_inputs(engine, identity_codes=[code])
    t = build_transcript(
        inputs["student_records"], inputs["subject_results"], inputs["term_results"],
        inputs["schools"], code, issued_on=ISSUED,
    )
    assert t.current_year.homeroom_comment == comment

    xml = to_xml(t)
    root = etree.fromstring(xml)
    found = root.findall(f"{{{NS}}}Years/{{{NS}}}Year/{{{NS}}}HomeroomComment")
    assert [e.text for e in found][-1] == comment
    assert from_xml(xml) == t

    as_json = to_json(t)
    assert json.loads(as_json)["years"][-1]["homeroom_comment"] == comment
    assert from_json(as_json) == t

    signed = issue_transcript(t, setup_bb, created=CREATED)
    text = _pdf_text(signed, tmp_path)
    assert f"{LABEL} {comment}" in text


def test_the_schema_accepts_a_year_with_and_without_a_comment(transcript):
    year = transcript.current_year
    with_comment = transcript.model_copy(update={"years": (
        *transcript.years[:-1],
        year.model_copy(update={"homeroom_comment": "Ngoan, lễ phép & chăm chỉ <tích cực>."}),
    )})
    without = transcript.model_copy(update={"years": tuple(
        y.model_copy(update={"homeroom_comment": ""}) for y in transcript.years
    )})
    for t in (with_comment, without):
        xml = to_xml(t)  # validates before returning
        assert schema().validate(etree.fromstring(xml))
        assert from_xml(xml) == t
    assert b"HomeroomComment" not in to_xml(without)
    assert "&lt;tích cực&gt;" in to_xml(with_comment).decode()


def test_the_schema_still_rejects_a_comment_out_of_place(transcript):
    t = transcript.model_copy(update={"years": (
        *transcript.years[:-1],
        transcript.current_year.model_copy(update={"homeroom_comment": "Chăm ngoan."}),
    )})
    root = etree.fromstring(to_xml(t))
    year = root.find(f"{{{NS}}}Years")[-1]
    comment = year.find(f"{{{NS}}}HomeroomComment")
    year.remove(comment)
    year.insert(0, comment)  # before the subjects: not where version 1.0 puts it
    assert not schema().validate(root)


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) of the year page of the current year (the one before the
    closing confirmation, the last page)."""
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    tree = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    page = tree.findall(".//page")[-2]
    return [(w.text or "", *(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
            for w in page.iter("word")]


def _with_comment(frames, comment: str):
    return build_transcript(
        frames["student_records"], frames["subject_results"], frames["term_results"],
        frames["schools"], "7912345678", issued_on=ISSUED, subject_names=SUBJECT_NAMES,
        homeroom_comments={"smas:2:a9": comment},
    )


@needs_poppler
def test_a_long_comment_wraps_inside_its_box_above_the_signatures(frames, tmp_path):
    sentence = ("Em ngoan, lễ phép, chăm chỉ, có ý thức tự giác trong học tập và rèn luyện; "
                "tích cực tham gia phong trào thi đua của lớp và của trường. ")
    link = "https://truong.example.vn/" + "nhan-xet-" * 20  # one word wider than the line
    comment = (sentence * 6 + link).strip()
    t = _with_comment(frames, comment)
    words = _words(render_transcript(t, None, created=CREATED), tmp_path)
    texts = [w[0] for w in words]
    start = texts.index("chủ") + 2  # after "… giáo viên chủ nhiệm:"
    end = texts.index("GIÁO", start)  # the homeroom teacher's signature title
    printed = words[start:end]
    assert "".join(w[0] for w in printed) == "".join(comment.split())
    page_width = 595.28
    assert all(50 <= x0 and x1 <= page_width - 50 for _, x0, _, x1, _ in printed)
    assert len({round(y0) for _, _, y0, _, _ in printed}) >= 8  # many lines, not one
    signature_top = words[end][2]
    assert max(y1 for *_, y1 in printed) < signature_top


def test_a_comment_no_page_can_hold_is_refused_in_vietnamese(frames):
    t = _with_comment(frames, "Chăm ngoan, học giỏi. " * 400)
    with pytest.raises(SigningError) as caught:
        render_transcript(t, None, created=CREATED)
    message = caught.value.message_vi
    assert "Nhận xét của giáo viên chủ nhiệm năm học 2024-2025" in message
    assert "Nguyễn Thị Ánh Tuyết" in message
    assert f"{len(t.current_year.homeroom_comment)} ký tự" in message
    # a comment of a few sentences still fits the same page
    short = _with_comment(frames, "Chăm ngoan, học giỏi. " * 40)
    assert render_transcript(short, None, created=CREATED).startswith(b"%PDF")
