"""Sign all of one's fields of a class with one certificate upload, and follow it as it runs.

Why a job: a class of 45 with one signature each takes tens of seconds; a request that answers
only at the end leaves the teacher before a page that seems stuck, and a proxy may cut it. So
the request checks at once everything that can be refused (the class exists, the caller's role
and school, the archive opens with its passphrase, the certificate is one the account registered:
404 / 403 / 400 said right away, nothing started), then a thread of the server process signs,
and the caller follows a small status (``GET /api/v1/signing-jobs/{id}``) that the transcripts
page polls every second: «Đang ký 12/45 — Nguyễn Văn An (9A1)…», then the list of results.

Secrets: the loaded signer (key and certificate) lives only in the job thread's frame and is
dropped when the job ends; the passphrase is not kept past loading the archive. The status is a
small JSON file under ``var/jobs/signing/`` (counts, the student being signed, the results; no
key, no passphrase), so any worker process of the server answers for a job another one runs.

Semantics are those of signing a class in one request (:func:`sign_class`, kept for scripts):
in each transcript the caller's fields are signed in the legal order; a transcript that cannot
be signed is reported against its student and the others go on; a field whose earlier roles
have not signed yet waits (not a failure); each signature is its own audit event.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from doisoat.errors import (
    BadRequest,
    DoisoatError,
    NotFound,
    PermissionDenied,
    StateConflict,
)
from service import transcripts as one
from service.api import messages
from service.api.auth import Principal
from service.api.files import FilesConfig, school_transcripts
from service.api.services import SCHOOL_RE, not_found
from service.transcript_people import Owners, identity_code_of, is_yours, school_accounts
from service.transcript_people import student_names as names_of

log = logging.getLogger(__name__)
JOB_ID_LENGTH = 16
JOB_KEEP_SECONDS = 24 * 3600
# called before each signature: (fields handled so far, fields to handle, the transcript)
Progress = Callable[[int, int, dict[str, str]], None]
_LIVE: set[str] = set()  # jobs whose thread runs in this process
_LIVE_LOCK = threading.Lock()


def class_transcripts(
    config: FilesConfig, who: Principal, school: str, class_name: str
) -> list[Path]:
    """The transcripts of one class folder of the school (``transcript issue`` files them so)."""
    if not SCHOOL_RE.match(school) or not one.CLASS_NAME.match(class_name):
        raise not_found("transcript")
    who.school_scope(school)
    found = [p for p in school_transcripts(config, school)
             if p.parent.name == class_name and p.parent.parent.name == school
             and one.TRANSCRIPT_NAME.match(p.name)]  # fmt: skip
    if not found:
        raise NotFound(
            f"no transcripts of class {class_name}",
            message_vi=messages.error("class_unknown", class_name=class_name, school=school),
        )
    return found


@dataclass
class ClassSigning:
    """A class ready to sign: its transcripts, who owns which field, and the loaded signer."""

    school: str
    class_name: str
    paths: list[Path]
    accounts: Owners
    signer: Any
    certificate: dict[str, str]
    student_names: dict[str, str]


def prepare(
    engine: Engine,
    config: FilesConfig,
    who: Principal,
    school: str,
    class_name: str,
    *,
    pkcs12: bytes,
    passphrase: str,
) -> ClassSigning:
    """Everything a class signing can be refused for, checked before anything is signed. The
    certificate is checked even when nothing is left to sign: a borrowed file is refused."""
    paths = class_transcripts(config, who, school, class_name)
    one.authorise(who, school)
    accounts = school_accounts(engine, school).of_folder(paths[0].parent)
    signer, certificate = one.signer_for(
        engine, who, pkcs12, passphrase, f"{school}/{class_name}"
    )
    codes = [identity_code_of(p.name) for p in paths]
    return ClassSigning(school, class_name, paths, accounts, signer, certificate,
                        names_of(engine, school, codes))  # fmt: skip


def run(
    engine: Engine,
    who: Principal,
    job: ClassSigning,
    *,
    field: str = "",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Sign every field of the caller's (or only ``field``) in every transcript of the class;
    the counts and, per student, what was signed, what waits and what failed."""
    wanted = (lambda s: s.field == field) if field else (lambda s: True)
    done, waiting, total, handled = 0, 0, 0, 0
    failed: list[dict[str, str]] = []
    students: list[dict[str, Any]] = []
    with one.school_lock(job.paths[0].parent):  # the lock a single signature here takes
        pending = {}
        for path in job.paths:
            code = identity_code_of(path.name)
            student: dict[str, Any] = {
                "name": path.name, "identity_code": code,
                "student_name": job.student_names.get(code, ""), "class_name": job.class_name,
                "signed": [], "waiting": [], "failed": [],
            }  # fmt: skip
            students.append(student)
            try:
                states = one.field_states_of(path.read_bytes(), path.name)
            except BadRequest as exc:  # a damaged file: said against its student, others go on
                failed.append({"name": path.name, "field": "", "problem": exc.message_vi})
                student["failed"].append({"label": "", "problem": exc.message_vi})
                continue
            mine = [(s.field, s.label) for s in states
                    if not s.signed and is_yours(s, who, job.accounts) and wanted(s)]  # fmt: skip
            pending[path] = (student, mine)
            total += len(pending[path][1])
        for path, (student, fields) in pending.items():
            for name, label in fields:
                if progress is not None:
                    progress(handled, total, {**student_ref(student), "label": label})
                handled += 1
                try:
                    signed = one.sign_one(
                        engine, path, who, job.school, field=name, signer=job.signer,
                        certificate=job.certificate, accounts=job.accounts, skip_waiting=True,
                    )  # fmt: skip
                except (BadRequest, StateConflict, PermissionDenied) as exc:
                    failed.append({"name": path.name, "field": name, "problem": exc.message_vi})
                    student["failed"].append({"label": label, "problem": exc.message_vi})
                    continue
                if signed is None:
                    waiting += 1  # an earlier role has not signed yet: not a failure
                    student["waiting"].append(label)
                    continue
                done += 1
                student["signed"].append(label)
    return {"class_name": job.class_name, "done": done, "total": total, "waiting": waiting,
            "failed": failed, "transcripts": len(job.paths), "students": students,
            "certificate": job.certificate}  # fmt: skip


