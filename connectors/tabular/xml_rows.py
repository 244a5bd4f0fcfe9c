"""An XML export's rows in one streaming pass of expat, no element tree built.

A province's Quảng Ích files hold millions of elements; building an ElementTree of each and
walking it again cost most of their reading time. The rows are those of the tree walk this
replaces: each row element gives its attributes and its leaf children's text, preceded by the
attributes of its ancestors (the nearest first, the nearest winning) and, when the table says
so, one field of its parent element (its first child of that name, else its attribute). Safety
is defusedxml's, done the same way: a DTD, an entity declaration or an external reference stops
the parse before anything is expanded (XXE, billion laughs).
"""

from __future__ import annotations

from pyexpat import ExpatError, ParserCreate
from typing import Any, BinaryIO

from connectors.profile import XmlTable

_BLANKS = " \t\r\n"


class UnsafeXml(Exception):
    """A DTD, entity or external reference: refused before it is expanded."""


def _forbid(*_: Any) -> None:
    raise UnsafeXml("DTD, entity declarations and external references are not accepted")


class _Element:
    __slots__ = ("attrs", "first_child_text", "has_child", "leaf_tags", "passed", "pending",
                 "row", "text")

    def __init__(self, attrs: dict[str, str], passed: dict[str, str]) -> None:
        self.attrs = attrs
        self.passed = passed  # what its children inherit
        self.text: list[str] = []  # the text before its first child
        self.has_child = False
        self.row: dict[str, str] | None = None  # the row it is, if a row element
        self.leaf_tags: set[str] = set()  # a row element's leaf children
        self.first_child_text: dict[str, str] = {}  # child tag -> the first such child's text
        self.pending: list[tuple[_Element, str]] = []  # child rows waiting for one field


def xml_rows(stream: BinaryIO, tables: list[XmlTable]) -> dict[str, list[dict[str, str]]]:
    """Rows per record tag, in document order. Raises UnsafeXml or ExpatError."""
    by_tag = {table.record: table for table in tables}
    found: dict[str, list[dict[str, str]]] = {table.record: [] for table in tables}
    stack: list[_Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        parent = stack[-1] if stack else None
        inherited: dict[str, str] = parent.passed if parent is not None else {}
        passed = inherited
        if attrs:  # nearest first, as the columns come out in that order
            passed = dict(attrs)
            for key, value in inherited.items():
                passed.setdefault(key, value)
        element = _Element(attrs, passed)
        table = by_tag.get(tag)
        if table is not None:
            row = dict(inherited)
            if table.parent_key and parent is not None:
                row[table.parent_key] = ""  # its place in the row; its value when the parent ends
                parent.pending.append((element, table.parent_key))
            row.update(attrs)
            element.row = row
            found[tag].append(row)
        if parent is not None:
            parent.has_child = True
        stack.append(element)

    def text(data: str) -> None:
        element = stack[-1]
        if not element.has_child:
            element.text.append(data)

    def end(tag: str) -> None:
        element = stack.pop()
        own_text = "".join(element.text)
        if stack:
            parent = stack[-1]
            parent.first_child_text.setdefault(tag, own_text)
            if parent.row is not None and not element.has_child and tag not in by_tag:
                parent.row[tag] = own_text.strip(_BLANKS)
                parent.leaf_tags.add(tag)
        for child, key in element.pending:
            if key in child.attrs or key in child.leaf_tags:
                continue  # the row's own attribute or leaf child says it
            value = element.first_child_text.get(key)
            if value is None:
                value = element.attrs.get(key)
            child.row[key] = (value or "").strip(_BLANKS)  # type: ignore[index]

    parser = ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.ParseFile(stream)
    return found


__all__ = ["ExpatError", "UnsafeXml", "xml_rows"]
