"""Build transcripts from canonical data: a pure function over plain frames, plus a thin reader.

``build_transcript`` sees only the canonical columns of docs/architecture.md (student records,
subject results, term results, schools); it never touches a session, a clock or a file, so the
same code serves the CLI, the tests and a partitioned batch run. ``load_transcript_inputs`` is
the one place that reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from pydantic import ValidationError

from doisoat.errors import SigningError
from doisoat.vn.subjects import SUBJECTS, TT22_FROM
from signing import messages as msg
from signing.model import (
    Kind,
    SchoolYear,
    Student,
    SubjectLine,
    TermOutcome,
    Transcript,
    Transfer,
)

Frame = pl.DataFrame | Iterable[Mapping[str, Any]]

_TRANSFER_STATUSES = {"transferred_out": "out", "transferred_in": "in"}


def rules_for(grade: int, school_year: str) -> str:
    start = int(school_year[:4])
    first = TT22_FROM.get(grade)
    return "TT22" if first is not None and start >= first else "TT58"


def level_for(grade: int) -> str | None:
    if 10 <= grade <= 12:
        return "THPT"
    if 6 <= grade <= 9:
        return "THCS"
    return None


def format_score(value: float | None) -> str | None:
    """One decimal, rounded half up, as the học bạ prints it (8.25 → 8.3, never banker's)."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _frame(data: Frame) -> pl.DataFrame:
    return data if isinstance(data, pl.DataFrame) else pl.DataFrame(list(data))


def _subject_names(explicit: Mapping[str, str] | None) -> Mapping[str, str]:
    if explicit is not None:
        return explicit
    return {code: subject.name_vi for code, subject in SUBJECTS.items()}


def build_transcript(
    student_records: Frame,
    subject_results: Frame,
    term_results: Frame,
    schools: Frame,
    identity_code: str,
    *,
    issued_on: dt.date,
    issuing_school_code: str | None = None,
    kind: Kind = "hoc_ba",
    subject_names: Mapping[str, str] | None = None,
    homeroom_comments: Mapping[str, str] | None = None,
) -> Transcript:
    """The transcript of one student, from every record that carries ``identity_code``.

    The registry's record (``source == "moet"``) gives the personal details, since its code and
    identity are authoritative; the schools' records give the years and the marks. The homeroom
    teacher's comment of a year is the one of its ``term == "year"`` result, unless
    ``homeroom_comments`` (by record id) gives another.
    """
    records = _frame(student_records)
    if records.is_empty() or "moet_code" not in records.columns:
        raise SigningError(
            f"no record with identity code {identity_code}",
            message_vi=msg.NO_RECORDS.format(code=identity_code),
        )
    mine = records.filter(pl.col("moet_code") == identity_code)
    ids = mine.get_column("record_id").to_list()
    subjects = _frame(subject_results)
    terms = _frame(term_results)
    if not subjects.is_empty():
        subjects = subjects.filter(pl.col("record_id").is_in(ids))
    if not terms.is_empty():
        terms = terms.filter(pl.col("record_id").is_in(ids))
    school_rows = {row["school_code"]: row for row in _frame(schools).to_dicts()}
    return build_from_group(
        mine.to_dicts(),
        subjects.to_dicts(),
        terms.to_dicts(),
        school_rows,
        identity_code,
        issued_on=issued_on,
        issuing_school_code=issuing_school_code,
        kind=kind,
        subject_names=_subject_names(subject_names),
        homeroom_comments=homeroom_comments or {},
    )


def build_from_group(
    records: list[dict[str, Any]],
    subject_rows: list[dict[str, Any]],
    term_rows: list[dict[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    identity_code: str,
    *,
    issued_on: dt.date,
    issuing_school_code: str | None = None,
    kind: Kind = "hoc_ba",
    subject_names: Mapping[str, str] | None = None,
    homeroom_comments: Mapping[str, str] | None = None,
) -> Transcript:
    """Same as :func:`build_transcript` over rows already narrowed to one student (batch use)."""
    if not (len(identity_code) == 10 and identity_code.isdigit()):
        raise SigningError(
            f"invalid identity code {identity_code!r}",
            message_vi=msg.BAD_IDENTITY_CODE.format(code=identity_code),
        )
    try:
        return _build(
            records,
            subject_rows,
            term_rows,
            schools,
            identity_code,
            issued_on=issued_on,
            issuing_school_code=issuing_school_code,
            kind=kind,
            subject_names=subject_names,
            homeroom_comments=homeroom_comments,
        )
    except ValidationError as exc:  # data the transcript schema cannot hold
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SigningError(
            f"transcript of {identity_code} cannot be built: {problem}",
            message_vi=msg.XML_INVALID.format(version="1.0", problem=problem),
        ) from exc


def _build(
    records: list[dict[str, Any]],
    subject_rows: list[dict[str, Any]],
    term_rows: list[dict[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    identity_code: str,
    *,
    issued_on: dt.date,
    issuing_school_code: str | None,
    kind: Kind,
    subject_names: Mapping[str, str] | None,
    homeroom_comments: Mapping[str, str] | None,
) -> Transcript:
    if not records:
        raise SigningError(
            f"no record with identity code {identity_code}",
            message_vi=msg.NO_RECORDS.format(code=identity_code),
        )
    names = subject_names or {}
    registry = [r for r in records if r.get("source") == "moet"]
    vendor = [r for r in records if r.get("source") != "moet"] or registry
    person = max(registry or vendor, key=lambda r: (r.get("school_year") or "", r["record_id"]))

    subjects_by_record: dict[str, list[dict[str, Any]]] = {}
    for row in subject_rows:
        subjects_by_record.setdefault(row["record_id"], []).append(row)
    terms_by_record: dict[str, list[dict[str, Any]]] = {}
    for row in term_rows:
        terms_by_record.setdefault(row["record_id"], []).append(row)

    chosen: dict[str, dict[str, Any]] = {}
    for rec in vendor:
        year = rec.get("school_year") or ""
        if not year or rec.get("grade") is None:
            continue
        # a year two schools hold (the year of a transfer): the issuing school's own record,
        # which its teachers sign; else the fuller, then the later one
        key = (rec.get("school_code") == issuing_school_code,
               len(subjects_by_record.get(rec["record_id"], ())), rec.get("snapshot_id") or 0)
        best = chosen.get(year)
        if best is None or key > best["_key"]:
            chosen[year] = {**rec, "_key": key}
    if not chosen:
        raise SigningError(
            f"no school year for {identity_code}",
            message_vi=msg.NO_RECORDS.format(code=identity_code),
        )
    latest = chosen[max(chosen)]
    level = level_for(int(latest["grade"]))
    if level is None:
        raise SigningError(
            f"{identity_code} has no secondary school year",
            message_vi=msg.NOT_SECONDARY.format(code=identity_code),
        )
    years = []
    for year in sorted(chosen):
        rec = chosen[year]
        if level_for(int(rec["grade"])) != level:
            continue
        years.append(
            _school_year(
                rec,
                subjects_by_record.get(rec["record_id"], []),
                terms_by_record.get(rec["record_id"], []),
                schools,
                names,
                (homeroom_comments or {}).get(rec["record_id"]),
            )
        )
    issuer = issuing_school_code or latest["school_code"]
    transfers = sorted(
        _moves(vendor, schools, issuer), key=lambda t: (t.date or dt.date.min, t.direction)
    )
    school = schools.get(issuer, {})
    return Transcript(
        kind=kind,
        number=f"{identity_code}/{level}",
        level=level,
        issued_on=issued_on,
        issuing_school_code=issuer,
        issuing_school_name=school.get("name") or "",
        province_code=school.get("province_code"),
        student=_student(person, identity_code),
        years=tuple(years),
        transfers=tuple(transfers),
    )


def _student(rec: Mapping[str, Any], identity_code: str) -> Student:
    return Student(
        identity_code=identity_code,
        full_name=rec.get("full_name")
        or " ".join(
            p for p in (rec.get("family_name"), rec.get("middle_name"), rec.get("given_name")) if p
        ),
        family_name=rec.get("family_name") or "",
        middle_name=rec.get("middle_name") or "",
        given_name=rec.get("given_name") or "",
        dob=rec.get("dob"),
        gender=rec.get("gender") if rec.get("gender") in ("M", "F") else None,
        ethnicity=rec.get("ethnicity"),
        birthplace=rec.get("birthplace"),
        personal_id=rec.get("personal_id"),
        father_name=rec.get("father_name"),
        mother_name=rec.get("mother_name"),
    )


def _mark(row: Mapping[str, Any] | None) -> str | None:
    if row is None:
        return None
    rating = row.get("rating")
    if rating in ("D", "CD"):
        return rating
    return format_score(row.get("average"))


def _school_year(
    rec: Mapping[str, Any],
    subject_rows: list[dict[str, Any]],
    term_rows: list[dict[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    homeroom_comment: str | None,
) -> SchoolYear:
    by_subject: dict[str, dict[str, dict[str, Any]]] = {}
    for row in subject_rows:
        by_subject.setdefault(row["subject"], {})[str(row["term"])] = row
    order = {code: i for i, code in enumerate(names)}
    lines = []
    for code in sorted(by_subject, key=lambda c: (order.get(c, len(order)), c)):
        terms = by_subject[code]
        commented = any(r.get("rating") in ("D", "CD") for r in terms.values())
        lines.append(
            SubjectLine(
                code=code,
                name=names.get(code, code),
                assessment="comment" if commented else "score",
                term1=_mark(terms.get("1")),
                term2=_mark(terms.get("2")),
                year=_mark(terms.get("year")),
            )
        )
    outcomes = []
    year_row: Mapping[str, Any] = {}
    for row in sorted(term_rows, key=lambda r: ("1", "2", "year").index(str(r["term"]))):
        if str(row["term"]) == "year":
            year_row = row
        outcomes.append(
            TermOutcome(
                term=str(row["term"]),
                academic=row.get("academic"),
                conduct=row.get("conduct"),
                absent_excused=row.get("absent_excused"),
                absent_unexcused=row.get("absent_unexcused"),
            )
        )
    school = schools.get(rec["school_code"], {})
    return SchoolYear(
        school_year=rec["school_year"],
        grade=int(rec["grade"]),
        class_name=rec.get("class_name") or "",
        school_code=rec["school_code"],
        school_name=school.get("name") or "",
        rules=rules_for(int(rec["grade"]), rec["school_year"]),
        subjects=tuple(lines),
        outcomes=tuple(outcomes),
        promotion=year_row.get("promotion"),
        title=year_row.get("title"),
        # an explicit comment (given by the caller) wins over the one the vendor exported
        homeroom_comment=(homeroom_comment or year_row.get("homeroom_comment") or "").strip(),
    )


def _transfer(rec: Mapping[str, Any], schools: Mapping[str, Mapping[str, Any]]) -> Transfer:
    other = rec.get("transfer_school_code")
    return Transfer(
        direction=_TRANSFER_STATUSES[rec["status"]],
        date=rec.get("status_date"),
        school_year=rec.get("school_year") or "",
        school_code=rec["school_code"],
        other_school_code=other,
        other_school_name=(schools.get(other, {}).get("name") if other else None),
    )


def _moves(
    records: list[dict[str, Any]], schools: Mapping[str, Mapping[str, Any]], issuer: str
) -> list[Transfer]:
    """Each move of the student once, told from the issuing school's side.

    A move is recorded by the school left (``transferred_out``) and by the school joined
    (``transferred_in``), often only by one of them. The transcript is the issuing school's
    word: a move away from it is a transfer *out* to the other school even when only the
    receiving school recorded it, and the other school is always the one named. A move between
    two other schools (an earlier year) stays as its recorder told it.
    """
    found: dict[tuple[Any, Any, str], tuple[bool, dict[str, Any]]] = {}
    for rec in records:
        if rec.get("status") not in _TRANSFER_STATUSES:
            continue
        here, other = rec["school_code"], rec.get("transfer_school_code")
        out = _TRANSFER_STATUSES[rec["status"]] == "out"
        key = (here, other, rec.get("school_year") or "") if out else (
            other, here, rec.get("school_year") or "")
        mine = here == issuer
        if key not in found or (mine and not found[key][0]):
            found[key] = (mine, rec)
    moves = []
    for (origin, destination, year), (_, rec) in found.items():
        if issuer not in (origin, destination) or not origin or not destination:
            moves.append(_transfer(rec, schools))
            continue
        other = destination if origin == issuer else origin
        moves.append(
            Transfer(
                direction="out" if origin == issuer else "in",
                date=rec.get("status_date"),
                school_year=year,
                school_code=issuer,
                other_school_code=other,
                other_school_name=schools.get(other, {}).get("name"),
            )
        )
    return moves


def group_inputs(
    student_records: pl.DataFrame, subject_results: pl.DataFrame, term_results: pl.DataFrame
) -> Iterator[tuple[str, list[dict], list[dict], list[dict]]]:
    """Partition the inputs by identity code once (columnar), for batches of many transcripts."""
    recs = student_records.filter(pl.col("moet_code").is_not_null())
    owner = recs.select("record_id", "moet_code")
    subj = subject_results.join(owner, on="record_id", how="inner")
    term = term_results.join(owner, on="record_id", how="inner")
    subj_groups = {k[0]: g for k, g in subj.partition_by("moet_code", as_dict=True).items()}
    term_groups = {k[0]: g for k, g in term.partition_by("moet_code", as_dict=True).items()}
    for (code,), group in recs.partition_by("moet_code", as_dict=True).items():
        s = subj_groups.get(code)
        t = term_groups.get(code)
        yield (
            code,
            group.to_dicts(),
            s.drop("moet_code").to_dicts() if s is not None else [],
            t.drop("moet_code").to_dicts() if t is not None else [],
        )


def load_transcript_inputs(
    engine: Any, *, identity_codes: list[str] | None = None, school_code: str | None = None
) -> dict[str, pl.DataFrame]:
    """Read what :func:`build_transcript` needs from the store (every year of the students)."""
    try:
        from doisoat.store import read_table

        if identity_codes is None:
            if school_code is None:
                raise ValueError("give identity_codes or school_code")
            local = read_table(
                engine,
                "student_record",
                "school_code = :s AND moet_code IS NOT NULL",
                {"s": school_code},
                columns=["moet_code"],
            )
            identity_codes = sorted(set(local.get_column("moet_code").to_list()))
        records = _read_in(read_table, engine, "student_record", "moet_code", identity_codes)
        ids = records.get_column("record_id").to_list()
        return {
            "student_records": records,
            "subject_results": _read_in(read_table, engine, "subject_result", "record_id", ids),
            "term_results": _read_in(read_table, engine, "term_result", "record_id", ids),
            "schools": read_table(engine, "school"),
        }
    except SigningError:
        raise
    except Exception as exc:  # the store's own errors, translated at our boundary
        raise SigningError(
            f"cannot read transcript inputs: {exc}",
            message_vi=msg.STORE_UNAVAILABLE.format(problem=exc),
        ) from exc


def _read_in(read_table: Any, engine: Any, table: str, column: str, values: list[str]) -> Any:
    frames = []
    for start in range(0, max(len(values), 1), 500):  # keep IN lists within driver limits
        chunk = values[start : start + 500]
        if not chunk:
            break
        params = {f"v{i}": v for i, v in enumerate(chunk)}
        where = f"{column} IN ({', '.join(':' + k for k in params)})"
        frames.append(read_table(engine, table, where, params))
    if not frames:
        return read_table(engine, table, "1 = 0")
    return pl.concat(frames, how="vertical_relaxed")
