"""Signing a class of 45 through the service (the pages' and the API's "sign the whole class")
beside the CLI's ``doisoat transcript issue`` (every key at hand, one process).

Prints one JSON document. Reproduce with::

    .venv/bin/python -m bench.bench_class_signing                  # 45 students
    .venv/bin/python -m bench.bench_class_signing --class-size 20

Both sides sign the same transcripts with the same plan: three subject teachers, the homeroom
teacher, the principal and the school's seal (6 PAdES B-B signatures each), RSA 2048 keys of the
test PKI (tests/signing/pki). The CLI side renders and signs each transcript in one go
(``write_issued``). The service side is what a school does: issue unsigned (rendered once), then
five people each start a job (``POST /api/v1/transcripts/{school}/classes/{class}/sign-jobs``
with their ``.p12``; the answer comes at once, ``accepted_seconds``) and follow its status
(``GET /api/v1/signing-jobs/{id}``, polled every 50 ms) until it is done, through the FastAPI app
in process, on a SQLite store, every signature an
incremental update written with its audit event. Simulating and building are not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUICK_ARGS = ["--class-size", "10"]
PASSPHRASE = "bench"
SCHOOL = "79BENCH01"
CREATED = dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)
# account / plan key -> certificate of the test PKI
KEYS = {"gv0": "teacher1", "gv1": "teacher2", "gv2": "teacher3", "gvcn": "homeroom",
        "ht": "principal", "dau": "seal"}  # fmt: skip


def _arch():
    from certomancer.registry import CertomancerConfig

    config = CertomancerConfig.from_file(str(ROOT / "tests/signing/pki/certomancer.yml"))
    return config.get_pki_arch("hocba")


def _p12(arch, label: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        load_der_private_key,
        pkcs12,
    )

    key = load_der_private_key(arch.key_set.get_private_key(label).dump(), None)
    cert = x509.load_der_x509_certificate(arch.get_cert(label).dump())
    chain = [x509.load_der_x509_certificate(arch.get_cert(c).dump()) for c in ("interm", "root")]
    return pkcs12.serialize_key_and_certificates(
        label.encode(), key, cert, chain, BestAvailableEncryption(PASSPHRASE.encode())
    )


def _class(size: int):
    """``size`` transcripts of one class, issued by the bench school."""
    from bench.bench_signing import _transcripts

    transcripts, _failed, _ = _transcripts(max(2000, size * 3), limit=size)
    fixed = []
    for t in transcripts:
        year = t.current_year.model_copy(update={"class_name": "9A1"})
        fixed.append(t.model_copy(update={"issuing_school_code": SCHOOL,
                                          "years": (*t.years[:-1], year)}))  # fmt: skip
    return fixed


def _setup(transcripts, signers):
    from signing import SigningSetup

    codes = [s.code for s in transcripts[0].current_year.subjects]
    teachers = {"gv0": codes[0::3], "gv1": codes[1::3], "gv2": ["*"]}
    return SigningSetup(signers=signers, homeroom="gvcn", principal="ht", seal="dau",
                        teachers=teachers)  # fmt: skip


def _cli(transcripts, arch, out: Path) -> dict:
    from signing import from_pkcs12_bytes, write_issued

    signers = {k: from_pkcs12_bytes(_p12(arch, v), PASSPHRASE) for k, v in KEYS.items()}
    setup = _setup(transcripts, signers)
    started, cpu = time.perf_counter(), time.process_time()
    paths = write_issued(transcripts, setup, out, created=CREATED)
    return {"seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "transcripts": len(paths)}  # fmt: skip


def _service(transcripts, arch, var: Path) -> dict:
    from fastapi.testclient import TestClient

    from doisoat import store
    from service import certificates
    from service.api import Principal, add_user, create_app, issue_token
    from service.issuing import record_plan
    from signing import write_issued

    var.mkdir(parents=True, exist_ok=True)
    engine = store.get_engine(f"sqlite:///{var / 'store.db'}")
    app = create_app(engine, var_dir=var)
    client = TestClient(app)
    officer = Principal("bench", "district_officer", None)
    for user in ("gv0", "gv1", "gv2", "gvcn", "ht"):
        add_user(engine, user, "bench-password-1234", school_code=SCHOOL,
                 role="principal" if user == "ht" else "teacher")  # fmt: skip
        for key in ("ht", "dau") if user == "ht" else (user,):
            certificates.register(engine, officer, _p12(arch, KEYS[key]), passphrase=PASSPHRASE,
                                  username=user)  # fmt: skip
    tokens = {u: issue_token(engine, u) for u in ("gv0", "gv1", "gv2", "gvcn", "ht")}
    setup = _setup(transcripts, {})
    started = time.perf_counter()
    paths = write_issued(transcripts, setup, var / "transcripts", created=CREATED, signed=False)
    record_plan(paths, setup)
    issued = time.perf_counter() - started
    requests = []
    cpu = time.process_time()  # the app runs in this process (TestClient): its CPU counts
    for user in ("gv0", "gv1", "gv2", "gvcn", "ht"):
        key = "ht" if user == "ht" else user
        t = time.perf_counter()
        auth = {"Authorization": f"Bearer {tokens[user]}"}
        answer = client.post(
            f"/api/v1/transcripts/{SCHOOL}/classes/9A1/sign-jobs",
            data={"passphrase": PASSPHRASE},
            files={"pkcs12": ("k.p12", _p12(arch, KEYS[key]), "application/x-pkcs12")},
            headers=auth,
        )
        if answer.status_code != 202:
            raise RuntimeError(f"{user}: {answer.status_code} {answer.text}")
        accepted = round(time.perf_counter() - t, 3)
        polls = 0
        while True:  # as the page does, but every 50 ms instead of every second
            time.sleep(0.05)
            polls += 1
            body = client.get(f"/api/v1/signing-jobs/{answer.json()['id']}", headers=auth).json()
            if body["state"] != "running":
                break
        if body["state"] != "done" or body["result"]["failed"]:
            raise RuntimeError(f"{user}: {body}")
        requests.append({"user": user, "signatures": body["done"], "accepted_seconds": accepted,
                         "status_polls": polls,
                         "seconds": round(time.perf_counter() - t, 2)})  # fmt: skip
    cpu_seconds = time.process_time() - cpu
    signing = sum(r["seconds"] for r in requests)
    signatures = sum(r["signatures"] for r in requests)
    client.close()
    return {"issue_unsigned_seconds": round(issued, 2),
            "sign_seconds": round(signing, 2),
            "sign_cpu_seconds": round(cpu_seconds, 2),
            "total_seconds": round(issued + signing, 2),
            "signatures": signatures,
            "ms_per_signature": round(signing / max(signatures, 1) * 1000, 1),
            "requests": requests}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--class-size", type=int, default=45)
    args = parser.parse_args(argv)
    transcripts = _class(args.class_size)
    arch = _arch()
    from signing.typeface import load_font

    load_font(False), load_font(True)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        cli = _cli(transcripts, arch, Path(tmp) / "cli")
        service = _service(transcripts, arch, Path(tmp) / "var")
    print(json.dumps({
        "benchmark": "class_signing",
        "cpu_count": os.cpu_count(),
        "students": len(transcripts),
        "signatures_per_transcript": 6,
        "cli_issue_signed": cli,
        "service": service,
        "service_over_cli": round(service["total_seconds"] / max(cli["seconds"], 1e-9), 2),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
