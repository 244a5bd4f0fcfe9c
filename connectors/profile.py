"""Declarative connector profiles: what a vendor's export looks like, as data.

A profile is a TOML file in ``connectors/profiles/`` (or any file a district points at). It
says how to recognise the vendor's files, where the title rows and the header are, which header
names (with their variants) mean which canonical column, and how statuses and terms are written.
A district adapts to a new export version by editing the profile, never the code.

Loading validates the file with pydantic and turns any mistake into a :class:`ConfigError`
naming the profile and the faulty key.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.messages import msg
from doisoat.errors import ConfigError, ErrorContext

PROFILE_DIR = Path(__file__).parent / "profiles"

DatasetKind = Literal["roster", "grades_wide", "grades_long"]
FileFormat = Literal["xlsx", "xls", "csv", "xml"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detect(_Strict):
    """How to tell this vendor's files from the others' (each hit adds to a score)."""

    filename: str = Field(description="regex on the folded file name")
    markers: list[str] = Field(default_factory=list, description="folded text in the title rows")
    signature: list[str] = Field(
        default_factory=list, description="folded header names typical of this vendor"
    )

    @field_validator("filename")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value


class XmlTable(_Strict):
    """One flat table taken out of an XML export: an element per row, its children as cells."""

    name: str
    record: str = Field(description="tag of the element holding one row")
    parent_key: str | None = Field(
        default=None, description="a field of the parent element copied into each row"
    )


class Reader(_Strict):
    header_search_rows: int = Field(default=15, ge=1, le=200)
    header_lookahead: int = Field(
        default=4, ge=1, le=200,
        description="rows below the best header found where a better one is still looked for",
    )
    min_confidence: float = Field(default=0.8, gt=0, le=1)
    encodings: list[str] = Field(default_factory=lambda: ["utf-8", "cp1258"])
    delimiter: str | None = None
    legacy_font: Literal["none", "auto"] = "auto"
    footer_markers: list[str] = Field(
        default_factory=list, description="folded text that ends the table (totals, signatures)"
    )
    xml_tables: list[XmlTable] = Field(default_factory=list)


class Title(_Strict):
    """Regexes run on the title rows (NFC text, case-insensitive) to find sheet-level values."""

    class_name: str = r"l[ớo]p\s*:?\s*(?P<v>\d{1,2}\s*[A-Za-z0-9./_-]*)"
    school_year: str = r"n[ăa]m\s*h[ọo]c\s*:?\s*(?P<v>\d{4}\s*[-–]\s*\d{4})"
    school_code: str = r"m[ãa]\s*tr[ưu][ờo]ng\s*:?\s*(?P<v>[A-Za-z0-9_-]+)"
    terms: dict[str, str] = Field(
        default_factory=lambda: {
            "year": r"ca nam|\bcn\b",
            "2": r"(hoc )?ky (ii|2)\b|\bhk ?(ii|2)\b",
            "1": r"(hoc )?ky (i|1)\b|\bhk ?(i|1)\b",
        },
        description="term code -> regex on folded sheet name and title; first match wins",
    )


class Dataset(_Strict):
    kind: DatasetKind
    sheets: str = Field(default=".*", description="regex on the folded sheet name (or file name)")
    columns: dict[str, list[str]]
    required: list[str]
    components: dict[str, str] = Field(
        default_factory=dict,
        description="grades_wide: component -> regex on the folded sub-header cell",
    )
    status: str | None = Field(default=None, description="status of every row of this dataset")

    @field_validator("required")
    @classmethod
    def _required_known(cls, value: list[str], info) -> list[str]:
        columns = info.data.get("columns", {})
        missing = [name for name in value if name not in columns]
        if missing:
            raise ValueError(f"required columns without aliases: {missing}")
        return value


class Api(_Strict):
    """How the source's HTTP API serves its student list (``doisoat pull SOURCE``)."""

    resource: str = "students"
    path: str
    records_key: str = "data"
    updated_field: str = Field(description="JSON key of the row's last-change time")
    since_param: str = "updated_since"
    paginator: dict[str, str | int] = Field(description="kind (page|offset|cursor) + options")
    columns: dict[str, list[str]]
    required: list[str]

    @field_validator("paginator")
    @classmethod
    def _kind(cls, value: dict[str, str | int]) -> dict[str, str | int]:
        if value.get("kind") not in {"page", "offset", "cursor"}:
            raise ValueError("paginator.kind must be page, offset or cursor")
        return value


class SourceProfile(_Strict):
    source: Literal["smas", "vnedu", "vietschool", "quangich", "moet"]
    label: str
    version: str
    formats: list[FileFormat]
    notes: str = ""
    detect: Detect
    reader: Reader = Field(default_factory=Reader)
    title: Title = Field(default_factory=Title)
    status_values: dict[str, list[str]] = Field(default_factory=dict)
    datasets: list[Dataset]
    api: Api | None = None


def load_profile(path: str | Path) -> SourceProfile:
    """Read and validate one profile file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SourceProfile.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, re.error) as exc:
        detail = str(exc).splitlines()[0] if isinstance(exc, ValidationError) else str(exc)
        if isinstance(exc, ValidationError):
            detail = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
        raise ConfigError(
            f"invalid connector profile {path.name}: {detail}",
            message_vi=msg("profile_invalid", name=path.stem, detail=detail),
            context=ErrorContext(file=path.name),
        ) from exc


@cache
def default_profiles() -> tuple[SourceProfile, ...]:
    """The shipped profiles, one per source."""
    return tuple(load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml")))


def profiles_from(directory: str | Path | None) -> tuple[SourceProfile, ...]:
    """Profiles from ``directory`` (a district's adapted set) or the shipped defaults."""
    if directory is None:
        return default_profiles()
    return tuple(load_profile(p) for p in sorted(Path(directory).glob("*.toml")))


def profile_for(source: str, profiles: tuple[SourceProfile, ...] | None = None) -> SourceProfile:
    for profile in profiles or default_profiles():
        if profile.source == source:
            return profile
    raise ConfigError(f"no connector profile for source {source!r}")
