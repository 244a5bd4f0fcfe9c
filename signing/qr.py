"""The QR code on the cover: the transcript number and the SHA-256 of the attached XML.

The code is drawn as vector modules in a form XObject (``/DoisoatQR``), so it prints sharply and
can be read back exactly: the verifier rebuilds the module matrix from the content stream and
compares it with the encoding of what the attached XML says. Anyone with a phone reads the same
payload (``HOCBA|1|<number>|SHA256:<hex>``).

When the installation has a public address, the code holds ``<address>/verify?qr=<payload>``
instead (:func:`text`): a phone's camera then opens the district's verification page with the
verdict, rather than showing a string nobody knows what to do with. The address used is kept in
the XObject (``/DoisoatVerifyURL``), so the verifier rebuilds the very same text; a transcript
issued offline, without one, holds the bare payload.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import qrcode
from qrcode.constants import ERROR_CORRECT_M

PREFIX = "HOCBA|1"
_RE = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re")


def payload(number: str, xml: bytes) -> str:
    return f"{PREFIX}|{number}|SHA256:{hashlib.sha256(xml).hexdigest().upper()}"


def text(number: str, xml: bytes, verify_url: str = "") -> str:
    """What the code encodes: the bare payload, or the verification page's link carrying it."""
    bare = payload(number, xml)
    if not verify_url:
        return bare
    return f"{verify_url.rstrip('/')}/verify?qr={quote(bare, safe='')}"


def matrix(text: str) -> list[list[bool]]:
    # A fixed mask: choosing the "best" one costs ~30 ms of pure Python per code and any
    # reader decodes every mask alike.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1, mask_pattern=2)
    code.add_data(text.encode("ascii"))
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


def content_stream(modules: list[list[bool]]) -> bytes:
    """Dark modules as filled rectangles in module units, runs merged along each row."""
    n = len(modules)
    ops = []
    for r, row in enumerate(modules):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {n - 1 - r} {c - start} 1 re")
            else:
                c += 1
    return ("0 g\n" + "\n".join(ops) + "\nf\n").encode("ascii")


def read_modules(stream: bytes, size: int) -> list[list[bool]]:
    """Invert :func:`content_stream`: the matrix a drawn QR code shows."""
    grid = [[False] * size for _ in range(size)]
    for m in _RE.finditer(stream):
        x, y, w, _h = (int(float(v)) for v in m.groups())
        r = size - 1 - y
        if 0 <= r < size:
            for c in range(x, min(x + w, size)):
                grid[r][c] = True
    return grid
