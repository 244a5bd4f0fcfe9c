"""The canonical schema as SQLModel tables: the contract between connectors, reconcile and reports.

Column names are those of docs/architecture.md and must not get synonyms downstream. Tables
follow the SQLModel family pattern: ``XBase`` holds the fields, ``X(XBase, table=True)`` is the
table. Lists and mappings (regular scores, evidence) are stored as JSON text so that the same table
works on SQLite and PostgreSQL and bulk-loads with plain COPY / executemany.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

SOURCES = ("smas", "vnedu", "vietschool", "quangich", "moet")
VENDORS = ("smas", "vnedu", "vietschool", "quangich")
REGISTRY_SOURCE = "moet"
"""The sector database (CSDL ngành): the registry; its ``moet_code`` is authoritative."""
VENDOR_SOURCES = VENDORS
"""The schools' software; every source but the registry."""
STATUSES = (
    "studying",
    "transferred_out",
    "transferred_in",
    "dropped_out",
    "graduated",
    "repeating",
)
TERMS = ("1", "2", "year")
CONFLICT_STATUSES = ("new", "persisting", "resolved", "reopened", "acknowledged")
OPEN_CONFLICT_STATUSES = ("new", "persisting", "reopened", "acknowledged")
"""A conflict someone still has to act on (or has acknowledged): every status but resolved."""

STABLE_KEY: tuple[str, ...] = ("source", "school_code", "local_id")
"""What names a student record from night to night.

``record_id`` (``source:snapshot:local_id``) carries the snapshot, so it changes with every
night's import; a record is found again tonight by the columns that do not. ``local_id`` alone
is not enough: vendors number students per school (two SMAS schools both have a ``HS0001``),
so the school is part of the name. For the registry ``local_id`` is the identity code.
"""


def stable_key(source: str, school_code: str, local_id: str) -> str:
    """A record's name across nights (``source:school_code:local_id``), as conflict ids and
    identity names use it; :func:`stable_key_expr` is the same for a frame."""
    return f"{source}:{school_code}:{local_id}"


def stable_key_expr() -> pl.Expr:
    """:func:`stable_key` of each row of a frame holding the ``STABLE_KEY`` columns; null when
    one of them is (a record without a full name is found again by nothing)."""
    return pl.concat_str([pl.col(c).cast(pl.Utf8) for c in STABLE_KEY], separator=":")


def record_id(source: str, snapshot_id: int | str, local_id: str) -> str:
    """A student record's id (``source:snapshot:local_id``): unique in the store, new with each
    snapshot, so never a name across nights (that is :func:`stable_key`). The one recipe every
    writer and the simulator use; :func:`record_id_expr` is the same for a frame."""
    return f"{source}:{snapshot_id}:{local_id}"


def record_id_expr(snapshot_id: int | str | pl.Expr | None = None) -> pl.Expr:
    """:func:`record_id` of each row of a frame with ``source`` and ``local_id`` columns, in
    snapshot ``snapshot_id`` (a value or an expression; default: the ``snapshot_id`` column)."""
    if snapshot_id is None:
        snapshot = pl.col("snapshot_id")
    elif isinstance(snapshot_id, pl.Expr):
        snapshot = snapshot_id
    else:
        snapshot = pl.lit(str(snapshot_id))
    return pl.concat_str([pl.col("source"), snapshot.cast(pl.Utf8), pl.col("local_id")],
                         separator=":")


class SchoolBase(SQLModel):
    school_code: str = Field(primary_key=True, max_length=32)
    name: str
    level: str = Field(description="primary | thcs | thpt")
    province_code: str = Field(max_length=2)
    district: str = ""
    vendor: str = Field(description="one of smas, vnedu, vietschool, quangich")
    last_sync: dt.date | None = Field(
        default=None, description="last synchronisation with the sector database, if known"
    )


class School(SchoolBase, table=True):
    __tablename__ = "school"


class SourceSnapshotBase(SQLModel):
    source: str = Field(index=True)
    school_code: str | None = Field(default=None, index=True)
    night: dt.date = Field(index=True, description="the night this snapshot belongs to")
    taken_at: dt.datetime
    origin: str = Field(default="", description="file path, URL or 'simulate'")
    content_hash: str = Field(default="", index=True)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    status: str = Field(default="loaded", description="loading | loaded | excluded")


class SourceSnapshot(SourceSnapshotBase, table=True):
    __tablename__ = "source_snapshot"
    # The same bytes are stored once per source and school (migration 0004): the database,
    # not a look before the write, turns away the second of two imports racing on one file.
    __table_args__ = (
        Index("uq_source_snapshot_content", "source", text("COALESCE(school_code, '')"),
              "content_hash", unique=True, sqlite_where=text("content_hash <> ''"),
              postgresql_where=text("content_hash <> ''")),
    )
    id: int | None = Field(default=None, primary_key=True)


