"""Refuse unsafe or damaged files before any parser touches them.

Each check raises :class:`FileFormatError` with a Vietnamese message naming the file and what
was expected. The checks look at names and raw bytes only (magic numbers, zip directories,
NUL bytes), so they are cheap and run on every file.
"""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
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
        from connectors.tabular.xls_size import check_xls_size  # it builds on this module

        check_xls_size(path, data)  # before any reader allocates a sheet (see xls_size)
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


# --- the shape of a workbook ------------------------------------------------------------------
#
# A reader fills the whole rectangle from A1 to the last cell a sheet names: a 5 KB workbook with
# one cell at A1 and one at XFD1048576 asks for 17 billion cells (~550 GB) and the process is
# killed before any exception can be caught. So each sheet's size is measured from its XML,
# streaming and stopping early, before the reader sees the file. A school's largest real sheet
# has a few thousand rows and ~60 columns; a whole province's registry, a million rows of ~20
# columns. The limits below are far above both, and far below what a server can hold.
MAX_SHEET_COLUMNS = 2_000  # a gradebook with every subject, term and score: ~300
MAX_SHEET_CELLS = 25_000_000  # rows × columns of one sheet's rectangle (1 M rows × 25 columns)
MAX_WORKBOOK_CELLS = 50_000_000  # the same, summed over the sheets (all are held at once)
MAX_SHARED_STRINGS = 10_000_000  # declared or present in sharedStrings.xml
_CHUNK = 1 << 20
_XML_HEAD = 4 << 20  # workbook.xml and its relationships: read this much at most

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref\s*=\s*["']([^"']*)["']""")
_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
# The fast pass trusts what every writer we know emits (Excel, openpyxl, xlsxwriter): unprefixed
# tags, ``r`` the first attribute of each cell, in capitals, without leading zeros. Anything
# else (or a cell outside the declared dimension) is measured element by element (_Exact).
# Rows are not looked at: a row without cells fills nothing, and a cell says where it is.
_ODD_CELL = rb"""[\t\n\r/>]| (?!r="[A-Z]{1,3}[1-9][0-9]{0,6}")"""
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_ELEMENT = re.compile(rb"<(/?)(?:\w+:)?(row|c)\b([^>]*)>")
_SHARED_COUNT = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*["']\s*([0-9]+)""")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, 1-based; None if it is not one."""
    found = _A1.match(ref.strip())
    return (int(found[2]), _column_number(found[1])) if found else None


def _greater_than(bound: int, digits: str = "0123456789") -> bytes:
    """A regex matching the decimal numbers greater than ``bound`` (no leading zeros)."""
    text = str(bound)
    options = [f"[1-9][0-9]{{{len(text)},}}"]  # more digits
    for i, ch in enumerate(text):
        if ch != "9":
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[{int(ch) + 1}-9][0-9]{{{rest}}}")
    return "|".join(options).encode()


def _column_greater_than(bound: int) -> bytes:
    """A regex matching the column letters after column number ``bound`` (A=1)."""
    letters = ""
    n = bound
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    options = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            options.append(f"{letters[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{rest}}}")
    return "|".join(options).encode()


def _too_big(path: Path, sheet: str, rows: int, columns: int, limit: int) -> FileFormatError:
    """Refuse ``sheet``: its rectangle passes ``limit``, a number of columns if that is what
    it passes, else of cells (of the sheet, or what is left of the workbook's)."""
    if columns > MAX_SHEET_COLUMNS:
        within = f"{_number(MAX_SHEET_COLUMNS)} cột"
    elif limit < MAX_SHEET_CELLS:
        within = f"{_number(MAX_WORKBOOK_CELLS)} ô cho cả tệp"
    else:
        within = f"{_number(MAX_SHEET_CELLS)} ô mỗi trang tính"
    return FileFormatError(
        f"sheet {sheet!r} spans {rows} rows x {columns} columns (limit: {limit})",
        message_vi=msg("sheet_too_big", rows=_number(rows), columns=_number(columns),
                       cells=_number(rows * columns), limit=within),
        context=ErrorContext(file=path.name, sheet=sheet))


def _number(value: int) -> str:
    """1.048.576: thousands as Vietnamese writes them."""
    return f"{value:,}".replace(",", ".")


class _Exact:
    """The last row and column a sheet's XML names, element by element, numbered as a reader
    numbers them (a row or cell without ``r`` follows the one before it): for the files the
    fast pass does not recognise."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self._row = self._column = 0

    def feed(self, text: bytes) -> None:
        for closing, tag, attrs in _ELEMENT.findall(text):
            if closing:
                continue
            ref = next((a or b for key, a, b in _ATTR.findall(attrs) if key == b"r"), b"")
            if tag == b"row":
                self._row = int(ref) if ref.isdigit() else self._row + 1
                self._column = 0
            else:
                where = _cell(ref.decode("ascii", "replace")) if ref else None
                if where:
                    self._row, self._column = where
                else:
                    self._row, self._column = max(self._row, 1), self._column + 1
                self.columns = max(self.columns, self._column)
            self.rows = max(self.rows, self._row)

    def check(self, path: Path, sheet: str, limit: int) -> None:
        if self.columns > MAX_SHEET_COLUMNS:
            raise _too_big(path, sheet, self.rows, self.columns, limit)
        if self.rows * max(1, self.columns) > limit:
            raise _too_big(path, sheet, self.rows, self.columns, limit)


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes inflated a megabyte at a time, each piece ending after a ``>`` so that
    no tag is cut in two."""
    carry = b""
    with archive.open(part) as stream:
        while block := stream.read(_CHUNK):
            text = carry + block
            cut = text.rfind(b">") + 1
            if cut:
                yield text[:cut]
            carry = text[cut:]
            if len(carry) > _CHUNK:  # no ">" in a megabyte: not XML a sheet is made of
                yield carry
                carry = b""
    if carry:
        yield carry


def _measure_sheet(path: Path, archive: zipfile.ZipFile, part: str, sheet: str,
                   limit: int) -> int:
    """The cells of the rectangle ``sheet`` fills; raises as soon as it is known too big.

    The fast pass reads the declared ``<dimension>`` and then only looks, in C, for a row or
    cell outside it or written unlike the usual writers do; at the first one, or when the
    declared size is itself over a limit, it counts again, element by element.
    """
    odd: re.Pattern[bytes] | None = None
    area = 0
    for text in _chunks(archive, part):
        if odd is None:
            if text.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in text[:256]:
                raise refuse(path, "truncated_file", f"{part} is not UTF-8 XML", kind="xlsx")
            found = _DIMENSION.search(text)
            last = _cell(found[1].decode("ascii", "replace").split(":")[-1]) if found else None
            if last is None or b":sheetData" in text:
                return _measure_exactly(path, archive, part, sheet, limit)
            rows, columns = last
            if columns > MAX_SHEET_COLUMNS or rows * columns > limit:
                # A declared size is no promise either way: Excel declares the whole range a
                # user once formatted (A1:Z1048576), and the reader fills only the cells the
                # sheet names. Count those before refusing a school's real file.
                return _measure_exactly(path, archive, part, sheet, limit)
            area = rows * columns
            odd = re.compile(b"<c(?:" + _ODD_CELL + b'| r="(?:(?:' + _column_greater_than(columns)
                             + b")[0-9]|[A-Z]+(?:" + _greater_than(rows) + b')"))')
        if odd.search(text) or _PREFIXED.search(text):
            return _measure_exactly(path, archive, part, sheet, limit)
    return area


def _measure_exactly(path: Path, archive: zipfile.ZipFile, part: str, sheet: str,
                     limit: int) -> int:
    exact = _Exact()
    for text in _chunks(archive, part):
        exact.feed(text)
        exact.check(path, sheet, limit)
    return exact.rows * exact.columns


def check_workbook_size(path: Path) -> None:
    """Refuse an xlsx whose sheets, measured before any is read, would not fit in memory.

    Each sheet's rectangle (from A1 to the last row and column its XML names) must stay within
    MAX_SHEET_COLUMNS and MAX_SHEET_CELLS, all of them together within MAX_WORKBOOK_CELLS, and
    the shared strings within MAX_SHARED_STRINGS. Costs one inflate of the sheets, searched
    in C (about 2 % of reading them); the file is refused at the first sheet over a limit.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename for info in archive.infolist()}
            _check_shared_strings(path, archive, names)
            budget = MAX_WORKBOOK_CELLS
            for sheet, part in _sheet_parts(archive, names):
                cells = _measure_sheet(path, archive, part, sheet, min(MAX_SHEET_CELLS, budget))
                budget -= cells
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise refuse(path, "truncated_file", f"damaged zip: {exc}", kind="xlsx (zip)") from exc


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet: named as the workbook names them, plus any
    other member under xl/worksheets/ (a reader may find it where we would not)."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for tag in _REL_TAG.findall(_head(archive, "xl/_rels/workbook.xml.rels")):
            attrs = _attrs(tag)
            target = attrs.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            targets[attrs.get("Id", "")] = target
    found: list[tuple[str, str]] = []
    if "xl/workbook.xml" in names:
        for tag in _SHEET_TAG.findall(_head(archive, "xl/workbook.xml")):
            attrs = _attrs(tag)
            part = targets.get(next((v for k, v in attrs.items() if k.endswith(":id")), ""))
            if part in names:
                found.append((html.unescape(attrs.get("name", part)), part))
    known = {part for _, part in found}
    found += [(posixpath.basename(name), name) for name in sorted(names)
              if name.startswith("xl/worksheets/") and name.endswith(".xml")
              and name not in known]
    return found


def _head(archive: zipfile.ZipFile, part: str) -> bytes:
    with archive.open(part) as stream:
        return stream.read(_XML_HEAD)


def _attrs(tag: bytes) -> dict[str, str]:
    return {key.decode("utf-8", "replace"): (a or b).decode("utf-8", "replace")
            for key, a, b in _ATTR.findall(tag)}


def _check_shared_strings(path: Path, archive: zipfile.ZipFile, names: set[str]) -> None:
    """A reader sizes its table of strings by the count the file declares: refuse a count no
    school writes, declared or real."""
    part = "xl/sharedStrings.xml"
    if part not in names:
        return
    present = 0
    for number, text in enumerate(_chunks(archive, part)):
        if number == 0:
            head = text[: text.find(b">", text.find(b"<sst")) + 1] if b"<sst" in text else b""
            declared = max((int(n) for n in _SHARED_COUNT.findall(head)), default=0)
            if declared > MAX_SHARED_STRINGS:
                raise _too_many_strings(path, declared)
        present += text.count(b"<si>") + text.count(b"<si ") + text.count(b":si>")
        if present > MAX_SHARED_STRINGS:
            raise _too_many_strings(path, present)


def _too_many_strings(path: Path, count: int) -> FileFormatError:
    return refuse(path, "too_many_strings", f"{count} shared strings", count=_number(count),
                  limit=_number(MAX_SHARED_STRINGS))
