"""The streaming XML reader gives the rows a plain element-tree walk gives (the walk below is the
specification: ancestors' attributes nearest first, the parent's field, the row's attributes, its
leaf children), on random documents shaped like vendor exports, and refuses unsafe ones."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.profile import XmlTable
from connectors.tabular.xml_rows import ExpatError, UnsafeXml, xml_rows

TABLES = [XmlTable(name="hocsinh", record="HocSinh"),
          XmlTable(name="diem", record="Diem", parent_key="MaHS")]  # fmt: skip


def _walk(document: bytes, tables: list[XmlTable]) -> dict[str, list[dict[str, str]]]:
    root = ET.fromstring(document)
    parents = {child: parent for parent in root.iter() for child in parent}
    records = {t.record for t in tables}
    out: dict[str, list[dict[str, str]]] = {}
    for table in tables:
        rows = []
        for element in root.iter(table.record):
            row: dict[str, str] = {}
            ancestor = parents.get(element)
            while ancestor is not None:
                for key, value in ancestor.attrib.items():
                    row.setdefault(key, value)
                ancestor = parents.get(ancestor)
            if table.parent_key:
                parent = parents.get(element)
                if parent is not None:
                    found = parent.find(table.parent_key)
                    value = found.text if found is not None else parent.get(table.parent_key)
                    row[table.parent_key] = (value or "").strip(" \t\r\n")
            row.update(element.attrib)
            for child in element:
                if len(child) == 0 and child.tag not in records:
                    row[child.tag] = (child.text or "").strip(" \t\r\n")
            rows.append(row)
        out[table.record] = rows
    return out


NAMES = st.sampled_from(["MaHS", "HoTen", "Lop", "NamHoc", "MaTruong", "Mon", "TX", "x"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=6)
ATTRS = st.dictionaries(NAMES, TEXT, max_size=3)


@st.composite
def _element(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(["HocSinh", "Diem", "MaHS", "HoTen", "Lop", "Nhom"]))
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in draw(ATTRS).items())
    inner = escape(draw(TEXT))
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            inner += draw(_element(depth + 1)) + escape(draw(TEXT))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_element(), max_size=4), root_attrs=ATTRS)
def test_streamed_rows_equal_the_tree_walk(body, root_attrs):
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in root_attrs.items())
    document = f'<?xml version="1.0" encoding="utf-8"?><QuangIch{attrs}>{"".join(body)}' \
               "</QuangIch>"
    data = document.encode("utf-8")
    got = xml_rows(io.BytesIO(data), TABLES)
    want = _walk(data, TABLES)
    assert got == want
    assert [list(r) for r in got["Diem"]] == [list(r) for r in want["Diem"]]  # column order


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
])  # fmt: skip
def test_dtds_and_entities_are_refused(document):
    with pytest.raises(UnsafeXml):
        xml_rows(io.BytesIO(document), TABLES)


def test_broken_xml_says_where():
    with pytest.raises(ExpatError, match="line 1"):
        xml_rows(io.BytesIO(b"<QuangIch><HocSinh></QuangIch>"), TABLES)