class StudentRecordBase(SQLModel):
    record_id: str = Field(primary_key=True, description="source:snapshot:local_id")
    source: str = Field(index=True)
    snapshot_id: int = Field(index=True)
    school_code: str = Field(index=True)
    local_id: str
    moet_code: str | None = Field(default=None, index=True)
    personal_id: str | None = None
    family_name: str = ""
    middle_name: str = ""
    given_name: str = ""
    full_name: str = ""
    dob: dt.date | None = None
    dob_raw: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    birthplace: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    school_year: str = ""
    grade: int | None = None
    class_name: str | None = None
    status: str = "studying"
    status_date: dt.date | None = None
    transfer_school_code: str | None = None
    src_file: str | None = None
    src_sheet: str | None = None
    src_row: int | None = None


class StudentRecord(StudentRecordBase, table=True):
    __tablename__ = "student_record"


class SubjectResultBase(SQLModel):
    record_id: str = Field(index=True)
    school_year: str
    term: str = Field(description="1 | 2 | year")
    subject: str
    regular_scores: str = Field(default="[]", description="JSON list of numbers")
    midterm: float | None = None
    final: float | None = None
    average: float | None = None
    rating: str | None = Field(default=None, description="D | CD for comment subjects")


class SubjectResult(SubjectResultBase, table=True):
    __tablename__ = "subject_result"
    id: int | None = Field(default=None, primary_key=True)


class TermResultBase(SQLModel):
    record_id: str = Field(index=True)
    school_year: str
    term: str
    academic: str | None = None
    conduct: str | None = None
    absent_excused: int | None = None
    absent_unexcused: int | None = None
    promotion: str | None = None
    title: str | None = None
    homeroom_comment: str | None = None


class TermResult(TermResultBase, table=True):
    __tablename__ = "term_result"
    id: int | None = Field(default=None, primary_key=True)


class QuarantinedRowBase(SQLModel):
    """A row a connector could not accept: kept with its reason, never dropped."""

    snapshot_id: int = Field(index=True)
    source: str
    src_file: str | None = None
    src_sheet: str | None = None
    src_row: int | None = None
    column: str | None = None
    reason: str
    reason_vi: str
    raw: str = Field(default="{}", description="JSON of the row as read")


class QuarantinedRow(QuarantinedRowBase, table=True):
    __tablename__ = "quarantined_row"
    id: int | None = Field(default=None, primary_key=True)


class RunBase(SQLModel):
    night: dt.date = Field(index=True)
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    status: str = Field(default="running", description="running | committed | failed")
    summary: str = Field(default="{}", description="JSON")


class Run(RunBase, table=True):
    __tablename__ = "run"
    id: int | None = Field(default=None, primary_key=True)


class ConflictBase(SQLModel):
    conflict_id: str = Field(primary_key=True, description="stable across nights")
    type: str = Field(index=True)
    severity: str = Field(description="critical | high | medium | low")
    school_code: str | None = Field(default=None, index=True)
    record_ids: str = Field(default="[]", description="JSON list")
    evidence: str = Field(default="{}", description="JSON field-by-field comparison")
    suggested_fix: str = ""
    message_vi: str = ""
    status: str = Field(
        default="new", description="new | persisting | resolved | reopened | acknowledged"
    )
    first_seen: dt.date
    last_seen: dt.date
    resolved_on: dt.date | None = None
    acknowledged_by: str | None = None
    acknowledged_reason: str | None = None
    last_run_id: int | None = None


class Conflict(ConflictBase, table=True):
    __tablename__ = "conflict"


class ExpectationResultBase(SQLModel):
    """One data-quality expectation's outcome on one source snapshot, kept with the night's run."""

    run_id: int | None = Field(default=None, index=True)
    night: dt.date = Field(index=True)
    snapshot_id: int | None = Field(default=None, index=True)
    source: str = Field(index=True)
    school_code: str | None = Field(default=None, index=True)
    suite: str = ""
    expectation: str = Field(description="expectation type and column, e.g. type(column)")
    critical: bool = False
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    details: str = Field(default="{}", description="JSON: kwargs, examples, engine")


class ExpectationResult(ExpectationResultBase, table=True):
    __tablename__ = "quality_result"
    id: int | None = Field(default=None, primary_key=True)


