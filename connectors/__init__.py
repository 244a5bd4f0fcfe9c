"""Connectors: vendors' exports and the sector database, files or HTTP, to the canonical schema.

Public face (everything else may move):

* :func:`ingest_paths` — files/folders → snapshots, records, results and quarantine in the store;
  returns an :class:`ImportSummary` (rows read = accepted + quarantined).
* :func:`read_export` — one file → canonical frames, no store (``doisoat inspect``);
  ``source=`` limits detection to one vendor's profile.
* :func:`load_profile`, :func:`default_profiles` — the declarative vendor profiles.
* :func:`pull` — a vendor API or the sector database over HTTP, incremental and resumable.
"""

from connectors.export_file import FileRead, read_export
from connectors.http import PullSummary, pull
from connectors.ingest import FileSummary, ImportSummary, expand_paths, ingest_paths
from connectors.inspect import describe
from connectors.profile import (
    SourceProfile,
    default_profiles,
    load_profile,
    profile_for,
    profiles_from,
)

__all__ = [
    "describe",
    "profiles_from",
    "FileRead",
    "FileSummary",
    "ImportSummary",
    "SourceProfile",
    "PullSummary",
    "default_profiles",
    "expand_paths",
    "ingest_paths",
    "load_profile",
    "profile_for",
    "pull",
    "read_export",
]
