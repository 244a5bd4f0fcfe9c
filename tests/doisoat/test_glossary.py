"""The glossary: every code the system emits reads in Vietnamese, and values as people write."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from doisoat import glossary
from doisoat.conflict_types import CONFLICT_TYPES, SEVERITY_ORDER
from doisoat.glossary import (
    evidence_rows,
    fmt_date,
    fmt_datetime_vn,
    fmt_decimal,
    fmt_probability,
    label,
)
from doisoat.model import CONFLICT_STATUSES, SOURCES, STATUSES, RunBase, StudentRecord
from doisoat.vn.subjects import SUBJECTS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("doisoat", "connectors", "reconcile", "reports", "signing", "service", "simulate")


def _emitted_actions() -> set[str]:
    """Every audit action written anywhere in the code: ``action="x.y"``, ``"action": "x.y"``,
    and the lifecycle's ``f"conflict.{status}"`` (one per conflict status)."""
    found: set[str] = set()
    # keyword arguments (``action="x"``: no spaces, as formatted code writes them), dict keys,
    # and module constants named ``*_ACTION``
    pattern = re.compile(r"""(?:\baction=|"action":\s*|_ACTION\s*=\s*)f?"([a-z_.{}]+)\"""")
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for action in pattern.findall(path.read_text(encoding="utf-8")):
                if "{" in action:
                    prefix = action.split("{")[0]
                    found.update(f"{prefix}{status}" for status in CONFLICT_STATUSES)
                elif action:
                    found.add(action)
    return found


# Keys of dict literals in the rules that are frame columns or lookups, never evidence.
NOT_EVIDENCE = {"1", "2", "cluster_id", "code_key", "grade_then", "id", "klass", "level",
                "pid_key", "required"}  # fmt: skip


def _evidence_keys() -> set[str]:
    """Every key the conflict rules may write into a conflict's evidence: each string key of a
    dict literal in ``reconcile/conflicts`` and each keyword of an ``.update`` there, less the
    few that are frame columns (``NOT_EVIDENCE``)."""
    import ast

    keys: set[str] = set()
    for path in (ROOT / "reconcile" / "conflicts").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys.update(
                    k.value for k in node.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                )  # fmt: skip
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
                keys.update(k.arg for k in node.keywords if k.arg)
    return keys - NOT_EVIDENCE


def test_every_evidence_key_the_rules_write_has_a_label():
    keys = _evidence_keys()
    assert {"registry_match", "match_probability", "differences", "regular_count"} <= keys
    missing = sorted(k for k in keys if label("field", k) == k)
    assert not missing, f"evidence keys without a label: {missing}"


def test_the_scan_finds_the_actions_people_see_on_the_audit_page():
    actions = _emitted_actions()
    assert {"conflict.new", "conflict.acknowledged", "run.requested", "link.undo"} <= actions


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("conflict_type", list(CONFLICT_TYPES)),
        ("status", list(CONFLICT_STATUSES)),
        ("severity", list(SEVERITY_ORDER)),
        ("source", list(SOURCES)),
        ("enrollment_status", list(STATUSES)),
        ("sex", ["M", "F"]),
        ("subject", list(SUBJECTS)),
        ("run_status", [s.strip() for s in RunBase.model_fields["status"].description.split("|")]),
        ("audit_event", sorted(_emitted_actions())),
        ("field", [c for c in StudentRecord.model_fields if c not in ("id",)]),
    ],
)
def test_every_code_the_system_emits_has_a_vietnamese_label(kind, codes):
    missing = [code for code in codes if label(kind, code) == code]
    assert not missing, f"{kind}: no label for {missing}"


def test_the_words_of_the_issue():
    assert label("field", "full_name") == "Họ và tên"
    assert label("field", "dob") == "Ngày sinh"
    assert label("field", "identity_code") == "Mã định danh"
    assert label("source", "moet") == "CSDL ngành"
    assert label("source", "quangich") == "Quảng Ích"
    assert label("enrollment_status", "transferred_in") == "Chuyển đến"
    assert label("sex", "F") == "Nữ"
    assert label("audit_event", "conflict.new") == "Phát hiện vấn đề mới"
    assert label("run_status", "committed") == "Hoàn tất"
    assert label("subject", "cong_nghe") == "Công nghệ"
    assert label("conflict_type", "DUAL_ENROLLMENT") == "Đang học ở hai trường"


def test_an_unknown_code_reads_as_itself_and_nothing_raises():
    assert label("field", "something_new") == "something_new"
    assert label("no_such_kind", "x") == "x"
    assert label("status", None) == glossary.EMPTY
    assert glossary.labels("no_such_kind") == {}


