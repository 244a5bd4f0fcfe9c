"""Try the transcript workflow without a certification authority (``make demo``).

A demo PKI is made under ``var/demo/pki/``: a root whose name says DEMO and one certificate per
signer (two subject teachers, the homeroom teacher, the principal and the school's seal), each
a ``.p12`` with the passphrase :data:`PASSPHRASE`, plus the signing plan ``signers.toml``. The
plan's keys are account names, so each teacher's subject field is theirs alone on the pages.
The accounts are created (teachers and principal of one school) with their certificates
registered, the demo root is trusted by the verification page (``var/trust/``), and:

* one class is issued and signed with the demo PKI (``var/transcripts/<school>/<class>/``);
* a second class is issued unsigned, for signing a field on the web (README's tour).

Never for real transcripts: anyone with this repository can make the same certificates.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

PASSPHRASE = "demo"
ORG = "DEMO doisoat — KHÔNG DÙNG CHO HỌC BẠ THẬT"


@dataclass
class DemoSigning:
    school: str
    signed_class: str
    unsigned_class: str
    accounts: dict[str, str]  # user name -> role
    pki_dir: Path
    signed: list[Path] = field(default_factory=list)
    unsigned: list[Path] = field(default_factory=list)


def _name(common: str) -> Any:
    from cryptography.x509 import Name, NameAttribute
    from cryptography.x509.oid import NameOID

    return Name([
        NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
        NameAttribute(NameOID.COMMON_NAME, common),
    ])  # fmt: skip


def _certificate(subject: str, key: Any, issuer: str, issuer_key: Any, *, ca: bool) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    )
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(folder: Path, signers: dict[str, str]) -> dict[str, Path]:
    """A DEMO root and a ``.p12`` per signer key (``signers``: key -> common name)."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        Encoding,
        pkcs12,
    )

    folder.mkdir(parents=True, exist_ok=True)
    root_name = "DEMO Root CA doisoat"
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _certificate(root_name, root_key, root_name, root_key, ca=True)
    (folder / "root.pem").write_bytes(root.public_bytes(Encoding.PEM))
    files = {}
    for key_name, common in signers.items():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _certificate(common, key, root_name, root_key, ca=False)
        path = folder / f"{key_name}.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                key_name.encode(), key, cert, [root], BestAvailableEncryption(PASSPHRASE.encode())
            )
        )
        files[key_name] = path
    return files


def _classes(engine: Engine) -> list[tuple[str, str, str, int]]:
    """(school, class, year, students) of the vendors' records, largest classes first."""
    from sqlalchemy import text

    query = text(
        "SELECT school_code, class_name, school_year, COUNT(DISTINCT moet_code) AS n "
        "FROM student_record WHERE source <> 'moet' AND moet_code IS NOT NULL "
        "AND class_name IS NOT NULL AND grade = 9 "
        "GROUP BY school_code, class_name, school_year ORDER BY school_year DESC, n DESC, "
        "school_code, class_name"
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query).all()]  # type: ignore[misc]


def _pick(engine: Engine) -> tuple[str, str, list[Any], str, list[Any]]:
    """A school with two grade-9 classes of the latest year, without the students who have an
    open identity or transfer conflict (the issuing check would stop them)."""
    from service.issuing import blocking_conflicts
    from signing import build_class, load_transcript_inputs

    by_school: dict[tuple[str, str], list[str]] = {}
    for school, class_name, year, _n in _classes(engine):
        by_school.setdefault((school, year), []).append(class_name)
    for (school, year), classes in by_school.items():
        inputs = load_transcript_inputs(engine, school_code=school)
        clean = []
        for class_name in classes:
            try:
                built = build_class(inputs, school_code=school, class_name=class_name,
                                    school_year=year, issued_on=dt.date.today())  # fmt: skip
            except Exception:  # noqa: BLE001 — a class the builder refuses is not the demo's
                continue
            # a student with an open identity or transfer conflict is held back, as the
            # issuing check would hold them; the rest of the class is issued
            held = {c.identity_code for c in blocking_conflicts(engine, built)}
            built = [t for t in built if t.student.identity_code not in held]
            if built:
                clean.append((class_name, built))
            if len(clean) == 2:
                return school, clean[0][0], clean[0][1], clean[1][0], clean[1][1]
    raise LookupError("no school with two grade-9 classes to issue")


