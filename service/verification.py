"""A receiving school verifies a transcript, with no account: the public verification page.

Two ways in, as the paper and the phone allow: upload the PDF (every signature, the order, the
seal's lock, the attached XML and the QR code are checked by ``signing.verify_pdf``), or type the
transcript number and the SHA-256 printed in the cover's QR code (``HOCBA|1|<number>|SHA256:<hex>``,
pasted whole or in two fields): the service finds the transcript it issued under that number,
verifies it, and says whether the hash read from the paper is the hash of that transcript's data.

Signatures are trusted against the roots the office put in ``var/trust/`` (``*.pem``, ``*.cer``,
``*.crt``: the national root CA, or the demo's DEMO root); without them every signature is
reported untrusted. Times are shown in Vietnam's time (UTC+7), whatever the server's zone.

The page answers anyone, so it is rate-limited per client address (:class:`VerifyThrottle`,
like the login throttle: counts in memory, per process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from doisoat.errors import BadRequest, NotFound, SigningError
from doisoat.glossary import VN_TZ
from service.api import messages
from service.api.auth import TooManyLogins

NUMBER = re.compile(r"^(\d{10})/(THCS|THPT)$")
HASH = re.compile(r"^(?:SHA256:)?([0-9A-Fa-f]{64})$")
QR = re.compile(r"^HOCBA\|1\|(\d{10}/(?:THCS|THPT))\|SHA256:([0-9A-Fa-f]{64})$")
XML_NAME = "hocba.xml"
CODE_IN_NAME = re.compile(r"(?<!\d)(\d{10})(?!\d)")
MAX_PDF_BYTES = 20 * 1024 * 1024


class TooManyVerifications(TooManyLogins):
    """Too many verifications from one address: wait (429, ``Retry-After``)."""


class VerifyThrottle:
    """At most ``per_address`` verifications per ``window`` seconds from one client address."""

    def __init__(
        self,
        *,
        per_address: int = 30,
        window: float = 10 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_address, self.window, self.clock = per_address, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._seen) > 100_000:
                self._seen.clear()
            times = self._seen.setdefault(address, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.per_address:
                seconds = max(1, math.ceil(times[0] + self.window - now))
                raise TooManyVerifications(
                    "too many verifications",
                    message_vi=messages.error(
                        "verify_too_many", minutes=max(1, math.ceil(seconds / 60))
                    ),
                    retry_after=seconds,
                )
            times.append(now)


def trust_roots(trust_dir: Path) -> list[Any]:
    from signing import load_certificates

    if not trust_dir.is_dir():
        return []
    files = sorted(p for p in trust_dir.iterdir() if p.suffix.lower() in (".pem", ".cer", ".crt"))
    return load_certificates(files) if files else []


def vietnam_time(iso: str | None) -> str:
    if not iso:
        return "?"
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S (UTC+7)")


def attached_xml_sha256(pdf: bytes) -> str | None:
    """SHA-256 of the transcript's attached XML (what the QR code carries), if there is one."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if str(names[i]) == XML_NAME:
                data = names[i + 1].get_object()["/EF"]["/F"].get_object().data
                return hashlib.sha256(data).hexdigest()
    except Exception:  # noqa: BLE001 — a damaged file has no readable attachment
        return None
    return None


def _view(report: Any, pdf: bytes) -> dict[str, Any]:
    """The report as the page shows it: verdict, who signed what and when (UTC+7)."""
    from signing import ROLE_NAMES

    return {
        "ok": report.ok,
        "number": report.number,
        "xml_valid": report.xml_valid,
        "qr_matches": report.qr_matches,
        "xml_sha256": attached_xml_sha256(pdf),
        "signatures": [
            {
                "field": s.field,
                "role": ROLE_NAMES.get(s.role, s.role),
                "label": s.subjects or ROLE_NAMES.get(s.role, s.role),
                "signer": s.signer,
                "signed_at": vietnam_time(s.signed_at),
                "intact": s.intact and s.valid,
                "trusted": s.trusted,
                "ok": s.ok,
            }
            for s in report.signatures
        ],
        "problems": report.all_problems(),
    }


