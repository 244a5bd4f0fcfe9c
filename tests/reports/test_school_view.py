"""Schools by name wherever a person reads a sentence, and the one rule of what another school's
data a school may read (:mod:`reports.withhold`), on small hand-made conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import name_schools, withhold
from reports.messages import WITHHELD, WITHHELD_RECORD, WITHHELD_STUDENT
from reports.school_view import school_item

NAMES = {"79000001": "Trường THCS Hai Bà Trưng", "79002": "THCS Lê Lợi"}


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("(lớp 10A1, trường 79000001)", "(lớp 10A1, Trường THCS Hai Bà Trưng (79000001))"),
        ("Trường 79002 thực hiện", "Trường THCS Lê Lợi (79002) thực hiện"),
        ("chuyển đi 79002: 1 chỗ khác", "chuyển đi THCS Lê Lợi (79002): 1 chỗ khác"),
        ("ở 2 trường: 79000001, 79002.", "ở 2 trường: Trường THCS Hai Bà Trưng (79000001), "
         "THCS Lê Lợi (79002)."),
        # identity codes, record ids, dates and unknown codes are not schools
        ("mã 7900000199, hồ sơ smas:1:79002, ngày 10/06/2026, trường 79999",
         "mã 7900000199, hồ sơ smas:1:79002, ngày 10/06/2026, trường 79999"),
    ],
)  # fmt: skip
def test_a_sentence_names_its_schools(text: str, read: str) -> None:
    assert name_schools(text, NAMES) == read


@given(st.lists(st.sampled_from(["trường 79000001", "79002", " ", ", ", "(79002)", "lớp 6A1",
                                 "Trường THCS Lê Lợi (79002)", "7900000199", "."]), max_size=8))
def test_naming_twice_reads_as_naming_once(parts: list[str]) -> None:  # fmt: skip
    once = name_schools("".join(parts), NAMES)
    assert name_schools(once, NAMES) == once


OWN = {"record_id": "smas:2:HS01", "source": "smas", "school_code": "79001",
       "full_name": "Trần Thị Ánh", "dob": dt.date(2012, 6, 18), "class_name": "6A1",
       "moet_code": "7900000001", "local_id": "HS01"}  # fmt: skip
SAME_ELSEWHERE = {"record_id": "vnedu:3:Q77", "source": "vnedu", "school_code": "79002",
                  "full_name": "Trần Thi Anh", "dob": dt.date(2012, 6, 18), "class_name": "6A",
                  "moet_code": "7955555555", "local_id": "Q77",
                  "status": "transferred_in"}  # fmt: skip
OTHER_STUDENT = {"record_id": "vnedu:3:Q88", "source": "vnedu", "school_code": "79002",
                 "full_name": "Lê Văn Bình", "dob": dt.date(2011, 1, 2), "class_name": "7B9",
                 "moet_code": "7966666666", "local_id": "Q88"}  # fmt: skip


def test_the_same_student_elsewhere_keeps_the_schools_own_data_and_hides_the_others() -> None:
    item = {
        "type": "DUAL_ENROLLMENT", "school_code": "79001",
        "record_ids": ["smas:2:HS01", "vnedu:3:Q77"],
        "message_vi": "Trần Thị Ánh (6A1) ở 79002 là Trần Thi Anh, lớp 6A, mã 7955555555, "
                      "hồ sơ vnedu:3:Q77, sinh 18/06/2012.",
        "suggested_fix": "Chuyển đi Trần Thị Ánh.",
        "evidence": {"records": [OWN | {"dob": "2012-06-18"},
                                 SAME_ELSEWHERE | {"dob": "2012-06-18"}]},
    }  # fmt: skip
    out = withhold(item, [SAME_ELSEWHERE], [OWN])
    assert out["message_vi"] == (
        f"Trần Thị Ánh (6A1) ở 79002 là {WITHHELD}, lớp {WITHHELD}, mã {WITHHELD}, "
        f"hồ sơ {WITHHELD_RECORD}, sinh 18/06/2012."
    )  # the class 6A of the other school is hidden, not inside the school's own 6A1
    assert out["record_ids"] == ["smas:2:HS01"] and out["hidden_records"] == 1
    own, elsewhere = out["evidence"]["records"]
    assert own["full_name"] == "Trần Thị Ánh" and own["class_name"] == "6A1"
    assert elsewhere == {"source": "vnedu", "school_code": "79002", "status": "transferred_in"}


def test_a_different_student_of_another_school_is_hidden_whole() -> None:
    item = {
        "type": "ID_SHARED", "school_code": "79001", "record_ids": ["smas:2:HS01", "vnedu:3:Q88"],
        "message_vi": "Mã 7966666666 của Lê Văn Bình (sinh 02/01/2011) trùng với Trần Thị Ánh.",
        "suggested_fix": "", "evidence": {"holders": ["Trần Thị Ánh", "Lê Văn Bình"]},
    }  # fmt: skip
    out = withhold(item, [OTHER_STUDENT], [OWN])
    assert out["message_vi"] == (
        f"Mã {WITHHELD_STUDENT} của {WITHHELD_STUDENT} (sinh {WITHHELD_STUDENT}) trùng với "
        "Trần Thị Ánh."
    )
    assert out["evidence"] == {"holders": ["Trần Thị Ánh", WITHHELD_STUDENT]}


def test_a_code_the_registry_gives_the_student_stays_for_the_fix() -> None:
    old = SAME_ELSEWHERE | {"moet_code": "7911111111"}
    item = {
        "type": "TRANSFER_CODE_CHANGED", "school_code": "79001",
        "record_ids": ["smas:2:HS01", "vnedu:3:Q77"],
        "message_vi": "Mã mới 7900000001, mã cũ 7911111111 ở trường 79002.",
        "suggested_fix": "Dùng lại mã định danh 7911111111.",
        "evidence": {"old_codes": ["7911111111"], "new_codes": ["7900000001"]},
    }  # fmt: skip
    view = school_item(item, "79001", [OWN, old], {"79002": "THCS Lê Lợi"})
    assert view["suggested_fix"] == "Dùng lại mã định danh 7911111111."
    assert view["message_vi"] == "Mã mới 7900000001, mã cũ 7911111111 ở trường THCS Lê Lợi (79002)."
    assert view["other_schools"] == ["THCS Lê Lợi (79002)"]
