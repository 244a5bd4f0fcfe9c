"""The size of a legacy Excel workbook (BIFF, ``.xls``), measured before any reader sees it.

The reader trusts a sheet's ``DIMENSIONS`` record and sets aside room for the whole rectangle
it declares: a 5 KB ``.xls`` that declares four billion rows aborts the process (not an
exception: the allocation fails). So, as for an xlsx (:func:`~connectors.tabular.safety.
check_workbook_size`), each sheet is measured first, from its records: the declared dimension
and the last row and column a cell names, whichever is larger, against the same limits. The
shared strings' declared count is checked too. The walk reads record headers only (four bytes
each), in one pass over the workbook stream.

BIFF8 sheets have at most 65,536 rows and 256 columns; anything declared beyond is a lie, and
is refused by the limits.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path

from connectors.tabular.safety import (
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_WORKBOOK_CELLS,
    _too_big,
    _too_many_strings,
    refuse,
)

_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS, _SST = 0x0809, 0x000A, 0x0085, 0x0200, 0x00FC
_WORKSHEET = 0x0010  # a BOF's substream type
# Records that name one cell by (row, column) in their first four bytes.
_CELL = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x0406}
# Records that name a run of cells: row, first column, …, last column (the last two bytes).
_CELL_RUN = {0x00BD, 0x00BE}  # MULRK, MULBLANK
_HEADER = struct.Struct("<HH")
_RECORD = struct.Struct("<HHHH")  # type, length, then a cell's row and column
_U16_PAIR = struct.Struct("<HH")
_U32 = struct.Struct("<I")


def _stream(path: Path, data: bytes) -> bytes | None:
    """The workbook stream (BIFF8 ``Workbook``, BIFF5 ``Book``), or None if there is none."""
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        doc = CompDoc(data, logfile=io.StringIO())
        for name in ("Workbook", "Book"):
            stream = doc.get_named_stream(name)
            if stream:
                return bytes(stream)
    except (CompDocError, IndexError, ValueError, struct.error) as exc:
        raise refuse(path, "truncated_file", f"damaged OLE2 file: {exc}",
                     kind="Excel (.xls)") from exc
    return None


def _records(stream: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """(type, offset of its data, length) of each record from ``start`` on."""
    at, end = start, len(stream)
    while at + 4 <= end:
        kind, length = _HEADER.unpack_from(stream, at)
        yield kind, at + 4, length
        at += 4 + length


def _sheets(stream: bytes) -> tuple[list[tuple[str, int]], int]:
    """The worksheets the globals name (name, offset of their BOF) and the shared strings'
    declared count (the larger of total and unique)."""
    sheets: list[tuple[str, int]] = []
    strings = 0
    for kind, at, length in _records(stream, 0):
        if kind == _EOF:
            break
        if kind == _BOUNDSHEET and length >= 8:
            offset = _U32.unpack_from(stream, at)[0]
            if stream[at + 5] == 0:  # a worksheet (not a chart or macro sheet)
                sheets.append((_sheet_name(stream, at + 6, length - 6), offset))
        elif kind == _SST and length >= 8:
            strings = max(_U32.unpack_from(stream, at)[0], _U32.unpack_from(stream, at + 4)[0])
    return sheets, strings


def _sheet_name(stream: bytes, at: int, length: int) -> str:
    """A BOUNDSHEET's name (BIFF8: count, flags, then Latin-1 or UTF-16 characters)."""
    if length < 2:
        return "?"
    count, wide = stream[at], stream[at + 1] & 1
    raw = stream[at + 2: at + 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _rectangle(stream: bytes, offset: int) -> tuple[int, int]:
    """(rows, columns) from A1 that the sheet at ``offset`` fills: what its DIMENSIONS record
    declares, or the last cell it names, whichever is larger. ``stream`` ends with eight
    zero bytes, so that every header can be read whole. A hot loop: a school's file has
    hundreds of thousands of records, so it unpacks each header and cell address at once."""
    unpack, u32 = _RECORD.unpack_from, _U32.unpack_from
    cells, runs = _CELL, _CELL_RUN
    end = len(stream) - 8
    if offset > end or unpack(stream, offset)[0] != _BOF:
        return 0, 0  # not a substream: nothing the reader will fill
    rows = columns = 0
    at = offset + 4 + unpack(stream, offset)[1]
    while at <= end:
        kind, length, row, column = unpack(stream, at)
        if kind in cells:
            if length >= 4:
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind == _EOF:
            break
        elif kind in runs and length >= 6:
            last = _U16_PAIR.unpack_from(stream, at + 4 + length - 4)[1]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        elif kind == _DIMENSIONS:
            if length >= 14:  # BIFF8: rows as 32-bit numbers
                last_row = u32(stream, at + 8)[0]
                last_column = _U16_PAIR.unpack_from(stream, at + 12)[1]
            elif length >= 8:  # BIFF5
                last_row, last_column = column, _U16_PAIR.unpack_from(stream, at + 8)[1]
            else:
                last_row = last_column = 0
            rows, columns = max(rows, last_row), max(columns, last_column)
        at += 4 + length
    return rows, columns


def check_xls_size(path: Path, data: bytes) -> None:
    """Refuse a BIFF workbook (its bytes, ``data``) whose sheets would not fit in memory:
    the limits of :func:`~connectors.tabular.safety.check_workbook_size`, measured from
    the records before any reader allocates a cell. A compound file with no workbook stream
    is left to the reader (it refuses it)."""
    stream = _stream(path, data)
    if stream is None:
        return
    stream += bytes(8)
    sheets, strings = _sheets(stream)
    if strings > MAX_SHARED_STRINGS:
        raise _too_many_strings(path, strings)
    budget = MAX_WORKBOOK_CELLS
    for name, offset in sheets:
        rows, columns = _rectangle(stream, offset)
        limit = min(MAX_SHEET_CELLS, budget)
        if columns > MAX_SHEET_COLUMNS or rows * columns > limit:
            raise _too_big(path, name, rows, columns, limit)
        budget -= rows * columns


__all__ = ["check_xls_size"]