def test_dates_and_times_as_a_vietnamese_office_writes_them():
    assert fmt_date(dt.date(2012, 6, 18)) == "18/06/2012"
    assert fmt_date("2012-06-18") == "18/06/2012"
    assert fmt_date(dt.datetime(2026, 6, 10, 23, 0)) == "10/06/2026"
    assert fmt_date(None) == "—"
    assert fmt_date("không rõ") == "không rõ"  # shown, not hidden
    # 20:30 UTC is 03:30 the next morning in Vietnam
    assert fmt_datetime_vn(dt.datetime(2026, 6, 10, 20, 30, tzinfo=dt.UTC)) == "11/06/2026 03:30"
    assert fmt_datetime_vn("2026-06-10T20:30:00+00:00") == "11/06/2026 03:30"
    assert fmt_datetime_vn(dt.datetime(2026, 6, 10, 20, 30)) == "11/06/2026 03:30"  # naive = UTC


def test_decimals_take_a_comma_and_round_half_up():
    assert fmt_decimal(7) == "7,0"
    assert fmt_decimal(6.45) == "6,5"
    assert fmt_decimal(8.25, 2) == "8,25"
    assert fmt_decimal(1234.5) == "1.234,5"
    assert fmt_decimal(None) == "—"


def test_match_probability_as_a_percentage_with_words():
    assert fmt_probability(0.9998) == "99,98 % (gần như chắc chắn)"
    # never rounded up to a certainty the model did not give
    assert fmt_probability(0.9999999999999987) == "99,99 % (gần như chắc chắn)"
    assert fmt_probability(0.97) == "97,00 % (rất có thể)"
    assert fmt_probability(0.6).endswith("(chưa chắc chắn)")
    assert fmt_probability(0.1).endswith("(khó có khả năng)")


def test_evidence_reads_as_labelled_rows_grades_included():
    raw = {
        "dob": "2012-06-18",
        "gender": {"vendor": "M", "registry": "F"},
        "registry_match": {"full_name": "Lê Thị Ánh", "match_probability": 0.9999999999999987},
        "subject": "cong_nghe",
        "term": "1",
        "exported": {"midterm": 7.0, "final": 8.25, "regular_scores": [7, 8.5]},
        "status": "transferred_in",
    }
    rows = dict(evidence_rows(raw))
    assert rows["Ngày sinh"] == "18/06/2012"
    assert rows["Giới tính › Phần mềm"] == "Nam" and rows["Giới tính › CSDL ngành"] == "Nữ"
    assert rows["Học sinh khớp trong CSDL ngành › Xác suất trùng khớp"].startswith("99,99 %")
    assert rows["Môn học"] == "Công nghệ" and rows["Học kỳ"] == "Học kỳ I"
    assert rows["Phần mềm ghi › Điểm giữa kỳ"] == "7,0"
    assert rows["Phần mềm ghi › Điểm cuối kỳ"] == "8,25"
    assert rows["Phần mềm ghi › Điểm đánh giá thường xuyên"] == "7,0; 8,5"
    assert rows["Trạng thái"] == "Chuyển đến"
    text = " ".join(f"{k} {v}" for k, v in rows.items())
    for raw_word in ("midterm", "exported", "cong_nghe", "transferred_in", "2012-06-18", "0.99"):
        assert raw_word not in text
    assert evidence_rows('{"dob": "2012-06-18"}') == [("Ngày sinh", "18/06/2012")]


def test_every_comparison_and_level_doisoat_explain_prints_has_words():
    """``doisoat explain`` prints each scored pair field by field: every comparison of the
    student and registry profiles, every level it can reach (and «missing»), and the pair's
    decision read in Vietnamese, none as the engine's code."""
    from doisoat.glossary import level_label
    from reconcile.decide import DECISIONS
    from reconcile.student import registry_profile, student_profile

    for profile in (student_profile(), registry_profile()):
        for comparison in profile.comparisons:
            assert label("comparison", comparison.name) != comparison.name, comparison.name
            for level in (*comparison.levels, "missing"):
                words = level_label(comparison.name, level)
                assert words != level and not re.search(r"[a-z]_[a-z]|<=|>=", words), level
    assert [label("match_decision", d) for d in DECISIONS] == [
        "Cùng một học sinh", "Cần người xem xét", "Khác học sinh"]  # fmt: skip
    assert level_label("father_name", "jaro_winkler>=0.9") == "Gần giống (Jaro-Winkler ≥ 0,9)"
    assert level_label("personal_id", "levenshtein<=1") == "Khác tối đa 1 ký tự"
    assert level_label("dob", "close") != level_label("name", "close")
