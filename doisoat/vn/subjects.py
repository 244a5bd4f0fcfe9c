"""Subjects of lower and upper secondary school, and which assessment rules apply when.

Canonical subject codes cover the 2018 curriculum (GDPT 2018, assessed under Thông tư 22/2021)
and the older one (assessed under Thông tư 58/2011 as amended by Thông tư 26/2020); a subject
the two share (Toán, Ngữ văn …) has one code. ``subject_code`` reads the names and
abbreviations vendors use. Periods per year are those of GDPT 2018 (``periods_per_year``);
``periods_tt58`` gives the older programme's figures, which are indicative only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from .text import fold

Level = Literal["primary", "thcs", "thpt"]
Rules = Literal["tt22", "tt58", "tt27"]


@dataclass(frozen=True)
class Subject:
    code: str
    name_vi: str
    short: str  # the abbreviation gradebooks print
    assessment: Literal["score", "comment"]
    periods_per_year: Mapping[str, int]  # GDPT 2018, by level: {"thcs": 140, "thpt": 105}
    grade_periods: Mapping[int, int] = field(default_factory=dict)  # GDPT 2018 exceptions
    periods_tt58: Mapping[str, int] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The Vietnamese name (same as ``name_vi``), for callers that ask for ``name``."""
        return self.name_vi


def _s(code, name, short, assessment, periods, aliases=(), grade_periods=None, tt58=None):
    return Subject(code, name, short, assessment, periods, grade_periods or {}, tt58 or {}, aliases)


SUBJECTS: dict[str, Subject] = {
    s.code: s
    for s in (
        _s("toan", "Toán", "Toán", "score", {"thcs": 140, "thpt": 105},
           ("toan hoc",), tt58={"thcs": 140, "thpt": 105}),
        _s("ngu_van", "Ngữ văn", "Văn", "score", {"thcs": 140, "thpt": 105},
           ("van", "van hoc", "nv"), tt58={"thcs": 140, "thpt": 105}),
        _s("ngoai_ngu_1", "Ngoại ngữ 1", "NN1", "score", {"thcs": 105, "thpt": 105},
           ("ngoai ngu", "tieng anh", "anh", "anh van", "ta", "nn", "tieng phap", "tieng nga",
            "tieng trung", "tieng trung quoc", "tieng nhat", "tieng han", "tieng han quoc",
            "tieng duc"), tt58={"thcs": 105, "thpt": 105}),
        _s("khtn", "Khoa học tự nhiên", "KHTN", "score", {"thcs": 140}, ("khoa hoc tu nhien",)),
        _s("ls_dl", "Lịch sử và Địa lí", "LS&ĐL", "score", {"thcs": 105},
           ("lich su va dia li", "lich su va dia ly", "lich su dia li", "lich su dia ly", "lsdl",
            "ls va dl", "ls dia")),
        _s("gdcd", "Giáo dục công dân", "GDCD", "score", {"thcs": 35},
           ("giao duc cong dan", "cong dan"), tt58={"thcs": 35, "thpt": 35}),
        _s("gdktpl", "Giáo dục kinh tế và pháp luật", "GDKT&PL", "score", {"thpt": 70},
           ("giao duc kinh te va phap luat", "gdkt va pl", "ktpl", "kinh te va phap luat",
            "kinh te phap luat")),
        _s("cong_nghe", "Công nghệ", "CN", "score", {"thcs": 35, "thpt": 70}, ("cn",),
           grade_periods={9: 52}, tt58={"thcs": 52, "thpt": 52}),
        _s("tin_hoc", "Tin học", "Tin", "score", {"thcs": 35, "thpt": 70}, ("tin",),
           tt58={"thcs": 70, "thpt": 52}),
        _s("gdtc", "Giáo dục thể chất", "GDTC", "comment", {"thcs": 70, "thpt": 70},
           ("giao duc the chat", "the duc", "td"), tt58={"thcs": 70, "thpt": 70}),
        _s("nghe_thuat", "Nghệ thuật", "NT", "comment", {"thcs": 70}, ("nghe thuat", "nt")),
        _s("am_nhac", "Âm nhạc", "ÂN", "comment", {"thcs": 35, "thpt": 70},
           ("am nhac", "nhac", "nghe thuat am nhac", "nt am nhac", "an"), tt58={"thcs": 35}),
        _s("mi_thuat", "Mĩ thuật", "MT", "comment", {"thcs": 35, "thpt": 70},
           ("mi thuat", "my thuat", "nghe thuat mi thuat", "nghe thuat my thuat", "nt mi thuat",
            "nt my thuat", "mt"), tt58={"thcs": 35}),
        _s("hdtn_hn", "Hoạt động trải nghiệm, hướng nghiệp", "HĐTN-HN", "comment",
           {"thcs": 105, "thpt": 105},
           ("hoat dong trai nghiem huong nghiep", "hoat dong trai nghiem va huong nghiep",
            "hoat dong trai nghiem", "hd trai nghiem huong nghiep", "hdtn", "hdtn va hn",
            "trai nghiem huong nghiep")),
        _s("gddp", "Nội dung giáo dục của địa phương", "GDĐP", "comment",
           {"thcs": 35, "thpt": 35},
           ("noi dung giao duc cua dia phuong", "noi dung giao duc dia phuong",
            "giao duc dia phuong", "giao duc cua dia phuong", "nd gddp", "ndgddp")),
        _s("vat_li", "Vật lí", "Lí", "score", {"thpt": 70},
           ("vat ly", "ly", "li", "vl"), tt58={"thcs": 35, "thpt": 70}, grade_periods={}),
        _s("hoa_hoc", "Hóa học", "Hóa", "score", {"thpt": 70}, ("hoa", "hh"),
           tt58={"thcs": 70, "thpt": 70}),
        _s("sinh_hoc", "Sinh học", "Sinh", "score", {"thpt": 70}, ("sinh", "sh"),
           tt58={"thcs": 70, "thpt": 52}),
        _s("lich_su", "Lịch sử", "Sử", "score", {"thpt": 52}, ("su", "ls"),
           tt58={"thcs": 35, "thpt": 52}),
        _s("dia_li", "Địa lí", "Địa", "score", {"thpt": 70}, ("dia ly", "dia", "dl"),
           tt58={"thcs": 35, "thpt": 52}),
        _s("gdqp_an", "Giáo dục quốc phòng và an ninh", "GDQP-AN", "score", {"thpt": 35},
           ("giao duc quoc phong va an ninh", "giao duc quoc phong an ninh", "gdqp", "gdqp va an",
            "quoc phong", "quoc phong va an ninh", "qp an", "gdqpan"), tt58={"thpt": 35}),
    )
}  # fmt: skip

