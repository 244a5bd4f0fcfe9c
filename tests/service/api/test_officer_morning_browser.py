"""The officer's morning, walked in Chromium on a demo district: the dashboard says how the last
night went, a type's count leads to the list of exactly those problems, the report's link to a
school's Excel file works through the API, and a night started from the runs page is seen
committed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from doisoat.conflict_types import label_of
from tests.service.api.demo_district import (
    OFFICER,
    Demo,
    build_demo,
    chromium,
    login,
    needs_chromium,
    serve,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    built = build_demo(tmp_path_factory.mktemp("morning"), 600, seed=2)
    yield built
    built.engine.dispose()


@needs_chromium
def test_the_officer_follows_the_dashboard_and_starts_a_night(
    demo: Demo, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("DOISOAT_CONFIG", str(tmp_path / "none.toml"))  # no inbox: the store
    counts = {
        r["type"]: r["n"] for r in demo.rows(
            "SELECT type, count(*) AS n FROM conflict GROUP BY type")
    }  # fmt: skip
    chosen = max(counts, key=lambda t: (counts[t], t))
    night = demo.night
    with serve(demo) as base, chromium() as browser:
        page = browser.new_page()
        login(page, base, OFFICER)

        # the dashboard: last night, committed, and the counts by type
        assert page.locator("#last-run-status").inner_text() == "Hoàn tất"
        assert page.locator("#last-run-night").inner_text() == night.strftime("%d/%m/%Y")
        assert page.locator("#open-total").inner_text() == str(sum(counts.values()))
        row = page.locator("#by-type tbody tr", has_text=label_of(chosen))
        assert row.locator("td.num").inner_text() == str(counts[chosen])
        row.locator("a").click()

        # … into the list of just those problems, across the district's schools
        assert page.url.endswith(f"/conflicts?type={chosen}")
        assert page.locator("#total").inner_text() == str(counts[chosen])
        types = page.locator("#worklist tbody tr td:nth-child(2)").all_inner_texts()
        assert types and set(types) == {label_of(chosen)}
        assert page.locator("select[name=type] option:checked").inner_text() == label_of(chosen)
        schools = set(page.locator("#worklist tbody tr td:nth-child(5)").all_inner_texts())
        assert all(re.search(r"\(\d{8}\)$", s) for s in schools), schools  # name (code)

        # the night's report, and a school's Excel file from its link, through the API
        page.goto(f"{base}/")
        page.click("#report-link")
        assert "/api/v1/reports/" in page.url
        link = page.locator("a[href^='worklists/']").first
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / "from-report.xlsx"
        download.value.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK"  # an Excel file, not an error page

        # a new night from the runs page, seen committed
        page.goto(f"{base}/runs")
        next_night = night + dt.timedelta(days=1)
        page.fill("#run-form input[name=night]", next_night.isoformat())
        page.click("#start-run")
        shown = next_night.strftime("%d/%m/%Y")
        assert shown in page.locator("#run-started").inner_text()
        newest = page.locator("#runs tbody tr").first
        expect(newest).to_contain_text(shown, timeout=180_000)  # the page reloads itself
        expect(newest).to_contain_text("Hoàn tất", timeout=180_000)
        page.goto(f"{base}/")
        assert page.locator("#last-run-night").inner_text() == shown
        assert page.locator("#last-run-status").inner_text() == "Hoàn tất"


@needs_chromium
def test_only_officers_see_the_run_button(demo: Demo) -> None:
    with serve(demo) as base, chromium() as browser:
        page = browser.new_page()
        login(page, base, demo.admin(demo.schools[0]))
        page.goto(f"{base}/runs")
        assert page.locator("#run-form").count() == 0
        assert page.locator("h1").inner_text() == "Lịch sử đối soát"
