"""An embedded font that covers Vietnamese, ready for PDF/A (subset once per process, reused).

DejaVu Sans (shipped in ``signing/fonts`` with its licence) is subset once to the characters a
Vietnamese transcript can contain, and that subset is embedded whole in every document as a
Type0/CIDFontType2 font with Identity-H encoding, explicit widths and a ToUnicode map (so the text
is searchable and copyable). Subsetting per document would save some kilobytes but costs more
than the whole signing of a transcript; one shared subset keeps rendering in milliseconds.
Characters outside the subset are printed as ``?`` (PDF/A forbids showing ``.notdef``).
"""

from __future__ import annotations

import io
import logging
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

_VIETNAMESE = "ĂăÂâĐđÊêÔôƠơƯưĨĩŨũ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
CHARSET = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    + _VIETNAMESE
    + "–—‘’“”…•№·×"
)
_FILES = {
    False: ("DejaVuSans.ttf", "DVSNAA+DejaVuSans"),
    True: ("DejaVuSans-Bold.ttf", "DVSNAB+DejaVuSans-Bold"),
}


@dataclass(frozen=True)
class EmbeddedFont:
    base_name: str
    font_file: bytes  # zlib-compressed TrueType subset
    font_file_length: int
    gids: dict[int, int]  # code point -> glyph id in the subset
    widths: tuple[int, ...]  # advance per glyph id, in 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    _fallback: int = field(default=0)

    def glyphs(self, text: str) -> list[int]:
        gids = self.gids
        return [gids.get(ord(ch), self._fallback) for ch in text]

    def encode(self, text: str) -> bytes:
        """Hex string operand for ``Tj`` (two bytes per glyph, Identity-H)."""
        return b"<" + "".join(f"{g:04X}" for g in self.glyphs(text)).encode() + b">"

    def width(self, text: str, size: float) -> float:
        widths = self.widths
        return sum(widths[g] for g in self.glyphs(text)) * size / 1000.0

    def to_pdf(self, writer) -> generic.IndirectObject:
        """Add the font's objects to ``writer`` and return the Type0 font reference."""
        font_file = generic.StreamObject(
            {
                pdf_name("/Length1"): generic.NumberObject(self.font_file_length),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            },
            encoded_data=self.font_file,
        )
        descriptor = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/FontDescriptor"),
                pdf_name("/FontName"): pdf_name("/" + self.base_name),
                pdf_name("/Flags"): generic.NumberObject(32),
                pdf_name("/FontBBox"): generic.ArrayObject(
                    generic.NumberObject(v) for v in self.bbox
                ),
                pdf_name("/ItalicAngle"): generic.NumberObject(0),
                pdf_name("/Ascent"): generic.NumberObject(self.ascent),
                pdf_name("/Descent"): generic.NumberObject(self.descent),
                pdf_name("/CapHeight"): generic.NumberObject(self.cap_height),
                pdf_name("/StemV"): generic.NumberObject(80),
                pdf_name("/FontFile2"): writer.add_object(font_file),
            }
        )
        cid_font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
                pdf_name("/BaseFont"): pdf_name("/" + self.base_name),
                pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                    {
                        pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                        pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                        pdf_name("/Supplement"): generic.NumberObject(0),
                    }
                ),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/W"): generic.ArrayObject(
                    [
                        generic.NumberObject(0),
                        generic.ArrayObject(generic.NumberObject(w) for w in self.widths),
                    ]
                ),
                pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
            }
        )
        to_unicode = generic.StreamObject(stream_data=to_unicode_cmap(self.gids))
        to_unicode.compress()
        font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type0"),
                pdf_name("/BaseFont"): pdf_name("/" + self.base_name),
                pdf_name("/Encoding"): pdf_name("/Identity-H"),
                pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                pdf_name("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
        return writer.add_object(font)


def to_unicode_cmap(gids: dict[int, int]) -> bytes:
    pairs = sorted((g, cp) for cp, g in gids.items())
    seen: set[int] = set()
    lines = []
    for g, cp in pairs:
        if g in seen:
            continue
        seen.add(g)
        lines.append(f"<{g:04X}> <{cp:04X}>")
    chunks = []
    for start in range(0, len(lines), 100):
        part = lines[start : start + 100]
        chunks.append(f"{len(part)} beginbfchar\n" + "\n".join(part) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(chunks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


@lru_cache(maxsize=2)
def load_font(bold: bool = False) -> EmbeddedFont:
    file_name, base_name = _FILES[bold]
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    data = resources.files("signing").joinpath("fonts", file_name).read_bytes()
    font = TTFont(io.BytesIO(data))
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep copyright and names (licence requirement)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in CHARSET])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    raw = out.getvalue()
    font = TTFont(io.BytesIO(raw))
    cmap = font.getBestCmap()
    gids = {cp: font.getGlyphID(name) for cp, name in cmap.items()}
    scale = 1000.0 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    widths = tuple(round(font["hmtx"][name][0] * scale) for name in order)
    head, os2 = font["head"], font["OS/2"]
    return EmbeddedFont(
        base_name=base_name,
        font_file=zlib.compress(raw, 9),
        font_file_length=len(raw),
        gids=gids,
        widths=widths,
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 0) * scale) or 700,
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        _fallback=gids[ord("?")],
    )
