"""Safe readers that turn any supported file into sheets of raw cells.

Everything downstream (header detection, mapping) sees the same shape whatever the format:
a list of :class:`Sheet`, each a name and rows of raw cell values. Excel goes through
python-calamine (xlsx and BIFF .xls; xlrd as fallback for old BIFF files), text files through
encoding detection, XML streamed through expat with DTDs and entities forbidden (xml_rows).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine as calamine

from connectors.messages import msg
from connectors.profile import XmlTable
from connectors.tabular.legacy import decode_legacy_text
from connectors.tabular.safety import ZIP_MAGIC, check_text, check_workbook_size, refuse
from connectors.tabular.xml_rows import ExpatError, UnsafeXml, xml_rows
from doisoat.errors import ErrorContext, FileFormatError

csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Sheet:
    """One table-like area of a file: a worksheet, a CSV file or a flattened XML element list."""

    name: str
    rows: list[list[Any]]
    hidden: bool = False
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def read_file(path: Path, fmt: str, *, xml_tables: list[XmlTable] | None = None,
              encodings: list[str] | None = None, delimiter: str | None = None) -> list[Sheet]:
    """Read ``path`` (already sniffed as ``fmt``) into sheets."""
    if fmt in {"xlsx", "xls"}:
        return read_workbook(path)
    if fmt == "xml":
        return read_xml(path, xml_tables or [])
    return [read_csv(path, encodings=encodings, delimiter=delimiter)]


def read_workbook(path: Path) -> list[Sheet]:
    """The sheets of an Excel workbook; an xlsx is measured first (see check_workbook_size),
    since the reader fills each sheet's whole rectangle before anything can be caught."""
    with path.open("rb") as handle:
        if handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            check_workbook_size(path)
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise refuse(path, "password_protected", "password-protected workbook") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise refuse(path, "password_protected", "password-protected workbook") from exc
        if path.suffix.lower() == ".xls":
            return _read_xls_with_xlrd(path, exc)
        raise refuse(path, "truncated_file", f"unreadable workbook: {exc}", kind="Excel") from exc
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)  # a list of lists already
            hidden = str(meta.visible).lower().endswith(("hidden", "veryhidden"))
            sheets.append(Sheet(name=meta.name, rows=rows, hidden=hidden))
    except Exception as exc:
        raise refuse(path, "truncated_file", f"damaged workbook: {exc}", kind="Excel") from exc
    finally:
        workbook.close()
    return sheets


def _read_xls_with_xlrd(path: Path, first_error: Exception) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        text = str(exc).lower()
        if "encrypt" in text or "password" in text:
            raise refuse(path, "password_protected", "password-protected workbook") from exc
        raise refuse(
            path, "truncated_file", f"unreadable xls: {first_error}; {exc}", kind="Excel (.xls)"
        ) from exc
    sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        rows = [sheet.row_values(r) for r in range(sheet.nrows)]
        sheets.append(Sheet(name=sheet.name, rows=rows, hidden=bool(sheet.visibility)))
    return sheets


# --- text files -------------------------------------------------------------------------------


def decode_bytes(path: Path, data: bytes, encodings: list[str] | None = None) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in (BOM, UTF-16 without BOM, UTF-8, legacy)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode(path, data, name), name
    sample = data[:4096]
    if len(sample) >= 4:
        even_zero = sample[1::2].count(0) / max(1, len(sample) // 2)
        odd_zero = sample[0::2].count(0) / max(1, len(sample) // 2)
        if even_zero > 0.3 and odd_zero < 0.05:
            return _decode(path, data, "utf-16-le"), "utf-16-le"
        if odd_zero > 0.3 and even_zero < 0.05:
            return _decode(path, data, "utf-16-be"), "utf-16-be"
    if b"\x00" in data:
        raise refuse(path, "binary_payload", "NUL bytes in text file", offset=data.index(b"\x00"))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text, name = decode_legacy_text(data, encodings or ["cp1258"])
    if text is None:
        tried = ", ".join(["utf-8", *(encodings or [])])
        raise FileFormatError(
            f"unknown text encoding (tried {tried})",
            message_vi=msg("bad_encoding", tried=tried),
            context=ErrorContext(file=path.name),
        )
    return text, name


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise refuse(path, "truncated_file", f"bad {encoding}: {exc}", kind=encoding) from exc


def read_csv(path: Path, *, encodings: list[str] | None = None,
             delimiter: str | None = None) -> Sheet:
    data = path.read_bytes()
    text, encoding = decode_bytes(path, data, encodings)
    check_text(path, text)
    text = unicodedata.normalize("NFC", text)
    if delimiter is None:
        head = text[:8192]
        counts = {d: head.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=counts.__getitem__)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return Sheet(name=path.stem, rows=list(reader), encoding=encoding)


# --- XML --------------------------------------------------------------------------------------


def read_xml(path: Path, tables: list[XmlTable]) -> list[Sheet]:
    """Flatten an XML export into one sheet per declared table, header row first.

    Each row is an element: its attributes and its leaf children are the cells; the attributes
    of its ancestors are copied in (school code, year); ``parent_key`` copies one field of the
    enclosing record. DTDs, entities and external references are refused (XXE, billion laughs).
    """
    try:
        with path.open("rb") as stream:
            found = xml_rows(stream, tables)
    except UnsafeXml as exc:
        raise refuse(path, "xml_unsafe", f"unsafe XML: {exc!r}") from exc
    except ExpatError as exc:
        raise refuse(path, "xml_broken", f"malformed XML: {exc}", detail=str(exc)) from exc
    sheets = []
    for table in tables:
        records = found[table.record]
        columns: dict[str, None] = {}
        for row in records:
            columns.update(dict.fromkeys(row))
        header = list(columns)
        rows: list[list[Any]] = [list(header)]
        rows.extend(_cells(records, header))
        sheets.append(Sheet(name=table.name, rows=rows, encoding="xml"))
    return sheets


def _cells(records: list[dict[str, str]], header: list[str]) -> list[list[Any]]:
    """Each record's values in the order of ``header``, "" where it has none. The header is
    every record's keys together, so a record with as many keys has them all: those (most)
    are taken in C."""
    if len(header) < 2:
        return [[row.get(key, "") for key in header] for row in records]
    take, width = itemgetter(*header), len(header)
    return [list(take(row)) if len(row) == width else [row.get(key, "") for key in header]
            for row in records]