def _plan(folder: Path, school: str, subjects: list[str]) -> tuple[Path, dict[str, str]]:
    """signers.toml: two subject teachers (the first three subjects, the rest), the homeroom
    teacher, the principal (who also holds the seal). Keys are account names."""
    gv1, gv2, gvcn, ht, dau = (f"gv1-{school}", f"gv2-{school}", f"gvcn-{school}",
                               f"ht-{school}", f"dau-{school}")  # fmt: skip
    names = {gv1: "DEMO Giáo viên Toán", gv2: "DEMO Giáo viên bộ môn",
             gvcn: "DEMO Giáo viên chủ nhiệm", ht: "DEMO Hiệu trưởng",
             dau: "DEMO Dấu trường"}  # fmt: skip
    first = ", ".join(f'"{s}"' for s in subjects[:3])
    lines = ['level = "B-B"', 'trust = ["root.pem"]', 'location = "DEMO"', "[roles]",
             f'homeroom = "{gvcn}"', f'principal = "{ht}"', f'seal = "{dau}"', "[teachers]",
             f'"{gv1}" = [{first}]', f'"{gv2}" = ["*"]']  # fmt: skip
    for key in names:
        lines += [f'[signers."{key}"]', f'pkcs12 = "{key}.p12"', f'passphrase = "{PASSPHRASE}"']
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "signers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, names


def run(engine: Engine, var: Path = Path("var")) -> DemoSigning:
    """Make the demo PKI, the accounts and their certificates; issue one class signed and one
    unsigned into ``var/transcripts``."""
    from service import certificates
    from service.api import Principal, add_user
    from service.issuing import record_plan, with_account_names
    from signing import load_setup, write_issued

    school, signed_class, signed_t, unsigned_class, unsigned_t = _pick(engine)
    year = signed_t[0].current_year
    subjects = [s.code for s in year.subjects] if year else []
    folder = var / "demo" / "pki"
    plan_path, names = _plan(folder, school, subjects)
    files = make_pki(folder, names)
    trust = var / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "demo-root.pem").write_bytes((folder / "root.pem").read_bytes())
    accounts = {key: ("principal" if key.startswith("ht-") else "teacher")
                for key in names if not key.startswith("dau-")}  # fmt: skip
    officer = Principal("demo-setup", "district_officer", None)
    for user, role in accounts.items():
        add_user(engine, user, secrets.token_urlsafe(12), role=role, school_code=school,
                 full_name=names[user])  # fmt: skip
        owned = [user, f"dau-{school}"] if role == "principal" else [user]
        for key in owned:
            try:
                certificates.register(engine, officer, files[key].read_bytes(),
                                      passphrase=PASSPHRASE, username=user)  # fmt: skip
            except Exception:  # noqa: BLE001 — a rerun: this account already holds it
                pass
    out = var / "transcripts"
    from contextlib import ExitStack

    with ExitStack() as stack:
        setup = with_account_names(engine, load_setup(plan_path, stack))
        signed = write_issued(signed_t, setup, out)
        unsigned = write_issued(unsigned_t, setup, out, signed=False)
        record_plan([*signed, *unsigned], setup)
    return DemoSigning(school, signed_class, unsigned_class, accounts, folder, signed, unsigned)


def reset_passwords(
    engine: Engine, pki_dir: Path = Path("var/demo/pki")
) -> list[tuple[str, str, str]]:
    """New passwords for the demo's signing accounts (``serve --demo-users`` prints them):
    (user, password, role)."""
    import tomllib

    from service.api import add_user

    plan = pki_dir / "signers.toml"
    if not plan.exists():
        return []
    data = tomllib.loads(plan.read_text(encoding="utf-8"))
    users = [*data.get("teachers", {}), data["roles"]["homeroom"], data["roles"]["principal"]]
    from sqlalchemy import select

    from doisoat.model import UserAccount

    table = UserAccount.__table__
    out = []
    for user in dict.fromkeys(users):
        with engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.username == user)).first()
        if row is None:
            continue
        password = secrets.token_urlsafe(12)
        add_user(engine, user, password, role=row.role, school_code=row.school_code,
                 full_name=row.full_name)  # fmt: skip
        out.append((user, password, row.role))
    return out
