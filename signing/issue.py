"""Issue transcripts: build → XML → PDF/A-3 → signatures, for a class, a student or a
study-record confirmation. The service functions behind ``doisoat transcript issue``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from doisoat.errors import SigningError
from signing import messages as msg
from signing import render, xmlio
from signing.appearance import common_name
from signing.build import build_from_group, group_inputs
from signing.execute import sign_document
from signing.model import Kind, Transcript
from signing.pdfa import build_pdf
from signing.plan import PadesLevel, SigningPlan, principal_plan, standard_plan
from signing.subjects import ANY_SUBJECT, resolve_teachers

LEFT_THE_CLASS = ("transferred_out", "dropped_out")


@dataclass
class SigningSetup:
    """Who signs for a school: signer objects by key, and the roles they hold."""

    signers: Mapping[str, signers.Signer]
    homeroom: str
    principal: str
    seal: str
    teachers: Mapping[str, Sequence[str]] = field(default_factory=dict)  # key -> subject codes
    level: PadesLevel = "B-B"
    timestamper: TimeStamper | None = None
    validation_context: ValidationContext | None = None
    location: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # key -> full name (teacher roster)
    verify_url: str = ""  # the service's public address: the QR code links to its /verify

    def name_of(self, key: str) -> str:
        """The name printed under a block before signing: the roster's, else the CN of the
        certificate the key signs with (unknown for a plan without keys: left to the stamp)."""
        if self.names.get(key):
            return self.names[key]
        signer = self.signers.get(key)
        return common_name(signer.signing_cert) if signer is not None else ""


def plan_for(transcript: Transcript, setup: SigningSetup) -> SigningPlan:
    """The plan of one transcript: the teachers of the subjects of its latest year sign.

    The ``[teachers]`` table names subjects by code (any case, with or without diacritics) or by
    Vietnamese name; one that names no subject at all is refused (``signing.subjects``) rather
    than leaving its subjects to the ``"*"`` teacher without a word.
    """
    if transcript.kind == "xac_nhan":
        return principal_plan(
            principal=setup.principal,
            level=setup.level,
            principal_name=setup.name_of(setup.principal),
        )
    year = transcript.current_year
    lines = list(year.subjects) if year else []
    owned = resolve_teachers(setup.teachers, lines)
    assigned: dict[str, list[str]] = {}
    wildcard = [k for k, subs in setup.teachers.items() if ANY_SUBJECT in subs]
    missing = []
    for line in lines:
        owners = [k for k, codes in owned.items() if line.code in codes] or wildcard[:1]
        if not owners:
            missing.append(line.code)
            continue
        assigned.setdefault(owners[0], []).append(line.code)
    names = {s.code: s.name for s in lines}
    if missing and year is not None:
        raise _without_teacher(year.class_name, year.school_year, missing, names)
    keys = {*assigned, setup.homeroom, setup.principal, setup.seal}
    return standard_plan(
        teachers=assigned,
        homeroom=setup.homeroom,
        principal=setup.principal,
        seal=setup.seal,
        level=setup.level,
        subject_names=names,
        signer_names={k: setup.name_of(k) for k in keys},
    )


def _without_teacher(
    class_name: str, school_year: str, codes: Sequence[str], names: Mapping[str, str]
) -> SigningError:
    labels = [f"{names[c]} ({c})" if names.get(c, c) != c else c for c in codes]
    return SigningError(
        f"no teacher signs {list(codes)} in class {class_name} {school_year}",
        message_vi=msg.SUBJECT_WITHOUT_TEACHER.format(
            class_name=class_name or "?", year=school_year, subjects=", ".join(labels)
        ),
        details={"subjects": list(codes)},
    )


def check_teachers(transcripts: Sequence[Transcript], setup: SigningSetup) -> None:
    """Refuse a batch before signing anything when some subject of it has no teacher in the
    setup: one error naming every such subject, rather than a class folder signed halfway.
    Entries of ``[teachers]`` that name no subject are refused first, for the whole batch."""
    lines = [
        line
        for t in transcripts
        if t.kind != "xac_nhan" and t.current_year is not None
        for line in t.current_year.subjects
    ]
    resolve_teachers(setup.teachers, lines)
    missing: dict[tuple[str, str], dict[str, str]] = {}
    for t in transcripts:
        try:
            plan_for(t, setup)
        except SigningError as exc:
            year = t.current_year
            if year is None or "subjects" not in exc.details:
                raise
            names = {s.code: s.name for s in year.subjects}
            found = missing.setdefault((year.class_name, year.school_year), {})
            found.update({c: names.get(c, c) for c in exc.details["subjects"]})
    if missing:
        (class_name, school_year), subjects = min(missing.items())
        raise _without_teacher(class_name, school_year, sorted(subjects), subjects)


def render_transcript(
    transcript: Transcript,
    plan: SigningPlan | None,
    *,
    created: dt.datetime,
    verify_url: str = "",
) -> bytes:
    """The unsigned PDF/A-3 with the XML attached and the plan's empty signature fields.

    With ``verify_url`` (the service's public address) the QR code is a link to its
    verification page; without, the bare payload, readable offline."""
    return build_pdf(
        transcript,
        render.layout(transcript, plan),
        xmlio.to_xml(transcript),
        plan,
        created=created,
        verify_url=verify_url,
    )


def issue_transcript(
    transcript: Transcript, setup: SigningSetup, *, created: dt.datetime | None = None
) -> bytes:
    """Render and sign one transcript in the legal order."""
    plan = plan_for(transcript, setup)
    created = created or dt.datetime.now(dt.UTC)
    pdf = render_transcript(transcript, plan, created=created, verify_url=setup.verify_url)
    return sign_document(
        pdf,
        plan,
        setup.signers,
        timestamper=setup.timestamper,
        validation_context=setup.validation_context,
        location=setup.location,
    )


def file_name(transcript: Transcript) -> str:
    prefix = "XacNhan_" if transcript.kind == "xac_nhan" else "HocBa_"
    return prefix + transcript.number.replace("/", "_") + ".pdf"


def build_class(
    inputs: Mapping[str, pl.DataFrame],
    *,
    school_code: str,
    class_name: str,
    school_year: str,
    issued_on: dt.date,
    kind: Kind = "hoc_ba",
    subject_names: Mapping[str, str] | None = None,
) -> list[Transcript]:
    """Transcripts of every student of a class (vendor records of that school, class, year).

    A student who left the class (transferred out, dropped out) is not in it: their transcript
    is issued on its own, when they leave (``build_students``), by this school and with this
    school's year, not with the year the receiving school holds by now.
    """
    records = inputs["student_records"]
    members = records.filter(
        (pl.col("school_code") == school_code)
        & (pl.col("class_name") == class_name)
        & (pl.col("school_year") == school_year)
        & (pl.col("source") != "moet")
        & pl.col("moet_code").is_not_null()
        & ~pl.col("status").is_in(list(LEFT_THE_CLASS)).fill_null(False)
    )
    codes = set(members.get_column("moet_code").to_list())
    if not codes:
        raise SigningError(
            f"class {class_name} {school_year} of {school_code} has no student",
            message_vi=msg.CLASS_EMPTY.format(
                class_name=class_name, year=school_year, school=school_code
            ),
        )
    return _build_many(
        inputs,
        codes,
        issued_on=issued_on,
        issuer=school_code,
        kind=kind,
        subject_names=subject_names,
    )


def build_students(
    inputs: Mapping[str, pl.DataFrame],
    identity_codes: Sequence[str],
    *,
    issued_on: dt.date,
    issuing_school_code: str | None = None,
    kind: Kind = "hoc_ba",
    subject_names: Mapping[str, str] | None = None,
) -> list[Transcript]:
    """A transfer-out (one student) or a confirmation: same builder, given identity codes."""
    return _build_many(
        inputs,
        set(identity_codes),
        issued_on=issued_on,
        issuer=issuing_school_code,
        kind=kind,
        subject_names=subject_names,
    )


def _build_many(
    inputs: Mapping[str, pl.DataFrame],
    codes: set[str],
    *,
    issued_on: dt.date,
    issuer: str | None,
    kind: Kind,
    subject_names: Mapping[str, str] | None,
) -> list[Transcript]:
    from signing.build import _subject_names

    names = _subject_names(subject_names)
    records = inputs["student_records"].filter(pl.col("moet_code").is_in(list(codes)))
    schools = {row["school_code"]: row for row in inputs["schools"].to_dicts()}
    out = []
    for code, recs, subj, terms in group_inputs(
        records, inputs["subject_results"], inputs["term_results"]
    ):
        out.append(
            build_from_group(
                recs,
                subj,
                terms,
                schools,
                code,
                issued_on=issued_on,
                issuing_school_code=issuer,
                kind=kind,
                subject_names=names,
            )
        )
    missing = codes - {t.student.identity_code for t in out}
    if missing:
        code = sorted(missing)[0]
        raise SigningError(
            f"no record with identity code {code}", message_vi=msg.NO_RECORDS.format(code=code)
        )
    return sorted(out, key=lambda t: t.number)


def write_issued(
    transcripts: Sequence[Transcript],
    setup: SigningSetup,
    out_dir: Path,
    *,
    created: dt.datetime | None = None,
    with_json: bool = False,
    signed: bool = True,
) -> list[Path]:
    """Sign each transcript and write it to ``out_dir/<school>/<class>/``.

    ``signed=False`` writes them with empty signature fields in the plan's order, for the
    teachers and the principal to sign one by one through the service.
    """
    check_teachers(transcripts, setup)
    written = []
    for t in transcripts:
        year = t.current_year
        folder = out_dir / t.issuing_school_code / ((year.class_name if year else "") or "_")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(t)
        if signed:
            path.write_bytes(issue_transcript(t, setup, created=created))
        else:
            path.write_bytes(render_transcript(t, plan_for(t, setup),
                                               created=created or dt.datetime.now(dt.UTC),
                                               verify_url=setup.verify_url))
        if with_json:
            path.with_suffix(".json").write_text(xmlio.to_json(t), encoding="utf-8")
        written.append(path)
    return written


def describe(t: Transcript) -> dict[str, Any]:
    return {"number": t.number, "name": t.student.full_name, "years": len(t.years)}
