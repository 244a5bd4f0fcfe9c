"""A tiny page canvas: text, lines, boxes and form XObjects as PDF content-stream operators.

Just enough drawing for a printed form, written straight into content streams so that a page
costs microseconds; layout decisions live in ``signing.render``.
"""

from __future__ import annotations

from signing.typeface import EmbeddedFont, load_font

A4 = (595.28, 841.89)


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


class Canvas:
    """Operators of one page; fonts are ``/F1`` (regular) and ``/F2`` (bold)."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []
        self.regular: EmbeddedFont = load_font(False)
        self.bold: EmbeddedFont = load_font(True)
        self.xobjects: set[str] = set()
        # signature widgets placed on this page: field name -> (x1, y1, x2, y2)
        self.fields: dict[str, tuple[float, float, float, float]] = {}

    def _font(self, bold: bool) -> tuple[bytes, EmbeddedFont]:
        return (b"/F2", self.bold) if bold else (b"/F1", self.regular)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return self._font(bold)[1].width(text, size)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 10,
        *,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        if not text:
            return
        name, font = self._font(bold)
        if align != "left":
            w = font.width(text, size)
            x -= w / 2 if align == "center" else w
        self.ops.append(
            b"BT "
            + name
            + f" {_n(size)} Tf {_n(x)} {_n(y)} Td ".encode()
            + font.encode(text)
            + b" Tj ET"
        )

    def wrap(self, text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
        """Lines no wider than ``max_width``: breaks between words, and inside a word (a URL, a
        run of dots) only when the word alone is wider than a line."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current = ""
            for word in paragraph.split():
                trial = f"{current} {word}".strip()
                if self.width(trial, size, bold) <= max_width:
                    current = trial
                    continue
                if current:
                    lines.append(current)
                current = word
                while len(current) > 1 and self.width(current, size, bold) > max_width:
                    cut = len(current) - 1
                    while cut > 1 and self.width(current[:cut], size, bold) > max_width:
                        cut -= 1
                    lines.append(current[:cut])
                    current = current[cut:]
            lines.append(current)
        return lines

    def paragraph(
        self, x: float, y: float, text: str, size: float, max_width: float, leading: float = 1.3
    ) -> float:
        """Write wrapped text from the top line at ``y``; return the y below the last line."""
        for line in self.wrap(text, size, max_width):
            self.text(x, y, line, size)
            y -= size * leading
        return y

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        self.ops.append(f"{_n(width)} w {_n(x1)} {_n(y1)} m {_n(x2)} {_n(y2)} l S".encode())

    def rect(self, x: float, y: float, w: float, h: float, width: float = 0.5) -> None:
        self.ops.append(f"{_n(width)} w {_n(x)} {_n(y)} {_n(w)} {_n(h)} re S".encode())

    def fill_rect(self, x: float, y: float, w: float, h: float, gray: float = 0.9) -> None:
        self.ops.append(f"q {_n(gray)} g {_n(x)} {_n(y)} {_n(w)} {_n(h)} re f Q".encode())

    def draw_xobject(self, name: str, x: float, y: float, size: float) -> None:
        self.xobjects.add(name)
        self.ops.append(f"q {_n(size)} 0 0 {_n(size)} {_n(x)} {_n(y)} cm /{name} Do Q".encode())

    def place_field(self, name: str, x: float, y: float, w: float, h: float) -> None:
        """Where field ``name``'s signature is drawn once signed (``signing.appearance``)."""
        self.fields[name] = (x, y, x + w, y + h)

    def content(self) -> bytes:
        return b"0 g 0 G\n" + b"\n".join(self.ops)