class AuditEventBase(SQLModel):
    """Append-only: who did what, when, before and after, and why."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str = "{}"
    after: str = "{}"
    reason: str = ""


class AuditEvent(AuditEventBase, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)


class GradeApprovalBase(SQLModel):
    """A recorded approval to change grades of a locked period: the principal's decision and the
    written record the regulations require. ``subject`` / ``term`` empty = every subject / term."""

    school_code: str = Field(index=True)
    local_id: str = Field(index=True, description="the school's own id of the student")
    school_year: str
    term: str = Field(default="", description="1 | 2 | year, or '' for every term")
    subject: str = Field(default="", description="canonical subject code, or '' for every subject")
    approved_by: str = Field(description="the principal who approved")
    approved_at: dt.datetime
    witness: str = ""
    reason: str = ""
    record_no: str = Field(default="", description="number of the written record (biên bản)")


class GradeApproval(GradeApprovalBase, table=True):
    __tablename__ = "grade_approval"
    id: int | None = Field(default=None, primary_key=True)


class IdentityBase(SQLModel):
    """A record's place in a person's identity (cluster); the registry code is the authority."""

    record_id: str = Field(primary_key=True)
    identity_id: str = Field(index=True)
    moet_code: str | None = None
    run_id: int | None = None


class Identity(IdentityBase, table=True):
    __tablename__ = "identity"


class LinkDecisionBase(SQLModel):
    """A human's word on a pair: 'same' or 'different'. Later nights never override it."""

    left_id: str = Field(primary_key=True)
    right_id: str = Field(primary_key=True)
    decision: str = Field(description="same | different")
    decided_by: str
    decided_at: dt.datetime
    reason: str = ""


class LinkDecision(LinkDecisionBase, table=True):
    __tablename__ = "link_decision"


class LinkBase(SQLModel):
    """The engine's word on a pair and why (per-field levels and weights), for `doisoat explain`."""

    left_id: str = Field(primary_key=True)
    right_id: str = Field(primary_key=True, index=True)
    match_weight: float
    match_probability: float
    decision: str = Field(description="match | review | non-match")
    explanation: str = Field(default="{}", description="JSON: prior and per-field level/weight")
    run_id: int | None = None


class Link(LinkBase, table=True):
    __tablename__ = "link"


class SourceCursorBase(SQLModel):
    """Where the last incremental pull of a source's resource stopped."""

    source: str = Field(primary_key=True)
    resource: str = Field(primary_key=True)
    cursor: str = ""
    updated_at: dt.datetime


class SourceCursor(SourceCursorBase, table=True):
    __tablename__ = "source_cursor"


class UserAccountBase(SQLModel):
    """A person who uses the web pages or the API; what they may see follows from role + school."""

    username: str = Field(primary_key=True, max_length=64)
    full_name: str = ""
    role: str = Field(description="district_officer | school_admin | principal | teacher")
    school_code: str | None = Field(default=None, index=True, description="None = whole district")
    active: bool = True
    created_at: dt.datetime


class UserAccount(UserAccountBase, table=True):
    __tablename__ = "app_user"
    password_hash: str = Field(default="", description="argon2id; never the password")


class SigningCertificateBase(SQLModel):
    """A signing certificate an account registered as its own (migration 0005): the service
    refuses a signature made with any other, so a teacher cannot sign with a colleague's file."""

    fingerprint: str = Field(primary_key=True, max_length=64, description="SHA-256 of the DER")
    username: str = Field(index=True, max_length=64)
    subject: str
    serial: str = Field(default="", description="hex")
    issuer: str = ""
    not_after: dt.datetime | None = None
    registered_at: dt.datetime
    registered_by: str = Field(description="who registered it: the account or an officer")
    # migration 0006: removed by its account or revoked by the school or the district; the row
    # stays (the audit trail and a later refusal name it), signing with it is refused
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    revoked_reason: str | None = None


class SigningCertificate(SigningCertificateBase, table=True):
    __tablename__ = "signing_certificate"


class ApiTokenBase(SQLModel):
    """An API token or a page login session; only its SHA-256 is kept."""

    username: str = Field(index=True)
    kind: str = Field(default="api", description="api | session")
    label: str = ""
    created_at: dt.datetime
    expires_at: dt.datetime | None = None
    revoked: bool = False


class ApiToken(ApiTokenBase, table=True):
    __tablename__ = "api_token"
    token_hash: str = Field(primary_key=True, max_length=64)


STUDENT_COLUMNS: tuple[str, ...] = tuple(StudentRecordBase.model_fields)
SUBJECT_RESULT_COLUMNS: tuple[str, ...] = tuple(SubjectResultBase.model_fields)
TERM_RESULT_COLUMNS: tuple[str, ...] = tuple(TermResultBase.model_fields)
