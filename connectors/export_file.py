"""Read one export file end to end: safety checks, vendor detection, tables, canonical frames.

No database here: :func:`read_export` returns plain frames and the quarantined rows, so
``doisoat inspect`` and the tests can look at a file without a store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from connectors.grades import grade_rows
from connectors.mapping import Defaults, student_rows
from connectors.messages import msg
from connectors.profile import SourceProfile, default_profiles
from connectors.quarantine import Quarantined
from connectors.tabular.cells import cell_text
from connectors.tabular.header import fold_label
from connectors.tabular.readers import Sheet, read_file
from connectors.tabular.safety import check_name, sniff
from connectors.tabular.tables import Table, find_tables
from doisoat.errors import ErrorContext, FileFormatError
from doisoat.vn.calendar import school_year_of


@dataclass
class SheetReport:
    """What ``doisoat inspect`` shows for one table."""

    sheet: str
    kind: str
    header_row: int  # 1-based
    header_rows: int
    columns: dict[str, tuple[str, float]]  # field -> (header text, confidence)
    grade_columns: int
    rows: int
    skipped: int
    context: dict[str, str | None]


@dataclass
class FileRead:
    path: Path
    source: str
    format: str
    detection: dict[str, float]
    content_hash: str
    encoding: str | None
    tables: list[SheetReport]
    unmatched_sheets: list[str]
    students: pl.DataFrame
    subject_results: pl.DataFrame
    term_results: pl.DataFrame
    quarantined: list[Quarantined] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rows_quarantined(self) -> int:
        return len({(q.src_sheet, q.src_row) for q in self.quarantined})

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_quarantined

    @property
    def school_code(self) -> str | None:
        codes = self.students["school_code"].drop_nulls().unique().to_list()
        return codes[0] if len(codes) == 1 else None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _signature_score(sheets: list[Sheet], profile: SourceProfile) -> float:
    if not profile.detect.signature:
        return 0.0
    labels: set[str] = set()
    for sheet in sheets[:4]:
        for row in sheet.rows[: profile.reader.header_search_rows + 2]:
            labels.update(fold_label(cell_text(v)) for v in row if cell_text(v))
    if not labels:
        return 0.0
    choices = list(labels)
    found = sum(
        1 for item in profile.detect.signature
        if process.extractOne(item, choices, scorer=fuzz.ratio, score_cutoff=90)
    )
    return found / len(profile.detect.signature)


def _title_text(sheets: list[Sheet]) -> str:
    parts = []
    for sheet in sheets[:3]:
        for row in sheet.rows[:8]:
            parts.extend(cell_text(v) for v in row if cell_text(v))
    return fold_label(" ".join(parts)[:4000])


Detection = tuple[SourceProfile, dict[str, float], list[Table], list[str]]


def detect(path: Path, fmt: str, profiles: tuple[SourceProfile, ...],
           read: dict[str, list[Sheet]]) -> Detection:
    """The profile that reads this file best, with every candidate's score."""
    scores: dict[str, float] = {}
    best = None
    folded_name = fold_label(path.name)
    candidates = []
    for profile in profiles:
        if fmt not in profile.formats:
            continue
        sheets = read.get(profile.source) or read.get("*") or []
        title = _title_text(sheets)
        score = 0.6 * _signature_score(sheets, profile)
        score += 0.2 if re.search(profile.detect.filename, folded_name) else 0.0
        score += 0.2 if any(m in title for m in profile.detect.markers) else 0.0
        candidates.append((round(score, 3), profile, sheets))
    # Reading the tables is the costly part: try the likeliest vendor first, the others only
    # when it finds no table in the file.
    ranked = sorted(candidates, key=lambda c: -c[0])
    for rank, (score, profile, sheets) in enumerate(ranked):
        if best is not None:
            scores[profile.source] = score
            continue
        tables, unmatched = find_tables(sheets, profile)
        named = re.search(profile.detect.filename, folded_name) or any(
            m in _title_text(sheets) for m in profile.detect.markers)
        if not tables and rank == 0 and named:
            # The file says which vendor it is: say what its table lacks rather than read it
            # as some other source's.
            _no_header(path, fmt, (profile,), read, folded_name)
        scores[profile.source] = score if tables else 0.0
        if tables and (best is None or score > best[1]):
            best = (profile, score, tables, unmatched)
    if best is None:
        _no_header(path, fmt, profiles, read, folded_name)
        top = max(scores, key=scores.__getitem__) if scores else "-"
        raise FileFormatError(
            f"no profile recognises {path.name} (scores {scores})",
            message_vi=msg("unknown_vendor", best=top, score=round(100 * scores.get(top, 0))),
            context=ErrorContext(file=path.name),
            details={"scores": scores},
        )
    return best[0], scores, best[2], best[3]


