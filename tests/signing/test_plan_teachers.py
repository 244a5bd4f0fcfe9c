"""A class whose subject has no teacher in the signing setup is refused before anything is
signed, with a Vietnamese message naming the subject and the class."""

from __future__ import annotations

import pytest
from hocba_data import ISSUED, SUBJECT_NAMES

from doisoat.errors import SigningError
from signing import SigningSetup, build_class, check_teachers, plan_for, write_issued


@pytest.fixture
def class_9a1(frames):
    return build_class(
        frames, school_code="79THCS01", class_name="9A1", school_year="2024-2025",
        issued_on=ISSUED, subject_names=SUBJECT_NAMES,
    )


def _setup(teachers: dict[str, list[str]]) -> SigningSetup:
    return SigningSetup(signers={}, homeroom="homeroom", principal="principal", seal="seal",
                        teachers=teachers)


def test_a_subject_without_teacher_stops_the_class_before_any_file(class_9a1, tmp_path):
    assert len(class_9a1) == 2
    setup = _setup({"teacher1": ["TOAN", "GDTC"]})
    with pytest.raises(SigningError) as caught:
        write_issued(class_9a1, setup, tmp_path)
    message = caught.value.message_vi
    assert message.startswith("Lớp 9A1 năm học 2024-2025: môn ")
    assert "Ngữ văn (NGU_VAN)" in message and "Lịch sử và Địa lí (LSDL)" in message
    assert "Toán" not in message
    assert "[teachers]" in message  # where the officer fixes it
    assert caught.value.details["subjects"] == ["LSDL", "NGU_VAN"]
    assert not list(tmp_path.rglob("*.pdf"))


def test_one_transcript_names_its_missing_subject(class_9a1):
    with pytest.raises(SigningError) as caught:
        plan_for(class_9a1[0], _setup({"teacher1": ["TOAN", "NGU_VAN", "GDTC"]}))
    assert "môn Lịch sử và Địa lí (LSDL) chưa có giáo viên bộ môn ký" in caught.value.message_vi


def test_a_teacher_for_the_other_subjects_covers_the_class(class_9a1):
    setup = _setup({"teacher1": ["TOAN"], "teacher2": ["*"]})
    check_teachers(class_9a1, setup)  # no error
    fields = [s.field for s in plan_for(class_9a1[0], setup).steps]
    assert len(fields) == 5  # two teachers, the homeroom teacher, the principal, the seal


def test_teachers_named_by_code_in_any_case_or_by_vietnamese_name(class_9a1):
    setup = _setup({"teacher1": ["toan", "Ngữ văn"], "teacher2": ["gdtc"],
                    "teacher3": ["Lịch sử và Địa lí"]})
    check_teachers(class_9a1, setup)
    plan = plan_for(class_9a1[0], setup)
    subjects = {s.signer: set(s.subjects) for s in plan.steps if s.role == "subject_teacher"}
    assert subjects == {"teacher1": {"TOAN", "NGU_VAN"}, "teacher2": {"GDTC"},
                        "teacher3": {"LSDL"}}


def test_a_subject_code_the_store_does_not_have_is_refused_not_left_to_the_star(class_9a1,
                                                                               tmp_path):
    setup = _setup({"teacher1": ["MATH", "NGU_VAN"], "teacher2": ["*"]})
    with pytest.raises(SigningError) as caught:
        write_issued(class_9a1, setup, tmp_path)
    message = caught.value.message_vi
    assert "mục [teachers]: «MATH» của teacher1 không phải môn học nào" in message
    assert "TOAN (Toán)" in message and "LSDL (Lịch sử và Địa lí)" in message  # the valid ones
    assert caught.value.details["unknown_subjects"] == ["MATH"]
    assert not list(tmp_path.rglob("*.pdf"))
    with pytest.raises(SigningError):  # one transcript alone is refused the same way
        plan_for(class_9a1[0], setup)
