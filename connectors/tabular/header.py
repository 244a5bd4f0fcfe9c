"""Find the header of a table under its title rows and map its columns to canonical fields.

Header names vary (diacritics or not, upper case, abbreviations, non-breaking spaces, a
subject merged over ``TX1 TX2 GK CK TBm``), so each header cell is folded and compared with
the profile's folded aliases using rapidfuzz; each mapped column keeps its confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from connectors.profile import Dataset
from connectors.tabular.cells import cell_text
from doisoat.vn import fold, repair_text, subject_code


@lru_cache(maxsize=65536)
def fold_label(value: str) -> str:
    """Comparison key of a header cell, sheet or file name: ``doisoat.vn.fold`` of the text
    with its legacy font repaired.

    The one step added on top of the key: line breaks and non-breaking spaces become spaces
    before the repair, which reads words. Punctuation stays, as in every key: profiles match
    on it (``gd&dt``, ``qi_``)."""
    return fold(repair_text(value.replace("\xa0", " ").replace("\n", " ")))


@dataclass(frozen=True)
class ColumnMatch:
    field: str
    column: int
    header: str
    alias: str
    confidence: float


@dataclass(frozen=True)
class GradeColumn:
    """One cell of a wide grade sheet's two-row header: a subject's component."""

    column: int
    subject: str
    subject_label: str
    component: str  # regular | midterm | final | average | rating
    position: int  # order of regular scores (TX1, TX2, …)


@dataclass
class Header:
    row: int  # index of the (first) header row
    rows: int  # 1 or 2
    matches: dict[str, ColumnMatch]
    grades: list[GradeColumn] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        if not self.matches:
            return 0.0
        return min(m.confidence for m in self.matches.values())

    @property
    def data_start(self) -> int:
        return self.row + self.rows


class _AliasIndex:
    def __init__(self, dataset: Dataset) -> None:
        self.keys: list[str] = []
        self.fields: list[str] = []
        self.aliases: list[str] = []
        for name, aliases in dataset.columns.items():
            for alias in aliases:
                self.keys.append(fold_label(alias))
                self.fields.append(name)
                self.aliases.append(alias)


def _score_row(labels: list[str], index: _AliasIndex,
               cutoff: float) -> list[tuple[float, int, int]]:
    """Each label's five best aliases at or above the cutoff, best first, ties by alias
    order (as ``process.extract`` gives them), scored for the whole row in one call."""
    columns = [column for column, label in enumerate(labels) if label]
    if not columns or not index.keys:
        return []
    scores = process.cdist([labels[c] for c in columns], index.keys, scorer=fuzz.ratio,
                           score_cutoff=cutoff * 100, dtype=np.float64)
    found = []
    for at, alias_index in zip(*np.nonzero(scores >= cutoff * 100), strict=True):
        found.append((scores[at, alias_index], columns[at], alias_index))
    found.sort(key=lambda t: (t[1], -t[0], t[2]))
    best: list[tuple[float, int, int]] = []
    per_column: dict[int, int] = {}
    for score, column, alias_index in found:
        if per_column.get(column, 0) < 5:
            per_column[column] = per_column.get(column, 0) + 1
            best.append((float(score) / 100.0, column, int(alias_index)))
    return best


_INDEXES: dict[int, tuple[Dataset, _AliasIndex]] = {}


def _index(dataset: Dataset) -> _AliasIndex:
    found = _INDEXES.get(id(dataset))
    if found is None or found[0] is not dataset:
        found = (dataset, _AliasIndex(dataset))
        _INDEXES[id(dataset)] = found
    return found[1]


def map_columns(labels: list[str], dataset: Dataset, cutoff: float,
                raw: list[str] | None = None) -> dict[str, ColumnMatch]:
    """Best one-to-one assignment of folded labels to fields, greedily by confidence."""
    index = _index(dataset)
    taken_columns: set[int] = set()
    matches: dict[str, ColumnMatch] = {}
    for score, column, alias_index in sorted(
        _score_row(labels, index, cutoff), key=lambda t: (-t[0], t[1])
    ):
        name = index.fields[alias_index]
        if name in matches or column in taken_columns:
            continue
        taken_columns.add(column)
        header = (raw or labels)[column]
        matches[name] = ColumnMatch(name, column, header, index.aliases[alias_index], score)
    return matches


def _component(label: str, dataset: Dataset) -> str | None:
    for component, pattern in dataset.components.items():
        if re.search(pattern, label):
            return component
    return None


class _RowMemo:
    """Results computed from whole rows, once per distinct content.

    The sheets of a file (a class each) repeat their title and header rows. A key holds the
    rows' cells and their types (``1 == 1.0 == True``) and the alias index it was read with
    (kept alive by the key, so its id is never reused); a row with an unhashable cell is
    computed every time. Emptied when full: a file's rows come together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: dict[tuple[Any, ...], Any] = {}

    def get(self, compute: Callable[[], Any], dataset: Dataset, cutoff: float,
            *rows: list[Any]) -> Any:
        try:
            key: tuple[Any, ...] | None = (_index(dataset), cutoff, *(
                part for row in rows for part in (tuple(row), tuple(map(type, row)))))
            found = self.found.get(key)
        except TypeError:
            key = found = None
        if found is None:
            found = compute()
            if key is not None:
                if len(self.found) >= self.limit:
                    self.found.clear()
                self.found[key] = found
        return found


