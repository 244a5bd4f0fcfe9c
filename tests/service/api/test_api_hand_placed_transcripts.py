"""A signed transcript copied into the transcripts folder by hand (no ``.signers.json`` beside
it, a name a person gave it) is listed with its student, who signed each field (read from the
signatures) and, if its name cannot be used in a link, the name to give it; the public page
finds and verifies it by its number."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.service.api.test_api_class_signing import (
    _fully_signed,
    _xml_sha,
    school_class,  # noqa: F401 — fixture
)
from tests.service.api.world import SCHOOL_A, World


def _listed(world: World, user: str = "principal_a") -> dict[str, dict]:
    answer = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}", headers=world.as_(user))
    assert answer.status_code == 200, answer.text
    return {i["name"]: i for i in answer.json()}


def test_a_transcript_copied_in_by_hand_is_listed_with_its_signers_and_verified(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    _fully_signed(world, school_class)
    first, second = school_class
    code_first, code_second = first.name.split("_")[1], second.name.split("_")[1]
    school = first.parent.parent
    # a secretary moves the files: one into a folder of her own, one to the school's folder
    # under the student's name, as Windows writes it
    (school / "9A1-ban-sao").mkdir()
    kept = school / "9A1-ban-sao" / "hb-lop9.PDF"
    shutil.move(first, kept)
    spaced = school / "Học bạ Trần Minh Khôi (1).pdf"
    shutil.move(second, spaced)
    (first.parent / ".signers.json").unlink()

    listed = _listed(world)
    assert set(listed) == {kept.name, spaced.name}  # neither vanished
    item = listed[kept.name]
    assert item["identity_code"] == code_first  # from the number in the attached XML
    assert item["student_name"] and item["hand_placed"] and item["class_name"] == "9A1-ban-sao"
    assert item["complete"] and item["problem"] is None and item["linkable"]
    signers = {f["field"]: f for f in item["fields"]}
    assert all(f["signer"] for f in item["fields"])
    assert signers["GVBM_teacher1"]["signed_by"] == "teacher1"
    assert signers["GVCN"]["signed_by"] == "gvcn"
    assert signers["HIEUTRUONG"]["signed_by"] == signers["DAUTRUONG"]["signed_by"] == "principal_a"
    assert signers["HIEUTRUONG"]["signer"] != signers["GVCN"]["signer"]

    odd = listed[spaced.name]
    assert odd["identity_code"] == code_second and odd["complete"] and not odd["linkable"]
    assert f"HocBa_{code_second}_THCS.pdf" in odd["problem"]
    download = world.client.get(f"/api/v1/transcripts/{SCHOOL_A}/{kept.name}",
                                headers=world.as_("principal_a"))  # fmt: skip
    assert download.status_code == 200 and download.content == kept.read_bytes()

    sha = _xml_sha(kept.read_bytes())
    page = world.client.get(f"/verify?number={code_first}/THCS&sha256={sha}")
    assert page.status_code == 200 and 'id="verdict">HỢP LỆ<' in page.text
    other = world.client.post(
        "/verify", data={"number": f"{code_second}/THCS", "sha256": _xml_sha(spaced.read_bytes())}
    )
    assert 'id="verdict">HỢP LỆ<' in other.text and "Hiệu trưởng" in other.text


def test_the_transcripts_page_shows_who_signed_a_hand_placed_transcript(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    from service.api import auth

    _fully_signed(world, school_class)
    (school_class[0].parent / ".signers.json").unlink()
    session = auth.issue_token(world.engine, "teacher1", kind="session")
    world.client.cookies.set("doisoat_session", session)
    page = world.client.get(f"/schools/{SCHOOL_A}/transcripts")
    assert page.status_code == 200
    assert page.text.count("Học bạ đặt tay vào thư mục") == 2
    assert page.text.count('class="signer"') == 12  # six signed fields, each with its signer
    assert "(principal_a)" in page.text and "(gvcn)" in page.text
