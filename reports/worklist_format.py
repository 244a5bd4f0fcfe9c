"""What the Excel worklist writer and its reader agree on: columns, answers, the row seal.

Why a seal: a school fills in two columns of its worklist and uploads the file back; each
answer then becomes an audited acknowledgement or note on a conflict. The service must know the
file is that school's worklist of that night, and that the row a person answered still says what
it said when it was written (a row pasted from another file, or a conflict id typed over, must
not carry an answer to a conflict the person never read). So every row's read-only text is
hashed with the school, the night and the conflict id into a hidden sheet; the reader recomputes
it. The hash is not a secret signature (the service checks rights itself, conflict by conflict);
it proves the row was not altered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reports import messages

HEADER_ROW = 2  # 0-based: title on row 0, school and night on row 1
META_SHEET = "_doisoat"
META_MARK = "doisoat-worklist"
META_VERSION = "2"
META_FIRST_ROW = 5  # 0-based row of the first (conflict id, sheet, seal) line

COLUMNS: tuple[str, ...] = messages.WORKLIST_COLUMNS
ANSWER_COLUMN = COLUMNS.index(messages.ANSWER_HEADER)
NOTE_COLUMN = COLUMNS.index(messages.NOTE_HEADER)
ID_COLUMN = COLUMNS.index("Mã vấn đề")
SEALED_COLUMNS: tuple[int, ...] = tuple(
    COLUMNS.index(name)
    for name in (
        "Mức độ", "Loại vấn đề", "Họ và tên", "Lớp", "Mã định danh", "Nội dung",
        "Đề xuất xử lý", "Trường liên quan", "Mã hồ sơ", "Mã vấn đề",
    )
)  # fmt: skip
"""The columns whose text the seal covers: what a person reads before answering. The status
column is not sealed (it changes when the district acknowledges), nor the dates and counts
(Excel may retype them)."""

ANSWERS: dict[str, str] = messages.WORKLIST_ANSWERS
"""Drop-down words → what the answer does (``acknowledge`` or a kind of ``note``)."""
ANSWER_WORDS: dict[str, str] = {code: words for words, code in ANSWERS.items()}
"""What the answer does → its drop-down words today (an earlier file's words are said anew)."""
ACCEPTED_ANSWERS: dict[str, str] = {
    _key: code
    for words, code in (*messages.EARLIER_ANSWERS.items(), *ANSWERS.items())
    for _key in [" ".join(words.split()).casefold()]
}
"""Every answer a returned file may hold, folded (case, spaces): today's drop-down words and
those of earlier worklists, which a school may still send back."""


def answer_code(words: str) -> str | None:
    """What a cell's answer does, or None when it is none of the answers."""
    return ACCEPTED_ANSWERS.get(" ".join(words.split()).casefold())


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def row_seal(school_code: str, night: str, cells: Sequence[object]) -> str:
    """The seal of one row: SHA-256 over the school, the night and the sealed cells' text."""
    parts = [school_code, night, *(_clean(cells[i]) for i in SEALED_COLUMNS)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
