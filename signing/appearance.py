"""What a visible signature shows once signed: the signer's name and when, as on paper.

A printed học bạ has the signer's name under each signature. A digital one can only know the
name when the field is signed (an issue may be signed weeks later, by whoever holds the
certificate), so each signature field is a widget placed under its block on the page, and the
signature revision itself draws the name from the certificate's subject (CN) into the widget's
appearance. ``pdftotext`` and every reader then show it as page text.

The appearance reuses the fonts the document already embeds (PDF/A wants every font embedded,
and a second copy per signature would cost a subset and ~40 kB each time); when the document's
font is not the subset this code would write (a document from another version), a copy of the
current font goes into the signature's own revision instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from signing.typeface import EmbeddedFont, load_font, to_unicode_cmap

VN_TIME = dt.timezone(dt.timedelta(hours=7), "UTC+7")
SIGNED_BY = "Đã ký số: {when}"
_BLUE = b"0 0 0.55 rg"  # DeviceRGB under the document's sRGB output intent
_RED = b"0.75 0 0 rg 0.75 0 0 RG"


def common_name(cert: x509.Certificate | None) -> str:
    """The person's (or the school's) name as the certificate gives it."""
    if cert is None:
        return ""
    native = cert.subject.native
    return str(native.get("common_name") or native.get("organization_name") or "")


def vn_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M")


def _document_fonts(writer: Any) -> dict[bool, Any] | None:
    """References of the document's own regular and bold fonts, when they are ours: same
    subset name and the same glyph ids (the ToUnicode map). The descendant font is not read:
    its inline width array would cost more to parse than drawing the stamp."""
    try:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        fonts = page["/Resources"]["/Font"]
        found = {}
        for bold, name in ((False, "/F1"), (True, "/F2")):
            ref = fonts.raw_get(name)
            font = ref.get_object()
            mine = load_font(bold)
            if font["/BaseFont"] != "/" + mine.base_name:
                return None
            if font["/ToUnicode"].get_object().data != _cmap(bold):
                return None
            found[bold] = ref
        return found
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


@lru_cache(maxsize=2)
def _cmap(bold: bool) -> bytes:
    return to_unicode_cmap(load_font(bold).gids)


@dataclass(frozen=True)
class SignerStampStyle(BaseStampStyle):
    """The appearance of a signed field: name (bold), what was signed, when (UTC+7)."""

    border_width: int = 0
    background_opacity: float = 1.0

    def create_stamp(
        self, writer: Any, box: layout.BoxConstraints, text_params: dict
    ) -> BaseStamp:
        return _SignerStamp(writer, self, box, text_params)


class _SignerStamp(BaseStamp):
    def __init__(self, writer: Any, style: Any, box: Any, params: dict) -> None:
        super().__init__(writer, style, box)
        self.params = params

    def _fonts(self) -> dict[bool, Any]:
        fonts = _document_fonts(self.writer)
        if fonts is None:
            fonts = {bold: load_font(bold).to_pdf(self.writer) for bold in (False, True)}
        for bold, ref in fonts.items():
            self.set_resource(ResourceType.FONT, pdf_name("/F2" if bold else "/F1"), ref)
        return fonts

    def _render_inner_content(self) -> list[bytes]:
        self._fonts()
        w, h = self.box.width, self.box.height
        lines: list[tuple[str, bool]] = [(str(self.params.get("name") or ""), True)]
        lines += [(str(t), False) for t in self.params.get("lines", ())]
        size = min(9.0, h / (len(lines) * 1.25 + 0.2))
        ops = [b"q", _BLUE]
        if self.params.get("seal"):  # an opaque framed stamp, laid across the photo's corner
            ops = [b"q", b"1 g 0 0 %s %s re f" % (_n(w), _n(h)), _RED,
                   b"1.2 w 1 1 %s %s re S" % (_n(w - 2), _n(h - 2))]
        y = (h + len(lines) * size * 1.25) / 2 - size  # the lines centred in the box
        for text, bold in lines:
            font = load_font(bold)
            fit = _fit(font, text, size, w - 2)
            x = max(1.0, (w - font.width(text, fit)) / 2)
            ops.append(
                b"BT /F%d %s Tf %s %s Td " % (2 if bold else 1, _n(fit), _n(x), _n(y))
                + font.encode(text)
                + b" Tj ET"
            )
            y -= size * 1.25
        ops.append(b"Q")
        return ops


def _fit(font: EmbeddedFont, text: str, size: float, width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width`` (never below 4 pt)."""
    natural = font.width(text, size)
    return size if natural <= width or natural == 0 else max(4.0, size * width / natural)


def _n(value: float) -> bytes:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text or "0").encode()


def appearance_params(
    cert: x509.Certificate | None,
    lines: tuple[str, ...],
    moment: dt.datetime,
    *,
    seal: bool = False,
) -> dict[str, Any]:
    """Text parameters of one signature's stamp (the CN, the caller's lines, the time)."""
    return {
        "name": common_name(cert),
        "lines": (*lines, SIGNED_BY.format(when=vn_time(moment))),
        "seal": seal,
    }


__all__ = ["SignerStampStyle", "appearance_params", "common_name", "vn_time"]