THPT_ELECTIVES = (
    "dia_li", "gdktpl", "vat_li", "hoa_hoc", "sinh_hoc", "cong_nghe", "tin_hoc", "am_nhac",
    "mi_thuat",
)  # fmt: skip
"""GDPT 2018 upper secondary: each student takes four of these."""
DEFAULT_THPT_ELECTIVES = ("vat_li", "hoa_hoc", "sinh_hoc", "tin_hoc")

_CURRICULUM = {
    ("tt22", "thcs"): (
        "toan", "ngu_van", "ngoai_ngu_1", "gdcd", "ls_dl", "khtn", "cong_nghe", "tin_hoc",
        "gdtc", "am_nhac", "mi_thuat", "hdtn_hn", "gddp",
    ),
    ("tt22", "thpt"): (
        "toan", "ngu_van", "ngoai_ngu_1", "lich_su", "gdtc", "gdqp_an", "hdtn_hn", "gddp",
    ),
    ("tt58", "thcs"): (
        "toan", "vat_li", "hoa_hoc", "sinh_hoc", "ngu_van", "lich_su", "dia_li", "ngoai_ngu_1",
        "gdcd", "cong_nghe", "tin_hoc", "gdtc", "am_nhac", "mi_thuat",
    ),
    ("tt58", "thpt"): (
        "toan", "vat_li", "hoa_hoc", "sinh_hoc", "ngu_van", "lich_su", "dia_li", "ngoai_ngu_1",
        "gdcd", "cong_nghe", "tin_hoc", "gdtc", "gdqp_an",
    ),
}  # fmt: skip

# First school year (its starting calendar year) in which each grade is assessed under TT22.
TT22_FROM: dict[int, int] = {6: 2021, 7: 2022, 10: 2022, 8: 2023, 11: 2023, 9: 2024, 12: 2024}