def student_ref(student: dict[str, Any]) -> dict[str, str]:
    return {k: student[k] for k in ("name", "identity_code", "student_name", "class_name")}


def sign_class(
    engine: Engine,
    config: FilesConfig,
    who: Principal,
    school: str,
    class_name: str,
    *,
    pkcs12: bytes,
    passphrase: str,
    field: str = "",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A class signed within one call (scripts, the API's one-request route)."""
    job = prepare(engine, config, who, school, class_name, pkcs12=pkcs12, passphrase=passphrase)
    try:
        return run(engine, who, job, field=field, progress=progress)
    finally:
        job.signer = None


# -- the class signing as a job of the server process -----------------------------------------


def jobs_dir(config: FilesConfig) -> Path:
    return config.transcripts_dir.parent / "jobs" / "signing"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(folder: Path, status: dict[str, Any]) -> None:
    """Replace the job's status file whole (a reader never sees half of one)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".job-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(status, out, ensure_ascii=False)
    os.replace(name, folder / f"{status['id']}.json")


def _forget_old(folder: Path) -> None:
    limit = time.time() - JOB_KEEP_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def start_job(
    engine: Engine,
    config: FilesConfig,
    who: Principal,
    school: str,
    class_name: str,
    *,
    pkcs12: bytes,
    passphrase: str,
    field: str = "",
) -> dict[str, Any]:
    """Check the request (refusals are raised here, nothing started), then sign in a thread;
    the job's first status (``id`` to follow it)."""
    job = prepare(engine, config, who, school, class_name, pkcs12=pkcs12, passphrase=passphrase)
    folder = jobs_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    status: dict[str, Any] = {
        "id": secrets.token_hex(JOB_ID_LENGTH // 2), "owner": who.username, "school": school,
        "class_name": class_name, "field": field, "state": "running", "handled": 0, "done": 0,
        "total": 0,
        "current": None, "started_at": _now(), "finished_at": None, "result": None,
        "error": None, "pid": os.getpid(),
    }  # fmt: skip
    _write(folder, status)
    with _LIVE_LOCK:
        _LIVE.add(status["id"])
    thread = threading.Thread(
        target=_run_job, args=(engine, who, job, field, folder, status),
        name=f"signing-{status['id']}", daemon=True,
    )  # fmt: skip
    thread.start()
    return present(status)


def _run_job(
    engine: Engine,
    who: Principal,
    job: ClassSigning,
    field: str,
    folder: Path,
    status: dict[str, Any],
) -> None:
    def progress(handled: int, total: int, current: dict[str, str]) -> None:
        status.update(handled=handled, total=total, current=current)
        _write(folder, status)

    try:
        result = run(engine, who, job, field=field, progress=progress)
        status.update(state="done", done=result["done"], total=result["total"],
                      handled=result["total"], result=result)
    except DoisoatError as exc:
        status.update(state="failed", error=exc.message_vi)
    except Exception:  # the job must end with a status a person can read, whatever happened
        log.exception("class signing job %s failed", status["id"])
        status.update(state="failed", error=messages.error("sign_job_crashed"))
    finally:
        job.signer = None  # the key goes with the job
        status.update(current=None, finished_at=_now())
        _write(folder, status)
        with _LIVE_LOCK:
            _LIVE.discard(status["id"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def job_status(config: FilesConfig, who: Principal, job_id: str) -> dict[str, Any]:
    """The status of one of the caller's jobs (another account's job is not found)."""
    if len(job_id) != JOB_ID_LENGTH or not all(c in "0123456789abcdef" for c in job_id):
        raise not_found("signing_job")
    try:
        status = json.loads((jobs_dir(config) / f"{job_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise not_found("signing_job") from None
    if status.get("owner") != who.username:
        raise not_found("signing_job")
    if status["state"] == "running":
        with _LIVE_LOCK:
            here = job_id in _LIVE
        mine = status.get("pid") == os.getpid()
        if (mine and not here) or (not mine and not _alive(int(status.get("pid") or 0))):
            status.update(state="interrupted", error=messages.error("sign_job_interrupted"))
    return present(status)


def present(status: dict[str, Any]) -> dict[str, Any]:
    """The status as the API answers it, with the sentence the page shows."""
    out = {k: v for k, v in status.items() if k != "pid"}
    out["message"] = say(status)
    return out


def say(status: dict[str, Any]) -> str:
    """«Đang ký 12/45 — Nguyễn Văn An (9A1)…», or the outcome."""
    labels = messages.LABELS
    if status["state"] == "running":
        current = status.get("current")
        if not current:
            return labels["sign_job_starting"].format(class_name=status["class_name"])
        who = current.get("student_name") or current.get("identity_code") or current["name"]
        return labels["sign_job_running"].format(
            number=status["handled"] + 1, total=status["total"], student=who,
            class_name=current.get("class_name") or status["class_name"],
        )  # fmt: skip
    if status["state"] == "done":
        return labels["sign_class_done"].format(
            done=status["done"], total=status["total"], class_name=status["class_name"]
        )
    return status.get("error") or ""
