"""The transcript as XML (validated against our XSD both ways) and as JSON of the same content.

Every document we emit is validated before it leaves, and every one we accept is validated before
it is read: an invalid transcript is an error, never a partial object.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

from doisoat.errors import SigningError
from signing import messages as msg
from signing.model import SCHEMA_VERSION, Transcript

NS = "urn:doisoat:hocba:1.0"
_Q = f"{{{NS}}}"
SCHEMA_FILE = f"hocba-{SCHEMA_VERSION}.xsd"

_STUDENT_FIELDS = (
    ("full_name", "FullName", True),
    ("family_name", "FamilyName", True),
    ("middle_name", "MiddleName", True),
    ("given_name", "GivenName", True),
    ("dob", "Dob", False),
    ("gender", "Gender", False),
    ("ethnicity", "Ethnicity", False),
    ("birthplace", "Birthplace", False),
    ("personal_id", "PersonalId", False),
    ("father_name", "FatherName", False),
    ("mother_name", "MotherName", False),
)
_OUTCOME_ATTRS = (
    ("academic", "academic"),
    ("conduct", "conduct"),
    ("absent_excused", "absentExcused"),
    ("absent_unexcused", "absentUnexcused"),
)
_TRANSFER_ATTRS = (
    ("date", "date"),
    ("school_year", "schoolYear"),
    ("school_code", "schoolCode"),
    ("other_school_code", "otherSchoolCode"),
    ("other_school_name", "otherSchoolName"),
)


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    text = resources.files("signing").joinpath("schema", SCHEMA_FILE).read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def schema_bytes() -> bytes:
    return resources.files("signing").joinpath("schema", SCHEMA_FILE).read_bytes()


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _sub(parent: etree._Element, tag: str, value: Any) -> None:
    etree.SubElement(parent, _Q + tag).text = _text(value)


def _attrs(elem: etree._Element, obj: Any, pairs: tuple[tuple[str, str], ...]) -> None:
    for field, attr in pairs:
        value = getattr(obj, field)
        if value is not None:
            elem.set(attr, _text(value))


def to_xml(transcript: Transcript) -> bytes:
    """Serialise and validate; the bytes are canonical for a given transcript (hashable)."""
    t = transcript
    root = etree.Element(_Q + "HocBa", nsmap={None: NS})
    root.set("schemaVersion", t.schema_version)
    root.set("kind", t.kind)
    root.set("number", t.number)
    root.set("level", t.level)
    root.set("issuedOn", t.issued_on.isoformat())
    root.set("issuingSchoolCode", t.issuing_school_code)
    root.set("issuingSchoolName", t.issuing_school_name)
    if t.province_code:
        root.set("provinceCode", t.province_code)
    student = etree.SubElement(root, _Q + "Student", identityCode=t.student.identity_code)
    for field, tag, always in _STUDENT_FIELDS:
        value = getattr(t.student, field)
        if always or value not in (None, ""):
            _sub(student, tag, value if value is not None else "")
    years = etree.SubElement(root, _Q + "Years")
    for y in t.years:
        ye = etree.SubElement(
            years,
            _Q + "Year",
            schoolYear=y.school_year,
            grade=str(y.grade),
            className=y.class_name,
            schoolCode=y.school_code,
            schoolName=y.school_name,
            rules=y.rules,
        )
        for s in y.subjects:
            se = etree.SubElement(
                ye, _Q + "Subject", code=s.code, name=s.name, assessment=s.assessment
            )
            for field, tag in (("term1", "Term1"), ("term2", "Term2"), ("year", "YearMark")):
                if getattr(s, field) is not None:
                    _sub(se, tag, getattr(s, field))
        for o in y.outcomes:
            oe = etree.SubElement(ye, _Q + "Outcome", term=o.term)
            _attrs(oe, o, _OUTCOME_ATTRS)
        for field, tag in (("promotion", "Promotion"), ("title", "Title")):
            if getattr(y, field):
                _sub(ye, tag, getattr(y, field))
        if y.homeroom_comment:
            _sub(ye, "HomeroomComment", y.homeroom_comment)
    transfers = etree.SubElement(root, _Q + "Transfers")
    for tr in t.transfers:
        te = etree.SubElement(transfers, _Q + "Transfer", direction=tr.direction)
        _attrs(te, tr, _TRANSFER_ATTRS)
    validate_tree(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate_tree(root: etree._Element) -> None:
    xsd = schema()
    try:
        valid = xsd.validate(root)
    except etree.LxmlError as exc:  # e.g. unresolved entity references
        valid, problems = False, str(exc)
    else:
        problems = "; ".join(f"dòng {e.line}: {e.message}" for e in xsd.error_log[:5])
    if not valid:
        raise SigningError(
            f"transcript XML does not match schema {SCHEMA_VERSION}: {problems}",
            message_vi=msg.XML_INVALID.format(version=SCHEMA_VERSION, problem=problems),
        )


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML safely (no entities, no network) and validate it against the XSD."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SigningError(
            f"unreadable transcript XML: {exc}",
            message_vi=msg.XML_UNREADABLE.format(problem=exc),
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise SigningError(
            "transcript XML must not carry a DTD",
            message_vi=msg.XML_UNREADABLE.format(problem="có khai báo DTD"),
        )
    validate_tree(root)
    return root


def from_xml(data: bytes) -> Transcript:
    root = parse_xml(data)
    q = _Q
    st = root.find(q + "Student")
    student: dict[str, Any] = {"identity_code": st.get("identityCode")}
    for field, tag, _ in _STUDENT_FIELDS:
        el = st.find(q + tag)
        if el is not None:
            student[field] = el.text or ""
    years = []
    for ye in root.find(q + "Years"):
        subjects = []
        for se in ye.findall(q + "Subject"):
            marks = {
                field: (se.findtext(q + tag))
                for field, tag in (("term1", "Term1"), ("term2", "Term2"), ("year", "YearMark"))
            }
            subjects.append(
                {
                    "code": se.get("code"),
                    "name": se.get("name"),
                    "assessment": se.get("assessment"),
                    **marks,
                }
            )
        outcomes = [
            {"term": oe.get("term"), **{f: oe.get(a) for f, a in _OUTCOME_ATTRS}}
            for oe in ye.findall(q + "Outcome")
        ]
        years.append(
            {
                "school_year": ye.get("schoolYear"),
                "grade": int(ye.get("grade")),
                "class_name": ye.get("className") or "",
                "school_code": ye.get("schoolCode"),
                "school_name": ye.get("schoolName") or "",
                "rules": ye.get("rules"),
                "subjects": subjects,
                "outcomes": outcomes,
                "promotion": ye.findtext(q + "Promotion"),
                "title": ye.findtext(q + "Title"),
                "homeroom_comment": ye.findtext(q + "HomeroomComment") or "",
            }
        )
    transfers = [
        {"direction": te.get("direction"), **{f: te.get(a) for f, a in _TRANSFER_ATTRS}}
        for te in root.find(q + "Transfers")
    ]
    return Transcript.model_validate(
        {
            "schema_version": root.get("schemaVersion"),
            "kind": root.get("kind"),
            "number": root.get("number"),
            "level": root.get("level"),
            "issued_on": root.get("issuedOn"),
            "issuing_school_code": root.get("issuingSchoolCode"),
            "issuing_school_name": root.get("issuingSchoolName") or "",
            "province_code": root.get("provinceCode"),
            "student": student,
            "years": years,
            "transfers": transfers,
        }
    )


def to_json(transcript: Transcript) -> str:
    return transcript.model_dump_json(indent=2)


def from_json(text: str | bytes) -> Transcript:
    return Transcript.model_validate_json(text)