def level_of(grade: int) -> Level:
    """``primary`` for grades 1–5, ``thcs`` for 6–9, ``thpt`` for 10–12."""
    if not 1 <= int(grade) <= 12:
        raise ValueError(f"grade must be 1–12, not {grade!r}")
    return "primary" if grade <= 5 else "thcs" if grade <= 9 else "thpt"


def _start_year(school_year: str | int) -> int:
    if isinstance(school_year, int):
        return school_year
    m = re.match(r"\s*(\d{4})", str(school_year))
    if not m:
        raise ValueError(f"school year must look like '2024-2025', not {school_year!r}")
    return int(m[1])


def rules_for(grade: int, school_year: str | int) -> Rules:
    """The assessment rules of a grade in a school year (``"2024-2025"`` or its start year).

    ``tt22`` once GDPT 2018 reached the grade (grade 6 from 2021-22, 7 and 10 from 2022-23,
    8 and 11 from 2023-24, 9 and 12 from 2024-25), ``tt58`` before; primary grades give
    ``tt27``, which this service does not assess.
    """
    if level_of(grade) == "primary":
        return "tt27"
    return "tt22" if _start_year(school_year) >= TT22_FROM[grade] else "tt58"


def curriculum_subjects(
    level: Level,
    grade: int,
    rules: Literal["tt22", "tt58"] = "tt22",
    electives: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """Subject codes a grade studies; at THPT under TT22, compulsory ones plus ``electives``
    (four of ``THPT_ELECTIVES``, by default the natural-science group). Empty for primary."""
    if level == "primary":
        return ()
    subjects = list(_CURRICULUM[(rules, level)])
    if rules == "tt58" and level == "thcs":
        if grade < 8:
            subjects.remove("hoa_hoc")
    if rules == "tt22" and level == "thpt":
        chosen = tuple(electives) if electives is not None else DEFAULT_THPT_ELECTIVES
        unknown = [c for c in chosen if c not in THPT_ELECTIVES]
        if unknown:
            raise ValueError(f"not upper-secondary electives: {unknown}")
        subjects += [c for c in chosen if c not in subjects]
    return tuple(subjects)


def periods_per_year(
    code: str, level: Level, grade: int | None = None, rules: Literal["tt22", "tt58"] = "tt22"
) -> int | None:
    """Periods a year of a subject at a level (and grade), or None when not taught there."""
    subject = SUBJECTS[code]
    if rules == "tt58":
        return subject.periods_tt58.get(level)
    if grade is not None and grade in subject.grade_periods:
        return subject.grade_periods[grade]
    return subject.periods_per_year.get(level)


def regular_scores_required(code: str, level: Level, grade: int | None = None) -> int:
    """TT22 regular assessments per term: 2 up to 35 periods a year, 3 for 36–70, 4 above."""
    periods = periods_per_year(code, level, grade)
    if periods is None:
        raise ValueError(f"{code} is not taught at {level} under GDPT 2018")
    return 2 if periods <= 35 else 3 if periods <= 70 else 4


def _key(name: str) -> str:
    text = fold(name).replace("&", " va ").replace("+", " va ")
    text = re.sub(r"\bmon( hoc)?\b", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _variants(key: str) -> list[str]:
    without_va = " ".join(w for w in key.split() if w != "va")
    out = [key, without_va, key.replace(" ", ""), without_va.replace(" ", "")]
    return [v for v in out if v]


_ALIASES: dict[str, str] = {}
for _subject in SUBJECTS.values():
    for _name in (_subject.code.replace("_", " "), _subject.name_vi, _subject.short,
                  *_subject.aliases):  # fmt: skip
        for _variant in _variants(_key(_name)):
            _ALIASES.setdefault(_variant, _subject.code)


@lru_cache(maxsize=4096)
def subject_code(name: str) -> str | None:
    """Canonical code of a subject name as vendors write it, or None when not recognised.

    Tolerant to case, diacritics, ``&``/``và``, punctuation and spacing: ``LS&ĐL``,
    ``Lịch sử và Địa lí``, ``lich su - dia ly`` all give ``ls_dl``.
    """
    if not name or not name.strip():
        return None
    key = _key(name)
    candidates = _variants(key)
    bare = _key(re.sub(r"\(.*?\)", " ", name))  # "Tiếng Anh (hệ 10 năm)"
    candidates += _variants(bare)
    for candidate in candidates:
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return None
