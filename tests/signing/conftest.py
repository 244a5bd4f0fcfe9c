"""Test PKI, loopback TSA/OCSP/CRL server, SoftHSM2 token and small canonical data for signing.

The PKI is ``pki/certomancer.yml``: certomancer issues the certificates in process, and its
Animator (a WSGI app) serves the timestamp authority, the OCSP responder and the CRLs on
127.0.0.1 from a real HTTP server thread, so signatures carry URLs that actually answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from asn1crypto import keys, x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from hocba_data import CREATED, ISSUED, SUBJECT_NAMES, canonical_frames
from pyhanko.sign import signers
from werkzeug.serving import make_server

from signing import SigningSetup, build_transcript, local_timestamper
from signing.signers import signer_from_key

PKI_DIR = Path(__file__).parent / "pki"
ARCH = "hocba"
SIGNER_LABELS = ("teacher1", "teacher2", "teacher3", "homeroom", "principal", "seal")
SOFTHSM_LIB = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass
class Pki:
    url: str
    arch: object

    def cert(self, label: str) -> x509.Certificate:
        # re-parse: certificates built in Python re-encode on every dump (slow CMS building)
        return x509.Certificate.load(self.arch.get_cert(label).dump())

    def key(self, label: str) -> keys.PrivateKeyInfo:
        return keys.PrivateKeyInfo.load(self.arch.key_set.get_private_key(label).dump())

    @property
    def root(self) -> x509.Certificate:
        return self.cert("root")

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def signer(self, label: str) -> signers.Signer:
        return signer_from_key(self.cert(label), self.key(label), [self.cert("interm"), self.root])

    def pem(self, label: str, folder: Path) -> Path:
        from asn1crypto import pem

        path = folder / f"{label}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", self.cert(label).dump()))
        return path


@pytest.fixture(scope="session")
def pki() -> Iterator[Pki]:
    server = make_server("127.0.0.1", 0, lambda env, start: [], threaded=True)
    url = f"http://127.0.0.1:{server.port}"
    config = CertomancerConfig.from_file(str(PKI_DIR / "certomancer.yml"), external_url_prefix=url)
    server.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Pki(url=url, arch=config.get_pki_arch(ARCH))
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def signer_map(pki: Pki) -> dict[str, signers.Signer]:
    return {label: pki.signer(label) for label in SIGNER_LABELS}


@pytest.fixture(scope="session")
def local_tsa(pki: Pki):
    return local_timestamper(pki.cert("tsa"), pki.key("tsa"), [pki.root])


@pytest.fixture
def setup_bb(signer_map) -> SigningSetup:
    return SigningSetup(
        signers=signer_map,
        homeroom="homeroom",
        principal="principal",
        seal="seal",
        teachers={"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]},
    )


@pytest.fixture
def frames() -> dict[str, pl.DataFrame]:
    return canonical_frames()


@pytest.fixture
def transcript(frames):
    return build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345678",
        issued_on=ISSUED,
        subject_names=SUBJECT_NAMES,
    )


@pytest.fixture(scope="session")
def signed_bb(pki, signer_map) -> bytes:
    """One transcript signed B-B by the whole chain (shared by read-only tests)."""
    from signing import issue_transcript

    frames = canonical_frames()
    t = build_transcript(
        frames["student_records"],
        frames["subject_results"],
        frames["term_results"],
        frames["schools"],
        "7912345678",
        issued_on=ISSUED,
        subject_names=SUBJECT_NAMES,
    )
    setup = SigningSetup(
        signers=signer_map,
        homeroom="homeroom",
        principal="principal",
        seal="seal",
        teachers={"teacher1": ["TOAN", "NGU_VAN"], "teacher2": ["GDTC"], "teacher3": ["*"]},
    )
    return issue_transcript(t, setup, created=CREATED)


@dataclass
class Token:
    lib: str
    label: str
    pin: str


@pytest.fixture(scope="session")
def softhsm(pki: Pki, tmp_path_factory) -> Iterator[Token]:
    """A SoftHSM2 token holding the seal's key and certificate (imported with the real tools)."""
    if (
        not SOFTHSM_LIB.exists()
        or not shutil.which("softhsm2-util")
        or not shutil.which("pkcs11-tool")
    ):
        pytest.skip("SoftHSM2/OpenSC not installed (see system-packages.txt)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    token = Token(lib=str(SOFTHSM_LIB), label="truong", pin="1234")

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    try:
        run(
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            token.label,
            "--pin",
            token.pin,
            "--so-pin",
            "5678",
        )
        from cryptography.hazmat.primitives import serialization

        key_pem = folder / "seal.key.pem"
        key_pem.write_bytes(
            serialization.load_der_private_key(pki.key("seal").dump(), None).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        run(
            "softhsm2-util",
            "--import",
            str(key_pem),
            "--token",
            token.label,
            "--label",
            "seal",
            "--id",
            "01",
            "--pin",
            token.pin,
        )
        cert_der = folder / "seal.der"
        cert_der.write_bytes(pki.cert("seal").dump())
        run(
            "pkcs11-tool",
            "--module",
            token.lib,
            "--token-label",
            token.label,
            "--login",
            "--pin",
            token.pin,
            "--write-object",
            str(cert_der),
            "--type",
            "cert",
            "--label",
            "seal",
            "--id",
            "01",
        )
        key_pem.unlink()
        yield token
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old
