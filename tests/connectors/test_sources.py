"""Each source module declares what it reads, and reads only its own files."""

from __future__ import annotations

import pytest
from conftest import NIGHT

from connectors import SOURCES
from doisoat.errors import FileFormatError


def test_every_source_has_a_module_and_a_profile():
    assert set(SOURCES) == {"smas", "vnedu", "vietschool", "quangich", "moet"}
    for name, source in SOURCES.items():
        assert source.profile.source == name
        assert set(source.formats) <= set(source.profile.formats)
        assert source.has_api == (source.profile.api is not None)


def test_a_source_reads_its_files_and_refuses_the_others(exported):
    xml = next(exported.rglob("QuangIch_*.xml"))
    read = SOURCES["quangich"].read(xml, night=NIGHT)
    assert read.source == "quangich" and read.students.height > 0
    with pytest.raises(FileFormatError):
        SOURCES["smas"].read(xml, night=NIGHT)
