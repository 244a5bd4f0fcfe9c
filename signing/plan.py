"""The signing plan: who signs which field, in which order, and what each signature locks.

A plan is plain data (authoring); ``engine.sign_document`` executes it (execution). The legal order
of a học bạ is: every subject teacher (for their subjects), the homeroom teacher, the principal,
then the school's seal.

**Why the seal is an approval signature with a lock, not a certification signature.** PDF allows
a certifying (DocMDP) signature only as the *first* signature of a document, but the law puts the
seal *last*: it attests everything the teachers and the principal signed. Certifying first (with
DocMDP "form filling and signing allowed") would make the seal attest a document without the
signatures it is supposed to confirm, and would leave teachers free to sign after it. So every
signature is an approval signature, and each signature field carries a FieldMDP lock:

* a subject teacher's field locks itself;
* the homeroom teacher's field locks every teacher field and itself;
* the principal's field locks every teacher field, the homeroom field and itself;
* the seal's field locks *all* fields and carries the PDF 2.0 ``/P 1`` DocMDP value in its lock
  dictionary: after the seal, nothing may change except validation data (DSS) and document
  timestamps (PAdES B-LT / B-LTA).

PDF 2.0 readers (and pyHanko) enforce ``/P`` in a lock dictionary; older readers ignore it, so our
verifier enforces it independently: after the seal, only DSS and document-timestamp revisions are
accepted, and the order of the signatures in the file must follow the plan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from doisoat.errors import SigningError
from signing import messages as msg

Role = Literal["subject_teacher", "homeroom", "principal", "seal"]
PadesLevel = Literal["B-B", "B-T", "B-LT", "B-LTA"]
ROLE_ORDER: dict[str, int] = {"subject_teacher": 0, "homeroom": 1, "principal": 2, "seal": 3}
FIELD_PREFIX: dict[str, str] = {
    "subject_teacher": "GVBM_",
    "homeroom": "GVCN",
    "principal": "HIEUTRUONG",
    "seal": "DAUTRUONG",
}


@dataclass(frozen=True)
class Lock:
    """What signing a field freezes: ``all`` fields, or the ``fields`` listed."""

    all_fields: bool = False
    fields: tuple[str, ...] = ()
    no_changes_after: bool = False  # PDF 2.0 /P 1 in the lock dictionary


@dataclass(frozen=True)
class Step:
    field: str
    role: Role
    signer: str  # key of the signer in the mapping handed to the engine
    subjects: tuple[str, ...] = ()
    page: int = 0
    lock: Lock = field(default_factory=Lock)
    label: str = ""
    signer_name: str = ""  # printed under the block before signing (roster or certificate)


@dataclass(frozen=True)
class SigningPlan:
    steps: tuple[Step, ...]
    level: PadesLevel = "B-B"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(s.field for s in self.steps)

    def check(self) -> None:
        """Refuse a plan that breaks the legal order or locks a field that is not there."""
        problems = []
        names = self.fields
        if len(set(names)) != len(names):
            problems.append("duplicate field names")
        ranks = [ROLE_ORDER[s.role] for s in self.steps]
        if ranks != sorted(ranks):
            problems.append("roles out of legal order")
        if self.steps and self.steps[-1].role not in ("seal", "principal"):
            problems.append("the last signature must be the seal or the principal")
        for step in self.steps:
            unknown = set(step.lock.fields) - set(names)
            if unknown:
                problems.append(f"{step.field} locks unknown fields {sorted(unknown)}")
        if problems:
            text = "; ".join(problems)
            raise SigningError(
                f"invalid signing plan: {text}", message_vi=msg.PLAN_INVALID.format(problem=text)
            )


def role_of_field(name: str) -> str | None:
    for role, prefix in FIELD_PREFIX.items():
        if name.startswith(prefix):
            return role
    return None


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", key)


def standard_plan(
    *,
    teachers: Mapping[str, Sequence[str]],
    homeroom: str,
    principal: str,
    seal: str,
    level: PadesLevel = "B-B",
    subject_names: Mapping[str, str] | None = None,
    page: int = -1,
    signer_names: Mapping[str, str] | None = None,
) -> SigningPlan:
    """The học bạ's plan. ``teachers`` maps each teacher's signer key to their subject codes;
    ``signer_names`` (signer key → full name) are printed under the blocks before signing."""
    names = subject_names or {}
    who = signer_names or {}
    steps: list[Step] = []
    for key in sorted(teachers):
        subjects = tuple(teachers[key])
        fname = FIELD_PREFIX["subject_teacher"] + _safe(key)
        label = "Giáo viên bộ môn: " + ", ".join(names.get(s, s) for s in subjects)
        steps.append(
            Step(
                fname,
                "subject_teacher",
                key,
                subjects,
                page,
                Lock(fields=(fname,)),
                label,
                who.get(key, ""),
            )
        )
    teacher_fields = tuple(s.field for s in steps)
    steps.append(
        Step(
            FIELD_PREFIX["homeroom"],
            "homeroom",
            homeroom,
            (),
            page,
            Lock(fields=(*teacher_fields, FIELD_PREFIX["homeroom"])),
            "Giáo viên chủ nhiệm",
            who.get(homeroom, ""),
        )
    )
    steps.append(
        Step(
            FIELD_PREFIX["principal"],
            "principal",
            principal,
            (),
            page,
            Lock(fields=(*teacher_fields, FIELD_PREFIX["homeroom"], FIELD_PREFIX["principal"])),
            "Hiệu trưởng",
            who.get(principal, ""),
        )
    )
    steps.append(
        Step(
            FIELD_PREFIX["seal"],
            "seal",
            seal,
            (),
            0,
            Lock(all_fields=True, no_changes_after=True),
            "Con dấu của nhà trường",
            who.get(seal, ""),
        )
    )
    plan = SigningPlan(tuple(steps), level)
    plan.check()
    return plan


def principal_plan(
    *, principal: str, level: PadesLevel = "B-B", principal_name: str = ""
) -> SigningPlan:
    """The study-record confirmation: signed by the principal alone, nothing may follow."""
    plan = SigningPlan(
        (
            Step(
                FIELD_PREFIX["principal"],
                "principal",
                principal,
                (),
                0,
                Lock(all_fields=True, no_changes_after=True),
                "Hiệu trưởng",
                principal_name,
            ),
        ),
        level,
    )
    plan.check()
    return plan