_Read = tuple[list[str], list[str], dict[str, ColumnMatch]]
_READ_ROWS = _RowMemo(4096)
_COMPLETED = _RowMemo(1024)


def _read_row(row: list[Any], dataset: Dataset, cutoff: float) -> _Read:
    """A row's cell texts, folded labels and column mapping; shared, so not to be changed."""
    def read() -> _Read:
        raw = [cell_text(v) for v in row]
        labels = [fold_label(v) if v else "" for v in raw]
        return raw, labels, map_columns(labels, dataset, cutoff, raw)

    return _READ_ROWS.get(read, dataset, cutoff, row)


def find_header(rows: list[list[Any]], dataset: Dataset, *, search_rows: int,
                cutoff: float, lookahead: int = 4) -> Header | None:
    """The most convincing header row in the first ``search_rows`` rows, or None.

    A better header is looked for up to ``lookahead`` rows below the best found so far: past
    its second row and a note or blank row or two, what follows is data, each row new text,
    and reading those rows cost a tenth of a province's import."""
    best: Header | None = None
    best_key: tuple[int, float] = (0, 0.0)
    for r in range(min(search_rows, len(rows))):
        if best is not None and r > best.row + lookahead:
            break
        _, labels, matches = _read_row(rows[r], dataset, cutoff)
        if not all(name in matches for name in dataset.required):
            continue
        key = (len(matches), sum(m.confidence for m in matches.values()))
        if key > best_key:
            best_key = key
            best = Header(row=r, rows=1, matches=matches, labels=labels)  # _completed copies
        elif best is not None:
            break  # past the header: the rows below it are data
    if best is None:
        return None
    return _completed(rows, best, dataset, cutoff)


def _completed(rows: list[list[Any]], header: Header, dataset: Dataset, cutoff: float) -> Header:
    """``header`` with its second row recognised, once per distinct pair of rows."""
    def complete() -> Header:
        done = Header(row=header.row, rows=1, matches=dict(header.matches),
                      labels=list(header.labels))
        _second_row(rows, done, dataset, cutoff)
        return done

    done = _COMPLETED.get(complete, dataset, cutoff, *rows[header.row: header.row + 2])
    return Header(row=header.row, rows=done.rows, matches=dict(done.matches),
                  grades=list(done.grades), labels=list(done.labels))


def _second_row(rows: list[list[Any]], header: Header, dataset: Dataset, cutoff: float) -> None:
    """Recognise a merged two-row header (subject over components, 'Họ và tên' over parts)."""
    r = header.row + 1
    if r >= len(rows):
        return
    _, sub, sub_matches = _read_row(rows[r], dataset, cutoff)
    filled = [i for i, v in enumerate(sub) if v]
    if len(filled) < 2:
        return
    components = {i: _component(sub[i], dataset) for i in filled}
    recognised = sum(1 for c in components.values() if c) + len(sub_matches)
    if recognised * 2 < len(filled):
        return
    header.rows = 2
    raw_top = [cell_text(v) for v in rows[header.row]] + [""] * len(sub)
    subject_label, subject = "", None
    positions: dict[tuple[str, str], int] = {}
    for i in range(len(sub)):
        if raw_top[i]:
            subject_label = raw_top[i]
            subject = subject_code(repair_text(raw_top[i]))
        component = components.get(i)
        if component and subject:
            key = (subject, component)
            positions[key] = positions.get(key, 0) + 1
            header.grades.append(
                GradeColumn(i, subject, subject_label, component, positions[key])
            )
    grade_columns = {g.column for g in header.grades}
    for name, match in sub_matches.items():
        current = header.matches.get(name)
        if match.column in grade_columns:
            continue
        if current is None or current.confidence < match.confidence:
            header.matches = {k: v for k, v in header.matches.items()
                              if v.column != match.column}
            header.matches[name] = match
    header.matches = {k: v for k, v in header.matches.items() if v.column not in grade_columns}
