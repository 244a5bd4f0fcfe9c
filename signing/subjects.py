"""Which subjects a ``[teachers]`` entry of the signing configuration means.

A school officer writes the subjects a teacher signs the way they know them: ``toan``, ``TOAN``,
``Toán``, ``Ngữ văn``, ``Lịch sử và Địa lí``. Each is matched against the transcript's subject
lines by code or by Vietnamese name, case and diacritics folded, and through the sector's
names and abbreviations (``doisoat.vn.subjects.subject_code``: ``Văn``, ``LS&ĐL``). An entry that
names no subject at all is refused with the valid ones listed: letting it fall through to the
``"*"`` teacher would make one person sign subjects they did not teach, without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from doisoat.errors import SigningError
from doisoat.vn.subjects import SUBJECTS, subject_code
from doisoat.vn.text import fold
from signing import messages as msg
from signing.model import SubjectLine

ANY_SUBJECT = "*"


def _keys(text: str) -> set[str]:
    """Comparison keys of a code or a name: folded text, and its canonical code if any."""
    keys = {fold(text).strip()}
    canonical = subject_code(text) or (text.lower() if text.lower() in SUBJECTS else None)
    if canonical:
        keys.add(canonical)
    return keys


def _known(spec: str) -> bool:
    key = fold(spec).strip()
    return bool(subject_code(spec)) or any(
        key in (fold(code), fold(s.name_vi)) for code, s in SUBJECTS.items()
    )


def resolve_teachers(
    teachers: Mapping[str, Sequence[str]], lines: Iterable[SubjectLine]
) -> dict[str, set[str]]:
    """Subject codes of ``lines`` each teacher signs; refuse entries that name no subject."""
    lines = list(lines)
    line_keys = {line.code: _keys(line.code) | _keys(line.name) for line in lines}
    owned: dict[str, set[str]] = {}
    unknown: list[tuple[str, str]] = []
    for teacher, specs in teachers.items():
        codes = owned.setdefault(teacher, set())
        for spec in specs:
            if spec == ANY_SUBJECT:
                continue
            wanted = _keys(spec)
            matched = {code for code, keys in line_keys.items() if keys & wanted}
            if not matched and not _known(spec):
                unknown.append((teacher, spec))
            codes |= matched
    if unknown:
        raise unknown_subjects(unknown, lines)
    return owned


def unknown_subjects(unknown: list[tuple[str, str]], lines: Iterable[SubjectLine]) -> SigningError:
    names: dict[str, str] = {}
    for line in lines:
        names.setdefault(line.code, line.name)
    valid = ", ".join(f"{code} ({name})" for code, name in sorted(names.items()))
    listed = "; ".join(f"«{spec}» của {teacher}" for teacher, spec in unknown)
    return SigningError(
        f"unknown subjects in [teachers]: {unknown}",
        message_vi=msg.TEACHER_SUBJECT_UNKNOWN.format(subjects=listed, valid=valid or "—"),
        details={"unknown_subjects": [spec for _, spec in unknown], "valid": sorted(names)},
    )
