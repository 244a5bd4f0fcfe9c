"""Signing a class as a job: the request answers at once with a job id (refusals still at once),
the status says «Đang ký n/N — <student> (<class>)…» while it runs and the results per student
at the end; a damaged transcript is reported against its student and the others are signed;
another account cannot read the job."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.service.api.test_api_class_signing import (
    CLASS,
    _events,
    _fully_signed,
    school_class,  # noqa: F401 — fixture
)
from tests.service.api.test_api_signing import PASSPHRASE, p12
from tests.service.api.world import SCHOOL_A, World


def start(world: World, user: str, label: str, *, passphrase: str = PASSPHRASE):
    return world.client.post(
        f"/api/v1/transcripts/{SCHOOL_A}/classes/{CLASS}/sign-jobs",
        data={"passphrase": passphrase},
        files={"pkcs12": (f"{label}.p12", p12(label), "application/x-pkcs12")},
        headers=world.as_(user),
    )


def follow(world: World, user: str, job_id: str) -> dict:
    """Poll the status until the job ends (bounded: a hung job fails the test, not CI)."""
    for _ in range(600):
        status = world.client.get(f"/api/v1/signing-jobs/{job_id}", headers=world.as_(user))
        assert status.status_code == 200, status.text
        if status.json()["state"] != "running":
            return status.json()
        time.sleep(0.05)
    raise AssertionError("the signing job never ended")


@pytest.fixture
def gate(monkeypatch):
    """Holds the job before its second signature until the test releases it."""
    from service import transcripts

    real, calls = transcripts.sign_one, []
    reached, release = threading.Event(), threading.Event()

    def gated(*args, **kwargs):
        calls.append(args[1].name)
        if len(calls) == 2:
            reached.set()
            assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(transcripts, "sign_one", gated)
    return reached, release


def test_a_class_job_reports_progress_then_the_result_per_student(
    world: World, school_class: list[Path], gate  # noqa: F811
) -> None:
    reached, release = gate
    started = start(world, "teacher1", "teacher1")
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] == "running" and len(job["id"]) == 16
    assert reached.wait(30)
    middle = world.client.get(f"/api/v1/signing-jobs/{job['id']}", headers=world.as_("teacher1"))
    body = middle.json()
    assert (body["state"], body["handled"], body["total"]) == ("running", 1, 2)
    second = body["current"]["student_name"]
    assert second in {"Nguyễn Thị Ánh Tuyết", "Trần Minh Khôi"}
    assert body["message"] == f"Đang ký 2/2 — {second} ({CLASS})…"
    # another teacher of the same school does not see it
    foreign = world.client.get(f"/api/v1/signing-jobs/{job['id']}", headers=world.as_("teacher2"))
    assert foreign.status_code == 404
    release.set()

    end = follow(world, "teacher1", job["id"])
    assert end["state"] == "done" and end["message"] == f"Đã ký 2/2 ô của lớp {CLASS}."
    students = end["result"]["students"]
    assert [s["student_name"] for s in students][1] == second
    assert all(s["signed"] == ["Giáo viên bộ môn: Toán, Ngữ văn"] for s in students)
    assert len(_events(world, "sign")) == 2
    # the status file holds no secret: neither the passphrase nor key material
    files = list((world.client.app.state.files.transcripts_dir.parent / "jobs").rglob("*.json"))
    assert files and all(PASSPHRASE not in f.read_text() for f in files)


def test_refusals_come_at_once_and_nothing_starts(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    wrong = start(world, "teacher1", "teacher1", passphrase="sai")
    assert wrong.status_code == 400 and "mật khẩu" in wrong.json()["detail"]
    borrowed = start(world, "teacher1", "teacher2")
    assert borrowed.status_code == 403 and "không phải chứng thư đã đăng ký" in borrowed.text
    jobs = world.client.app.state.files.transcripts_dir.parent / "jobs"
    assert not list(jobs.rglob("*.json"))


def test_a_damaged_transcript_is_said_against_its_student_and_the_others_are_signed(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    damaged, good = school_class
    damaged.write_bytes(damaged.read_bytes()[:500])  # truncated while being copied
    end = follow(world, "teacher1", start(world, "teacher1", "teacher1").json()["id"])
    assert end["state"] == "done" and (end["done"], end["total"]) == (1, 1)
    by_name = {s["name"]: s for s in end["result"]["students"]}
    assert by_name[good.name]["signed"] and not by_name[good.name]["failed"]
    assert "Không đọc được các ô chữ ký" in by_name[damaged.name]["failed"][0]["problem"]


def test_the_principal_waits_for_the_teachers_in_a_job_too(
    world: World, school_class: list[Path]  # noqa: F811
) -> None:
    end = follow(world, "principal_a", start(world, "principal_a", "principal").json()["id"])
    assert (end["done"], end["result"]["waiting"]) == (0, 4)
    assert all(len(s["waiting"]) == 2 for s in end["result"]["students"])
    _fully_signed(world, school_class)  # the one-request route is still there for scripts


def test_a_job_whose_server_went_away_is_said_interrupted(world: World) -> None:
    """A job file left ``running`` by a process that is gone (a restart) is not shown as
    running forever."""
    import json
    import subprocess

    from service import class_signing

    dead = subprocess.Popen(["true"])  # a process id that no longer runs
    dead.wait()
    folder = class_signing.jobs_dir(world.client.app.state.files)
    folder.mkdir(parents=True, exist_ok=True)
    job_id = "ab" * 8
    (folder / f"{job_id}.json").write_text(json.dumps({
        "id": job_id, "owner": "teacher_a", "school": SCHOOL_A, "class_name": CLASS,
        "field": "", "state": "running", "handled": 3, "done": 3, "total": 45,
        "current": None, "started_at": "2026-12-05T06:00:00+00:00", "finished_at": None,
        "result": None, "error": None, "pid": dead.pid,
    }))  # fmt: skip
    status = world.client.get(f"/api/v1/signing-jobs/{job_id}", headers=world.as_("teacher_a"))
    assert status.status_code == 200
    assert status.json()["state"] == "interrupted"
    assert "bị ngắt" in status.json()["message"]