def _no_header(path: Path, fmt: str, profiles: tuple[SourceProfile, ...],
               read: dict[str, list[Sheet]], folded_name: str) -> None:
    """A file that names its vendor but whose table header cannot be found: say what is missing."""
    for profile in profiles:
        if fmt not in profile.formats:
            continue
        sheets = read.get(profile.source) or read.get("*") or []
        title = _title_text(sheets)
        if re.search(profile.detect.filename, folded_name) or any(
                m in title for m in profile.detect.markers):
            dataset = profile.datasets[0]
            expected = ", ".join(f"«{dataset.columns[name][0]}»" for name in dataset.required)
            raise FileFormatError(
                f"{path.name}: no header row with {dataset.required} in the first "
                f"{profile.reader.header_search_rows} rows",
                message_vi=msg("no_header", rows=profile.reader.header_search_rows,
                               expected=expected),
                context=ErrorContext(source=profile.source, file=path.name,
                                     sheet=sheets[0].name if sheets else None),
            )


def read_export(path: str | Path, *, profiles: tuple[SourceProfile, ...] | None = None,
                night: dt.date | None = None, school_code: str | None = None,
                source: str | None = None, content_hash: str | None = None) -> FileRead:
    """Read one vendor or registry export into canonical frames (no store involved).

    ``content_hash``: the file's hash when the caller has already taken it."""
    path = Path(path)
    check_name(path)
    fmt = sniff(path)
    profiles = profiles or default_profiles()
    if source:
        profiles = tuple(p for p in profiles if p.source == source)
    read: dict[str, list[Sheet]] = {}
    if fmt == "xml":
        for profile in profiles:
            if "xml" in profile.formats:
                read[profile.source] = read_file(path, fmt, xml_tables=profile.reader.xml_tables)
    elif fmt == "csv":
        encodings = sorted({e for p in profiles for e in p.reader.encodings}, key=lambda e: (
            e != "utf-8", e))
        read["*"] = read_file(path, fmt, encodings=encodings)
    else:
        read["*"] = read_file(path, fmt)
    profile, scores, tables, unmatched = detect(path, fmt, profiles, read)
    school_year = school_year_of(night or dt.date.today())
    defaults = Defaults(profile.source, path.name, school_code or school_from_folder(path),
                        school_year)
    quarantined: list[Quarantined] = []
    students = student_rows(tables, profile, defaults, quarantined)
    subjects, terms = grade_rows(tables, defaults, quarantined)
    sheets = read.get(profile.source) or read.get("*") or []
    reports = [
        SheetReport(
            sheet=t.sheet.name, kind=t.dataset.kind, header_row=t.header.row + 1,
            header_rows=t.header.rows,
            columns={k: (m.header, round(m.confidence, 2)) for k, m in t.header.matches.items()},
            grade_columns=len(t.header.grades), rows=len(t.rows), skipped=t.skipped,
            context={"class_name": t.context.class_name, "school_year": t.context.school_year,
                     "school_code": t.context.school_code, "term": t.context.term},
        )
        for t in tables
    ]
    return FileRead(
        path=path, source=profile.source, format=fmt, detection=scores,
        content_hash=content_hash or file_hash(path),
        encoding=sheets[0].encoding if sheets else None,
        tables=reports, unmatched_sheets=unmatched, students=students,
        subject_results=subjects, term_results=terms, quarantined=quarantined,
        rows_read=sum(len(t.rows) for t in tables),
    )


def school_from_folder(path: Path) -> str | None:
    """Exports are filed as ``<out>/<school_code>/<file>``: the folder names the school."""
    parent = path.resolve().parent.name
    return parent if re.fullmatch(r"[A-Za-z0-9_-]{2,32}", parent) else None
