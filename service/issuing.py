"""Issue a class's (or some students') transcripts from the store, after checking the data.

Why a check before issuing: a transcript carries the student's identity code as its number and
is signed by the school, so a student whose identity is in doubt (the code belongs to someone
else, two codes for one child, enrolled in two schools, a code changed on transfer) must not get
one without a person deciding so. The conflicts the night found and nobody has resolved
(``doisoat.model.OPEN_CONFLICT_STATUSES``) of the identity, duplicates and transfers families
(``doisoat.conflict_types``) stop the batch, naming every student and conflict, unless the
caller forces it (``force=True``, ``--force``), which the result then says.

A conflict concerns a student when one of its records is one of the student's records, or one
of its records carries the student's identity code (an ``ID_MISMATCH`` vendor record may hold the
code of another child), or its evidence names the code. Shared by ``doisoat transcript issue``
and ``make demo``; the pages only sign what was issued.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from doisoat.conflict_types import family_of, label_of
from doisoat.errors import StateConflict
from doisoat.model import OPEN_CONFLICT_STATUSES
from service.api import messages

BLOCKING_FAMILIES = frozenset({"identity", "duplicates", "transfers"})
# the demographic drift of a name's spelling does not put a transcript's identity in doubt
NOT_BLOCKING = frozenset({"DEMOGRAPHIC_DRIFT"})


@dataclass(frozen=True)
class BlockingConflict:
    """An open conflict that stops a student's transcript."""

    identity_code: str
    student_name: str
    conflict_id: str
    type: str
    label: str
    status: str


class OpenConflicts(StateConflict):
    """Students of the batch have open identity or transfer conflicts (answered 409; the CLI
    exits 2). ``conflicts`` lists them all."""

    def __init__(self, conflicts: Sequence[BlockingConflict]) -> None:
        self.conflicts = list(conflicts)
        by_student: dict[tuple[str, str], list[BlockingConflict]] = {}
        for c in self.conflicts:
            by_student.setdefault((c.identity_code, c.student_name), []).append(c)
        lines = [
            messages.ISSUE["blocked_student"].format(
                name=name,
                code=code,
                conflicts="; ".join(
                    messages.ISSUE["blocked_conflict"].format(label=c.label, id=c.conflict_id)
                    for c in found
                ),
            )
            for (code, name), found in sorted(by_student.items())
        ]
        super().__init__(
            f"{len(by_student)} students have open identity/transfer conflicts",
            message_vi=messages.ISSUE["blocked"].format(count=len(by_student))
            + "\n"
            + "\n".join(lines),
        )


def blocking_conflicts(engine: Engine, transcripts: Sequence[Any]) -> list[BlockingConflict]:
    """The open identity, duplicate and transfer conflicts of the students of ``transcripts``."""
    from doisoat.store.queries import conflicts_with, records_by_id

    if not transcripts:
        return []
    codes = {t.student.identity_code: t.student.full_name for t in transcripts}
    conflicts = conflicts_with(engine, statuses=OPEN_CONFLICT_STATUSES)
    if conflicts.is_empty():
        return []
    conflicts = conflicts.filter(
        pl.col("type").map_elements(
            lambda t: family_of(t) in BLOCKING_FAMILIES and t not in NOT_BLOCKING,
            return_dtype=pl.Boolean,
        )
    )
    rows = conflicts.to_dicts()
    ids_of = {row["conflict_id"]: _json_list(row.get("record_ids")) for row in rows}
    all_ids = {rid for ids in ids_of.values() for rid in ids}
    code_of_record: dict[str, str | None] = {}
    if all_ids:
        records = records_by_id(engine, all_ids, columns=["record_id", "moet_code"])
        code_of_record = dict(zip(records["record_id"], records["moet_code"], strict=True))
    found = []
    for row in rows:
        evidence = str(row.get("evidence") or "")
        named = {code_of_record.get(rid) for rid in ids_of[row["conflict_id"]]}
        for code, name in codes.items():
            if code in named or code in evidence:
                found.append(
                    BlockingConflict(
                        identity_code=code,
                        student_name=name,
                        conflict_id=row["conflict_id"],
                        type=row["type"],
                        label=label_of(row["type"]),
                        status=row["status"],
                    )
                )
    return sorted(found, key=lambda c: (c.student_name, c.identity_code, c.type))


def _json_list(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(x) for x in raw]
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return []
    return [str(x) for x in value] if isinstance(value, list) else []


@dataclass
class Issued:
    """What an issue wrote, and the conflicts it was forced past (empty unless ``force``)."""

    paths: list[Path]
    forced_past: list[BlockingConflict] = field(default_factory=list)


def issue(
    engine: Engine,
    *,
    school: str,
    year: str,
    signers_file: Path,
    out: Path,
    class_name: str | None = None,
    students: Sequence[str] = (),
    kind: str = "hoc_ba",
    issued_on: dt.date | None = None,
    unsigned: bool = False,
    with_json: bool = False,
    force: bool = False,
    public_url: str = "",
) -> Issued:
    """Build, check and write the transcripts of a class (or of given students).

    Raises :class:`OpenConflicts` before writing anything when a student has an open identity
    or transfer conflict, unless ``force``. ``unsigned`` reads only the plan (who signs what)
    from ``signers_file`` and opens no key. ``public_url`` (``[server] public_url``) makes the
    QR codes links to the service's verification page."""
    from signing import (
        build_class,
        build_students,
        load_setup,
        load_transcript_inputs,
        write_issued,
    )

    day = issued_on or dt.date.today()
    if students:
        inputs = load_transcript_inputs(engine, identity_codes=list(students))
        transcripts = build_students(
            inputs, list(students), issued_on=day, issuing_school_code=school, kind=kind
        )
    else:
        inputs = load_transcript_inputs(engine, school_code=school)
        transcripts = build_class(
            inputs,
            school_code=school,
            class_name=class_name or "",
            school_year=year,
            issued_on=day,
            kind=kind,
        )
    blocking = blocking_conflicts(engine, transcripts)
    if blocking and not force:
        raise OpenConflicts(blocking)
    with ExitStack() as stack:
        setup = load_setup(signers_file, stack, open_signers=not unsigned)
        setup = with_account_names(engine, setup)
        if public_url:
            setup = replace(setup, verify_url=public_url)
        paths = write_issued(transcripts, setup, out, with_json=with_json, signed=not unsigned)
    record_plan(paths, setup)
    return Issued(paths=paths, forced_past=blocking)


def with_account_names(engine: Engine, setup: Any) -> Any:
    """The setup with the full names of the accounts its keys name (the plan's keys are account
    names when signing goes through the service), printed under the signature blocks; names the
    signing configuration gives itself (``[names]``) win."""
    import dataclasses

    from sqlalchemy import select

    from doisoat.model import UserAccount

    keys = {*setup.teachers, setup.homeroom, setup.principal, setup.seal}
    users = UserAccount.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(users.c.username, users.c.full_name).where(users.c.username.in_(sorted(keys)))
        ).all()
    found = {username: full_name for username, full_name in rows if full_name}
    if not found or not hasattr(setup, "names"):
        return setup
    return dataclasses.replace(setup, names={**found, **dict(setup.names)})


def record_plan(paths: Sequence[Path], setup: Any) -> None:
    """Beside each class folder, which keys (account names) sign its homeroom, principal and
    seal fields: the pages give those fields to those accounts alone."""
    from service.transcript_people import record_assignments

    for folder in sorted({p.parent for p in paths}):
        record_assignments(
            folder, homeroom=setup.homeroom, principal=setup.principal, seal=setup.seal
        )
