"""Files in and out: uploads (streamed, size-limited, name-checked, XML without DTDs), reports,
worklists and transcripts for download, transcript verification, and safe CSV export."""

from __future__ import annotations

import datetime as dt
import glob
import re
import unicodedata
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doisoat.errors import BadRequest, SourceError, TooLarge
from doisoat.model import REGISTRY_SOURCE
from service.api import audit, messages
from service.api.auth import DISTRICT_ROLES, Principal, forbidden, other_school
from service.api.services import SCHOOL_RE, bad_filter, not_found

UPLOAD_SUFFIXES = (".xlsx", ".xls", ".csv", ".xml", ".json")
SAFE_NAME = re.compile(r"[^\w.\- ]", re.UNICODE)
UPLOADERS = DISTRICT_ROLES | {"school_admin"}
_XML_SCAN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class FilesConfig:
    upload_dir: Path
    reports_dir: Path
    transcripts_dir: Path
    max_upload_bytes: int = 50 * 1024 * 1024


def too_large(config: FilesConfig) -> TooLarge:
    return TooLarge(
        f"over {config.max_upload_bytes} bytes",
        message_vi=messages.error("too_large", limit=config.max_upload_bytes // 2**20),
    )


def safe_filename(raw: str) -> str:
    """The name to store an upload under: no directories, no control or direction characters,
    no leading dots; refused outright when the client tried a path trick."""
    name = unicodedata.normalize("NFC", raw or "")
    if (
        not name
        or "/" in name
        or "\\" in name
        or name in {".", ".."}
        or ".." in name
        or any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name)
    ):
        raise BadRequest(
            "bad file name", message_vi=messages.error("bad_name", name=repr(raw)[:80])
        )
    name = SAFE_NAME.sub("_", name).strip(" .")[:120]
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise BadRequest("bad file suffix", message_vi=messages.error("bad_suffix", name=name))
    return name


async def save_upload(
    chunks: AsyncIterator[bytes], name: str, school: str, config: FilesConfig
) -> Path:
    """Write the stream to ``upload_dir/<school>/<uuid>-<name>``, stopping at the size limit."""
    folder = config.upload_dir / school
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex[:12]}-{name}"
    written = 0
    try:
        with target.open("wb") as out:
            async for chunk in chunks:
                written += len(chunk)
                if written > config.max_upload_bytes:
                    raise too_large(config)
                out.write(chunk)
        if written == 0:
            raise BadRequest("empty upload", message_vi=messages.error("empty_file", name=name))
        check_content(target, name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def check_content(path: Path, name: str) -> None:
    """XML (alone or inside an xlsx) must parse without DTDs, entities or external references."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    def parse(data: bytes) -> None:
        try:
            SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException as exc:
            raise BadRequest(
                "XML with DTD or entities", message_vi=messages.error("unsafe_xml", name=name)
            ) from exc
        except SafeET.ParseError as exc:
            raise BadRequest(
                "damaged XML", message_vi=messages.error("bad_xml", name=name)
            ) from exc

    if name.lower().endswith(".xml"):
        parse(path.read_bytes())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")) and info.file_size < _XML_SCAN_BYTES:
                    parse(archive.read(info))


def ingest_upload(engine: Any, who: Principal, path: Path, night: dt.date) -> dict[str, Any]:
    """Import an uploaded export. A school's user may only bring in their own school's rows:
    the file is read first (no store) and refused if it names another school."""
    from connectors import ingest_paths, read_export

    if not who.is_district:
        try:
            read = read_export(path, night=night)
        except SourceError as exc:
            raise BadRequest(str(exc), message_vi=exc.message_vi) from exc
        schools = set(read.students["school_code"].drop_nulls().unique().to_list())
        if read.source == REGISTRY_SOURCE or schools - {who.school_code}:
            path.unlink(missing_ok=True)
            raise other_school()
    summary = ingest_paths([path], engine=engine, night=night)
    fields = ("status", "source", "school_code", "rows_read", "rows_accepted", "rows_quarantined")
    files = [
        {
            "file": Path(f.path).name,
            "message_vi": f.message_vi,
            **{k: getattr(f, k) for k in fields},
        }
        for f in summary.files
    ]
    with engine.begin() as conn:
        audit.record(
            conn, actor=who.username, action="upload.ingested", entity="upload",
            entity_id=path.name, after={"files": files, "night": night.isoformat()},
        )  # fmt: skip
    return {"files": files}


def _inside(base: Path, *parts: str) -> Path:
    """``base/parts`` if it stays inside ``base`` and exists; otherwise not found."""
    base = base.resolve()
    target = base.joinpath(*parts).resolve()
    if base not in target.parents or not target.is_file():
        raise not_found("file")
    return target


def report_file(config: FilesConfig, who: Principal, night: dt.date, kind: str) -> Path:
    """The night's district report (HTML or JSON): every school is in it, so district only."""
    if not who.is_district:
        raise forbidden()
    name = {"html": "report.html", "json": "report.json"}.get(kind)
    if name is None:
        raise not_found("report")
    return _inside(config.reports_dir, night.isoformat(), name)


def worklist_file(config: FilesConfig, who: Principal, night: dt.date, school: str) -> Path:
    if not SCHOOL_RE.match(school):
        raise bad_filter("school")
    who.school_scope(school)
    from reports import worklist_filename
    return _inside(config.reports_dir, night.isoformat(), *worklist_filename(school).split("/"))


def school_transcripts(config: FilesConfig, school: str) -> list[Path]:
    """The school's transcripts: in its folder or, as ``doisoat transcript issue`` files them,
    in a folder per class inside it (file names carry the identity code, so are unique)."""
    folder = config.transcripts_dir / school
    if not folder.is_dir():
        return []
    # «.PDF» too: a file copied in by hand from Windows keeps its upper-case suffix
    found = [p for p in folder.glob("*.[pP][dD][fF]") if p.is_file() and not p.is_symlink()]
    found += [p for p in folder.glob("*/*.[pP][dD][fF]") if p.is_file() and not p.is_symlink()
              and not p.parent.is_symlink()]
    return sorted(found, key=lambda p: (p.name, str(p)))


def transcript_file(config: FilesConfig, who: Principal, school: str, name: str) -> Path:
    if not SCHOOL_RE.match(school) or not re.match(r"^[\w.\-]{1,120}$", name):
        raise not_found("transcript")
    who.school_scope(school)
    folder = config.transcripts_dir / school
    for path in (folder / name, *sorted(folder.glob(f"*/{glob.escape(name)}"))):
        if path.is_file() and not path.is_symlink() and not path.parent.is_symlink():
            return _inside(config.transcripts_dir, *path.relative_to(
                config.transcripts_dir).parts)
    raise not_found("transcript")


def verify_transcript(data: bytes, file_name: str) -> dict[str, Any]:
    from signing import verify_pdf
    return verify_pdf(data, file_name=file_name).to_dict()  # a SigningError answers 422


def conflicts_csv(engine: Any, rows: list[dict[str, Any]], school: str | None) -> str:
    """The list as a person reads it in Excel: Vietnamese headers and values, schools named,
    the school's own students in full and another school's data withheld (``school``: the
    reader's school, None for the district), formulas neutralised."""
    from reports import conflicts_csv_of

    return conflicts_csv_of(engine, rows, school)
