"""The night's report names schools and says times as an officer reads them."""

from __future__ import annotations

import datetime as dt
import re

import night_factory as factory
import polars as pl

from reports import ReportInputs, build_report, render_html

LONG = "Trường Trung học cơ sở Nguyễn Văn Trỗi – Phân hiệu Bình Chánh"


def test_chart_labels_are_whole_and_two_schools_of_one_name_stay_apart(night_inputs):
    schools = pl.DataFrame(
        {"school_code": ["79001", "79002", "79003"], "name": [LONG, LONG, "THPT Trần Phú"],
         "level": ["thcs", "thcs", "thpt"], "province_code": ["79"] * 3,
         "district": ["", "", ""], "vendor": ["smas", "vnedu", "vietschool"]}
    )  # fmt: skip
    inputs = ReportInputs(
        night=factory.NIGHT, conflicts=factory.conflicts(), schools=schools,
        people=factory.people(), student_counts=factory.student_counts(),
        generated_at=dt.datetime(2026, 6, 10, 20, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    page = render_html(build_report(inputs))
    chart = re.search(r'<svg[^>]*class="chart".*?</svg>', page, re.S).group(0)
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', chart)
    assert f"{LONG} (79001)" in labels and f"{LONG} (79002)" in labels
    assert not any(label.endswith("…") for label in labels)
    width = int(re.search(r'width="(\d+)"', chart).group(1))
    assert width > len(f"{LONG} (79001)") * 6  # room for the whole name
    # generated at 20:30 UTC: 03:30 the next morning in Vietnam
    assert "11/06/2026 03:30" in page


def test_a_report_built_from_frames_without_exports_names_no_silent_school(night_inputs):
    report = build_report(night_inputs)
    assert report["summary"]["schools_without_export"] == []
    assert all(s["sent_tonight"] is None for s in report["schools"])
