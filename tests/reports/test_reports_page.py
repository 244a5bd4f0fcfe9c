"""The night's report: its numbers, its JSON twin, and the page as a browser shows it."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib

import jsonschema
import night_factory as factory
import polars as pl
import pytest

from doisoat.model import OPEN_CONFLICT_STATUSES
from reports import build_report, report_schema, validate_report, worklist_items, write_report
from reports.catalog import CONFLICT_TYPES
from reports.messages import CONFLICT_TYPES as TYPE_LABELS


def test_summary_and_changes_count_what_the_officer_expects(night_inputs):
    report = build_report(night_inputs)
    summary = report["summary"]
    assert summary["conflicts_open"] == len(CONFLICT_TYPES)  # one open conflict of every type
    assert {t["type"] for t in summary["by_type"]} == set(CONFLICT_TYPES)
    assert sum(summary["by_severity"].values()) == len(CONFLICT_TYPES)
    assert summary["by_severity"]["critical"] == 3
    assert summary["students"] == 24 and summary["registry_students"] == 24
    assert summary["schools"] == 3 and summary["schools_with_conflicts"] == 3
    changes = report["changes"]
    assert changes["previous_night"] == factory.PREVIOUS.isoformat()
    assert changes["acknowledged"] == 1  # answered, still open: counted, and on the worklist
    assert changes["new"] + changes["reopened"] + changes["persisting"] + changes[
        "acknowledged"
    ] == len(CONFLICT_TYPES)
    assert changes["resolved"] == 2  # resolved tonight; the one resolved days ago is not news
    dual = next(t for t in summary["by_type"] if t["type"] == "DUAL_ENROLLMENT")
    assert dual["resolved"] == 1 and dual["open"] == 1
    assert [t["night"] for t in report["trend"]][-1] == factory.NIGHT.isoformat()
    assert report["trend"][-1]["open"] == len(CONFLICT_TYPES)
    per_school = {s["school_code"]: s for s in report["schools"]}
    assert sum(s["open"] for s in per_school.values()) == len(CONFLICT_TYPES)
    assert per_school["79002"]["resolved"] == 2


def test_every_conflict_type_reads_in_vietnamese():
    for kind in CONFLICT_TYPES:
        assert TYPE_LABELS[kind] and TYPE_LABELS[kind] != kind


def test_json_follows_its_published_schema(night_inputs, tmp_path):
    files = write_report(night_inputs, tmp_path)
    document = json.loads(files.json.read_text(encoding="utf-8"))
    validate_report(document)
    items = [i for s in document["schools"] for i in s["items"]]
    assert len(items) == len(CONFLICT_TYPES)
    assert all(i["student"]["full_name"] for i in items if i["type"] != "SYNC_OVERDUE")
    item_status = report_schema()["$defs"]["item"]["properties"]["status"]["enum"]
    assert set(item_status) == set(OPEN_CONFLICT_STATUSES)  # one definition of "open"
    broken = json.loads(json.dumps(document))
    broken["summary"]["conflicts_open"] = "nhiều"
    with pytest.raises(jsonschema.ValidationError):
        validate_report(broken)
    del broken["summary"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(broken)


def test_the_page_is_self_contained(night_inputs, tmp_path):
    html = write_report(night_inputs, tmp_path, worklists=False).html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    assert html.count("<svg") == 2
    assert 'lang="vi"' in html and "10/06/2026" in html


def _png_is_not_blank(path) -> bool:
    """Decode the PNG (stdlib only) and check it has more than one colour in it."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, [], 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width = struct.unpack(">I", body[:4])[0]
        if kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = 1 + width * 4 if len(raw) % (1 + width * 4) == 0 else 1 + width * 3
    colours = set()
    for row in range(0, min(len(raw) // stride, 600), 7):
        line = raw[row * stride + 1 : (row + 1) * stride]
        colours.update(line[i : i + 3] for i in range(0, len(line) - 3, 97))
    return len(colours) > 5


@pytest.mark.timeout(180)
def test_the_report_renders_in_a_browser(night_inputs, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (Debian package 'chromium', system-packages.txt)")
    files = write_report(night_inputs, tmp_path / "out")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2000",
    ]
    url = files.html.as_uri()
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    summary = files.report["summary"]
    for element, value in (
        ("summary-schools", summary["schools"]),
        ("summary-students", summary["students"]),
        ("summary-open", summary["conflicts_open"]),
        ("summary-resolved", files.report["changes"]["resolved"]),
    ):
        assert re.search(rf'id="{element}">{value}<', dom), element
    for school in files.report["schools"]:
        section = re.search(
            rf'<section class="school" id="school-{school["school_code"]}".*?</section>',
            dom,
            re.S,
        )
        assert section, school["school_code"]
        assert section.group(0).count("<tr") == len(school["by_type"]) + 1
        assert f'href="worklists/{school["school_code"]}.xlsx"' in section.group(0)
        assert (files.directory / school["worklist"]).is_file()
    assert "Mã định danh thuộc học sinh khác" in dom  # the label the pages use too
    assert shot.is_file() and _png_is_not_blank(shot)


def test_items_follow_the_worklist_order(night_inputs):
    items = worklist_items(night_inputs)
    assert items.height == len(CONFLICT_TYPES)
    assert items["school_code"].to_list() == sorted(items["school_code"].to_list())


def test_conflicts_straight_from_reconcile_with_lists_of_ids(night_inputs):
    import polars as pl

    from reports import ReportInputs

    as_lists = factory.conflicts().with_columns(
        pl.col("record_ids").str.json_decode(pl.List(pl.String))
    )
    inputs = ReportInputs(
        night=factory.NIGHT, conflicts=as_lists, schools=factory.SCHOOLS, people=factory.people()
    )
    same = worklist_items(inputs)["full_name"].to_list()
    assert same == worklist_items(night_inputs)["full_name"].to_list()
    assert sum(1 for name in same if name) == len(CONFLICT_TYPES) - 1  # all but SYNC_OVERDUE


def test_quality_failures_and_excluded_schools_are_reported(tmp_path):
    from night_factory import broken_students

    from reports import ReportInputs, run_quality

    quality = run_quality(broken_students(), "smas", evaluator="columnar").to_frame(factory.NIGHT)
    extra = factory.SCHOOLS.head(1).with_columns(
        pl.lit("79000").alias("school_code"), pl.lit("THCS Thử Nghiệm").alias("name")
    )
    inputs = ReportInputs(
        night=factory.NIGHT,
        conflicts=factory.conflicts(),
        schools=pl.concat([factory.SCHOOLS, extra]),
        quality=quality,
    )
    files = write_report(inputs, tmp_path, worklists=False)
    validate_report(files.report)
    excluded = {
        (x["school_code"], tuple(x["descriptions_vi"])) for x in files.report["quality"]["excluded"]
    }
    assert ("79001", ("Cột mã định danh đúng định dạng (ít nhất một nửa)",)) in excluded
    assert {code for code, _ in excluded} == {"79000", "79001"}
    html = files.html.read_text(encoding="utf-8")
    assert 'id="quality-excluded"' in html
    assert "Giới tính là Nam hoặc Nữ" in html and "01/01/1995–31/12/2022" in html
    assert "05/05/1980" in html  # the example out of range, as a Vietnamese date
    # two students sharing a code in one school: the example names the school, not its code
    assert "THCS Thử Nghiệm (79000) | 7900000002" in html
    assert "<td>79000 |" not in html