def verify_pdf_bytes(data: bytes, *, trust_dir: Path, file_name: str = "") -> dict[str, Any]:
    """Verify an uploaded transcript."""
    import logging

    from signing import verify_pdf

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # findings are in the report
    try:
        report = verify_pdf(data, trust_roots=trust_roots(trust_dir), file_name=file_name)
    except SigningError as exc:
        raise BadRequest(str(exc), message_vi=exc.message_vi) from exc
    return _view(report, data)


def parse_reference(number: str, sha256: str, qr_text: str = "") -> tuple[str, str]:
    """(number, lower-case hex) from the two fields, or from the QR code's text pasted whole:
    the bare payload, or the link to this page a code issued with ``[server] public_url``
    holds (``…/verify?qr=<payload>``), whose ``qr`` parameter is then read."""
    qr_text = qr_text.strip()
    if qr_text.lower().startswith(("https://", "http://")):
        qr_text = (parse_qs(urlsplit(qr_text).query).get("qr") or [""])[0].strip() or qr_text
    if qr_text:
        found = QR.match(qr_text)
        if found is None:
            raise BadRequest("bad QR text", message_vi=messages.error("verify_bad_hash"))
        return found.group(1), found.group(2).lower()
    number, sha256 = number.strip().upper(), sha256.strip()
    if not number and not sha256:
        raise BadRequest("nothing to verify", message_vi=messages.error("verify_need_input"))
    if not NUMBER.match(number):
        raise BadRequest(
            "bad number", message_vi=messages.error("verify_bad_number", number=number[:40])
        )
    found_hash = HASH.match(sha256)
    if found_hash is None:
        raise BadRequest("bad hash", message_vi=messages.error("verify_bad_hash"))
    return number, found_hash.group(1).lower()


def find_issued(transcripts_dir: Path, number: str) -> Path | None:
    """The transcript this service issued under ``number``: by the name ``transcript issue``
    gives it, else a file put in a folder by hand under another name, known by the number in
    its attached XML (only files whose name carries no other identity code are opened)."""
    stem = number.replace("/", "_")
    if not transcripts_dir.is_dir():
        return None
    for prefix in ("HocBa_", "XacNhan_"):
        name = f"{prefix}{stem}.pdf"
        for path in sorted(transcripts_dir.glob(f"*/{name}")) + sorted(
            transcripts_dir.glob(f"*/*/{name}")
        ):
            if path.is_file() and not path.is_symlink():
                return path
    from signing import transcript_number

    code = number[:10]
    for path in sorted(transcripts_dir.glob("*/*.[pP][dD][fF]")) + sorted(
        transcripts_dir.glob("*/*/*.[pP][dD][fF]")
    ):
        codes = CODE_IN_NAME.findall(path.name)
        if codes and code not in codes:
            continue
        if path.is_file() and not path.is_symlink() and transcript_number(
            path.read_bytes()
        ) == number:
            return path
    return None


def verify_reference(
    transcripts_dir: Path, trust_dir: Path, number: str, sha256: str
) -> dict[str, Any]:
    """Verify the issued transcript ``number`` and compare its data's hash with ``sha256``."""
    path = find_issued(transcripts_dir, number)
    if path is None:
        raise NotFound(
            f"no transcript {number}", message_vi=messages.error("verify_not_found", number=number)
        )
    data = path.read_bytes()
    view = verify_pdf_bytes(data, trust_dir=trust_dir, file_name=path.name)
    view["hash_given"] = sha256
    view["hash_matches"] = view["xml_sha256"] == sha256
    if not view["hash_matches"]:
        view["ok"] = False
        view["problems"] = [messages.LABELS["verify_hash_differs"], *view["problems"]]
    return view
