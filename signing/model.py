"""The standard transcript (học bạ) as plain data.

One model serves the XML, the JSON and the PDF: whatever a receiving school reads in any of the
three comes from the same object. Marks are kept as the strings a học bạ prints — a score with one
decimal (``"8.5"``) or a comment rating (``"D"`` Đạt / ``"CD"`` Chưa đạt) — so that nothing is
re-rounded between the formats.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Level = Literal["THCS", "THPT"]
Kind = Literal["hoc_ba", "xac_nhan"]
Rules = Literal["TT22", "TT58"]
Term = Literal["1", "2", "year"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Student(_Frozen):
    identity_code: str = Field(pattern=r"^\d{10}$")
    full_name: str
    family_name: str = ""
    middle_name: str = ""
    given_name: str = ""
    dob: dt.date | None = None
    gender: Literal["M", "F"] | None = None
    ethnicity: str | None = None
    birthplace: str | None = None
    personal_id: str | None = None
    father_name: str | None = None
    mother_name: str | None = None


class SubjectLine(_Frozen):
    code: str
    name: str
    assessment: Literal["score", "comment"]
    term1: str | None = None
    term2: str | None = None
    year: str | None = None


class TermOutcome(_Frozen):
    term: Term
    academic: str | None = None
    conduct: str | None = None
    absent_excused: int | None = None
    absent_unexcused: int | None = None


class SchoolYear(_Frozen):
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    grade: int = Field(ge=1, le=12)
    class_name: str = ""
    school_code: str
    school_name: str = ""
    rules: Rules
    subjects: tuple[SubjectLine, ...] = ()
    outcomes: tuple[TermOutcome, ...] = ()
    promotion: str | None = None
    title: str | None = None
    homeroom_comment: str = ""

    def outcome(self, term: Term) -> TermOutcome | None:
        return next((o for o in self.outcomes if o.term == term), None)


class Transfer(_Frozen):
    direction: Literal["in", "out"]
    date: dt.date | None = None
    school_year: str = ""
    school_code: str = Field(description="the school that records this transfer")
    other_school_code: str | None = None
    other_school_name: str | None = None


class Transcript(_Frozen):
    schema_version: str = SCHEMA_VERSION
    kind: Kind = "hoc_ba"
    number: str = Field(pattern=r"^\d{10}/(THCS|THPT)$")
    level: Level
    issued_on: dt.date
    issuing_school_code: str
    issuing_school_name: str = ""
    province_code: str | None = None
    student: Student
    years: tuple[SchoolYear, ...] = ()
    transfers: tuple[Transfer, ...] = ()

    @property
    def current_year(self) -> SchoolYear | None:
        """The latest school year: the one whose teachers sign this issue."""
        return self.years[-1] if self.years else None
