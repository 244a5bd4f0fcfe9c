"""Refuse unsafe or damaged files before any parser touches them.

Each check raises :class:`FileFormatError` with a Vietnamese message naming the file and what
was expected. The checks look at names and raw bytes only (magic numbers, zip directories,
NUL bytes), so they are cheap and run on every file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from connectors.messages import msg
from doisoat.errors import ErrorContext, FileFormatError

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_ZIP_RATIO = 150

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def refuse(path: Path | str, key: str, message: str, **values: object) -> FileFormatError:
    """A FileFormatError about ``path`` (the caller raises it)."""
    return FileFormatError(
        message, message_vi=msg(key, **values), context=ErrorContext(file=Path(path).name)
    )


def check_name(path: Path) -> None:
    """Refuse names that hide what the file is or where it goes (path tricks)."""
    raw = str(path)
    name = path.name
    problems = []
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        problems.append("ký tự điều khiển")
    if any(ch in _BIDI for ch in raw):
        problems.append("ký tự đảo chiều văn bản")
    if "\\" in name or name in {"", ".", ".."}:
        problems.append("dấu phân cách thư mục trong tên")
    if ".." in Path(raw).parts:
        problems.append("«..»")
    if problems:
        raise FileFormatError(
            f"unsafe file name {raw!r}: {', '.join(problems)}",
            message_vi=msg("path_trick", detail=", ".join(problems)),
            context=ErrorContext(file=repr(name)),
        )


def sniff(path: Path) -> str:
    """The file's real format from its first bytes: xlsx, xls, xml or csv.

    Raises for empty, unreadable, too large and password-protected files.
    """
    if not path.is_file():
        raise refuse(path, "not_a_file", f"not a regular file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise refuse(path, "empty_file", "empty file")
    if size > MAX_FILE_BYTES:
        raise refuse(path, "too_large", "file too large", size=size, limit=MAX_FILE_BYTES)
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        data = path.read_bytes()
        if _ENCRYPTED_STREAM in data:
            raise refuse(path, "password_protected", "password-protected workbook")
        return "xls"
    text_head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text_head.startswith(b"<") and path.suffix.lower() in {".xml", ""}:
        return "xml"
    if text_head.startswith(b"<?xml") or text_head.startswith(b"<\x00?\x00x\x00"):
        return "xml"
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        # An Excel name on something that is neither zip nor OLE2: damaged or renamed.
        raise refuse(path, "truncated_file", "not an Excel workbook", kind="Excel")
    return "csv"


def check_zip(path: Path) -> None:
    """An xlsx is a zip: refuse a damaged one and one that inflates absurdly (zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse(path, "truncated_file", f"damaged zip: {exc}", kind="xlsx (zip)") from exc
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    ratio = total // packed
    worst = max((info.file_size // max(1, info.compress_size) for info in infos), default=0)
    if total > MAX_UNZIPPED_BYTES or (worst > MAX_ZIP_RATIO and total > 50 * 1024 * 1024):
        raise refuse(path, "zip_bomb", "zip bomb", size=total, ratio=max(ratio, worst))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise refuse(path, "truncated_file", "zip without [Content_Types].xml", kind="xlsx")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(path: Path, text: str) -> None:
    """Refuse a 'CSV' whose decoded text carries binary data (control characters)."""
    found = _CONTROL.search(text)
    if found:
        raise refuse(path, "binary_payload", "binary payload in text file", offset=found.start())
