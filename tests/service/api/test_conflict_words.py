"""A school reads the same conflicts, with the same words, in its Excel worklist and on the web.

Both read the registry (``doisoat.conflict_types``) and the one definition of *open*
(``doisoat.model.OPEN_CONFLICT_STATUSES``): a conflict the school acknowledged is still open (it
is answered, not fixed), so it stays on both worklists, marked as acknowledged.
"""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
from sqlalchemy import Engine
from sqlmodel import Session

from doisoat.conflict_types import CONFLICT_TYPES, STATUS_LABELS, label_of
from doisoat.model import Conflict
from reports import write_night_report
from reports.messages import WORKLIST_COLUMNS
from service.api.auth import csrf_token, issue_token
from tests.service.api.world import NIGHT, SCHOOL_A, World

HEADER = 3  # 1-based row of a worklist sheet's column headers
TYPE_COL = WORKLIST_COLUMNS.index("Loại vấn đề")
STATUS_COL = WORKLIST_COLUMNS.index("Tình trạng")
ID_COL = WORKLIST_COLUMNS.index("Mã vấn đề")


def _sign_in(world: World, user: str) -> str:
    session = issue_token(world.engine, user, kind="session", hours=1)
    world.client.cookies.set("doisoat_session", session)
    return session


def _excel_rows(engine: Engine, tmp_path) -> dict[str, tuple]:
    """Conflict id → row of school A's Excel worklist, over every family sheet."""
    from doisoat.store import runs

    if runs.committed_run(engine, NIGHT) is None:  # a report needs the night to have been run
        runs.finish_run(engine, runs.start_run(engine, NIGHT), "committed", {})
    files = write_night_report(engine, NIGHT, tmp_path / "report")
    (path,) = [p for p in files.worklists if p.stem == SCHOOL_A]
    book = openpyxl.load_workbook(path)
    rows = {}
    for sheet in book.worksheets:
        if sheet.cell(HEADER, 1).value != WORKLIST_COLUMNS[0]:
            continue  # the summary, the how-to and the hidden mark are not lists of conflicts
        for row in sheet.iter_rows(min_row=HEADER + 1, values_only=True):
            if isinstance(row[0], int):
                rows[row[ID_COL]] = row
    return rows


def _web_rows(world: World) -> dict[str, tuple[str, str]]:
    """Conflict id → (type label, status label) on school A's web worklist (open, the default)."""
    page = world.client.get(f"/schools/{SCHOOL_A}/worklist")
    assert page.status_code == 200
    body = page.text.split('<table id="worklist"', 1)[1]
    rows = {}
    for cells in re.findall(r'<tr class="sev-[^"]*">(.*?)</tr>', body, flags=re.S):
        tds = [html.unescape(re.sub(r"<[^>]+>", "", td.split("<br>")[0])).strip()
               for td in re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)]  # fmt: skip
        cid = re.search(r'href="/conflicts/([^"]+)"', cells).group(1)
        rows[cid] = (tds[1], tds[6])  # severity, type, student, class, message, fix, status
    return rows


def test_an_acknowledged_conflict_stays_on_both_worklists_marked_as_such(world: World, tmp_path):
    session = _sign_in(world, "admin_a")
    answered = world.client.post(
        "/conflicts/c-a-mismatch/acknowledge",
        data={"reason": "Đã báo SMAS, chờ cập nhật", "csrf": csrf_token(session)},
        follow_redirects=False,
    )
    assert answered.status_code == 303

    web = _web_rows(world)
    assert web["c-a-mismatch"][1] == STATUS_LABELS["acknowledged"]
    excel = _excel_rows(world.engine, tmp_path)
    assert set(excel) == set(web)  # the same open conflicts of school A in both
    status = excel["c-a-mismatch"][STATUS_COL]
    assert STATUS_LABELS["acknowledged"] in status
    assert "admin_a" in status and "Đã báo SMAS, chờ cập nhật" in status


def test_the_excel_worklist_and_the_web_page_name_every_type_alike(world: World, tmp_path):
    with Session(world.engine) as session:
        for i, (code, entry) in enumerate(CONFLICT_TYPES.items()):
            session.add(
                Conflict(
                    conflict_id=f"every-{i:02d}", type=code, severity=entry.severity,
                    school_code=SCHOOL_A, record_ids='["smas:1:A1"]', evidence="{}",
                    suggested_fix="", message_vi=f"Vấn đề {code}", status="new",
                    first_seen=NIGHT, last_seen=NIGHT,
                )
            )  # fmt: skip
        session.commit()
    _sign_in(world, "admin_a")
    web = _web_rows(world)
    excel = _excel_rows(world.engine, tmp_path)
    listed = world.client.get(f"/api/v1/conflicts.csv?school={SCHOOL_A}&limit=500")
    reader = csv.DictReader(io.StringIO(listed.text.lstrip("\ufeff")))
    csv_rows = {r["Mã vấn đề"]: r for r in reader}
    for i, code in enumerate(CONFLICT_TYPES):
        cid = f"every-{i:02d}"
        assert web[cid][0] == excel[cid][TYPE_COL] == label_of(code), code
        assert csv_rows[cid]["Loại vấn đề"] == label_of(code), code
    assert label_of("GRADE_ASSESSMENTS_MISSING") != "GRADE_ASSESSMENTS_MISSING"
