"""A transcript issued with ``[server] public_url``: its QR code opens the verdict page.

What a parent's phone does: read the code (a link), open ``/verify?qr=…`` on the district's
service, and see "HỢP LỆ" without logging in.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from doisoat.errors import ConfigError
from service.config import load_settings
from service.issuing import record_plan
from signing import SigningSetup, build_students, verify_pdf, write_issued
from signing import qr as qr_code
from tests.service.api.test_api_class_signing import TEACHERS, _accounts, _fully_signed
from tests.service.api.world import SCHOOL_A, World
from tests.signing.hocba_data import CREATED, ISSUED, SUBJECT_NAMES, canonical_frames

BASE = "https://doisoat.phonggd.example.vn"


@pytest.fixture
def linked_class(world: World, tmp_path: Path) -> list[Path]:
    """Class 9A1 of school A issued unsigned, with the public address the settings give."""
    from doisoat import store

    config = tmp_path / "doisoat.toml"
    config.write_text(f'[server]\npublic_url = "{BASE}/"\n', encoding="utf-8")
    public_url = load_settings(config).public_url
    _accounts(world)
    frames = canonical_frames()
    store.bulk_insert(world.engine, "student_record", frames["student_records"])
    transcripts = build_students(
        frames, ["7912345678", "7912345679"], issued_on=ISSUED, issuing_school_code=SCHOOL_A,
        subject_names=SUBJECT_NAMES,
    )  # fmt: skip
    setup = SigningSetup(
        signers={}, homeroom="gvcn", principal="principal_a", seal="principal_a",
        teachers=TEACHERS, verify_url=public_url,
    )  # fmt: skip
    root = world.client.app.state.files.transcripts_dir
    paths = write_issued(transcripts, setup, root, created=CREATED, signed=False)
    record_plan(paths, setup)
    return paths


def _qr_link(data: bytes) -> str:
    """The text the cover's code holds, rebuilt as a phone would read it."""
    reader = PdfFileReader(io.BytesIO(data))
    xobj = reader.root["/Pages"]["/Kids"][0].get_object()["/Resources"]["/XObject"]
    base = str(xobj["/DoisoatQR"].get_object()["/DoisoatVerifyURL"])
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    xml = names[1].get_object()["/EF"]["/F"].get_object().data
    report = verify_pdf(data)
    return qr_code.text(report.number, xml, base)


def test_the_link_in_the_qr_code_opens_the_verdict(world: World, linked_class: list[Path]):
    _fully_signed(world, linked_class)
    data = linked_class[0].read_bytes()
    report = verify_pdf(data)
    assert report.qr_matches, report.all_problems()
    link = _qr_link(data)
    assert link.startswith(BASE + "/verify?qr=")
    client = world.client
    client.cookies.clear()
    qr = parse_qs(urlsplit(link).query)["qr"][0]
    page = client.get(f"/verify?qr={quote(qr)}")
    assert page.status_code == 200
    assert 'id="verdict">HỢP LỆ<' in page.text  # no login: the parent sees the verdict

    tampered = bytearray(data)
    cut = data.index(b"stream", 2000)
    tampered[cut + 20] ^= 0x01
    bad = client.post("/verify", files={"pdf": ("hb.pdf", bytes(tampered), "application/pdf")})
    assert bad.status_code == 200 and 'id="verdict">KHÔNG HỢP LỆ<' in bad.text
    good = client.post("/verify", files={"pdf": ("hb.pdf", data, "application/pdf")})
    assert 'id="verdict">HỢP LỆ<' in good.text
    pasted = client.post("/verify", data={"qr": link})  # the scanned link pasted whole
    assert 'id="verdict">HỢP LỆ<' in pasted.text


def test_a_public_url_that_is_no_address_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "doisoat.toml"
    config.write_text('[server]\npublic_url = "doisoat.phonggd"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert "server.public_url" in caught.value.message_vi
    config.write_text("[nightly]\n", encoding="utf-8")
    assert load_settings(config).public_url == ""  # none: the bare payload, as before
