"""Who a transcript's fields belong to, and whose transcript it is (for the pages and the API).

A field belongs to an account when the plan's key for it is that account's user name: a subject
teacher's field ``GVBM_<key>`` says its key itself; the homeroom, principal and seal keys are
recorded beside the class folder when it is issued (``.signers.json``, written by
``service.issuing``), since the document names only the role. A key that names no account of
the school leaves the field to any user of its role (plans written before accounts existed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from service.api.auth import Principal

# which fields (by role of the field) each user role may sign
FIELDS_BY_USER_ROLE: dict[str, frozenset[str]] = {
    "teacher": frozenset({"subject_teacher", "homeroom"}),
    "principal": frozenset({"principal", "seal"}),
}

ASSIGNMENTS = ".signers.json"


@dataclass(frozen=True)
class Owners:
    """Who a folder's fields are given to: the school's signing accounts, and the plan's roles
    that ``service.issuing`` recorded beside the class (``.signers.json``: field → key)."""

    accounts: frozenset[str] = frozenset()
    roles: dict[str, str] = dataclass_field(default_factory=dict)

    @staticmethod
    def has_plan(folder: Path) -> bool:
        """Whether the folder's plan was recorded (a folder filled by hand has none)."""
        return (folder / ASSIGNMENTS).is_file()

    def of_folder(self, folder: Path) -> Owners:
        try:
            roles = json.loads((folder / ASSIGNMENTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            roles = {}
        return Owners(self.accounts, roles if isinstance(roles, dict) else {})


NO_OWNERS = Owners()


def record_assignments(folder: Path, *, homeroom: str, principal: str, seal: str) -> None:
    """Write which key signs the homeroom, principal and seal fields of a class folder (the
    document names only the subject teachers' keys)."""
    roles = {"GVCN": homeroom, "HIEUTRUONG": principal, "DAUTRUONG": seal}
    (folder / ASSIGNMENTS).write_text(json.dumps(roles), encoding="utf-8")


def owner_of(state: Any, accounts: Owners) -> str | None:
    """The account a field is given to, if one is named: a subject teacher's field
    ``GVBM_<key>``, or a role of the class's recorded plan, whose key is the user name of an
    account of the school (the plan's keys are then account names). ``None``: any user of the
    field's role may sign it (a plan whose keys name no account)."""
    prefix = "GVBM_"
    key = accounts.roles.get(state.field)
    if state.role == "subject_teacher" and state.field.startswith(prefix):
        key = state.field[len(prefix) :]
    if key is not None and key in accounts.accounts:
        return key
    return None


def is_yours(state: Any, who: Principal, accounts: Owners = NO_OWNERS) -> bool:
    if state.role not in FIELDS_BY_USER_ROLE.get(who.role, frozenset()):
        return False
    owner = owner_of(state, accounts)
    return owner is None or owner == who.username


def school_accounts(engine: Engine | None, school: str) -> Owners:
    """User names of the school's signing accounts (a field keyed by one is theirs alone)."""
    if engine is None:
        return NO_OWNERS
    from sqlalchemy import select

    from doisoat.model import UserAccount

    users = UserAccount.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(users.c.username).where(
                users.c.school_code == school, users.c.role.in_(tuple(FIELDS_BY_USER_ROLE))
            )
        ).scalars()
        return Owners(frozenset(rows))


def identity_code_of(name: str) -> str:
    """``HocBa_7912345678_THCS.pdf`` → ``7912345678`` (the file names carry the number)."""
    found = re.search(r"(\d{10})", name)
    return found.group(1) if found else ""


def student_names(engine: Engine | None, school: str, codes: list[str]) -> dict[str, str]:
    """Full names of these identity codes as the school's own records write them."""
    codes = sorted({c for c in codes if c})
    if engine is None or not codes:
        return {}
    from doisoat.store import read_table

    names: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        params = {f"c{i}": c for i, c in enumerate(chunk)}
        found = read_table(
            engine, "student_record",
            f"moet_code IN ({', '.join(':' + k for k in params)})",
            params, columns=["moet_code", "full_name", "school_code"],
        )  # fmt: skip
        for row in found.iter_rows(named=True):
            if row["full_name"] and (row["school_code"] == school or row["moet_code"] not in names):
                names[row["moet_code"]] = row["full_name"]
    return names


