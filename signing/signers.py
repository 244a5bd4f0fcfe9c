"""Where signatures come from: PKCS#12 files, PKCS#11 tokens, and timestamp authorities.

Everything here returns pyHanko objects the engine uses unchanged; errors from files, tokens and
servers become :class:`~doisoat.errors.SigningError` with a Vietnamese message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from asn1crypto import keys, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import signers
from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from doisoat.errors import ErrorContext, SigningError
from signing import messages as msg

Signer = signers.Signer


class KeyInMemorySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, with the private key parsed once instead of at every signature.

    Parsing (and consistency-checking) an RSA key costs more than the signature itself; a class of
    45 transcripts with 15 signatures each would parse the same key hundreds of times.
    """

    _parsed: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mechanism.signature_algo
        except ValueError:
            algo = mechanism["algorithm"].native
        if self._parsed is None:
            # the key comes from the school's own file or the signer object: the (slow) RSA
            # consistency check adds nothing here
            self._parsed = serialization.load_der_private_key(
                self.signing_key.dump(), None, unsafe_skip_rsa_key_validation=True
            )
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if algo == "rsassa_pkcs1v15" and isinstance(self._parsed, RSAPrivateKey):
            return self._parsed.sign(data, PKCS1v15(), hash_algo)
        if algo == "ecdsa" and isinstance(self._parsed, EllipticCurvePrivateKey):
            return self._parsed.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def signer_from_key(
    cert: x509.Certificate, key: keys.PrivateKeyInfo, chain: list[x509.Certificate] = ()
) -> Signer:
    return KeyInMemorySigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(list(chain)),
    )


def from_pkcs12(path: str | Path, passphrase: str | bytes | None = None) -> Signer:
    """A signer from a ``.p12``/``.pfx`` file (key, certificate and chain)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(
            f"cannot load PKCS#12 file {path}",
            message_vi=msg.PKCS12_UNREADABLE.format(file=Path(path).name),
            context=ErrorContext(file=str(path)),
        ) from exc
    return from_pkcs12_bytes(data, passphrase, file_name=Path(path).name,
                             context=ErrorContext(file=str(path)))


def from_pkcs12_bytes(data: bytes, passphrase: str | bytes | None = None, *,
                      file_name: str = "chứng thư số",
                      context: ErrorContext | None = None) -> Signer:
    """A signer from the bytes of a ``.p12``/``.pfx`` archive (an upload held in memory)."""
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=secret)
    except Exception as exc:  # wrong passphrase, not PKCS#12: pyHanko/cryptography raise many kinds
        loaded, cause = None, exc
    else:
        cause = None
    if loaded is None or loaded.signing_key is None or loaded.signing_cert is None:
        raise SigningError(
            f"cannot load PKCS#12 data of {file_name}",
            message_vi=msg.PKCS12_UNREADABLE.format(file=file_name),
            context=context,
        ) from cause
    return KeyInMemorySigner(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


@contextmanager
def pkcs11_signers(
    lib: str | Path,
    *,
    token_label: str,
    pin: str,
    key_labels: dict[str, str],
    other_certs: list[x509.Certificate] | None = None,
) -> Iterator[dict[str, Signer]]:
    """Signers for several keys of one token (``signer key -> key/cert label``), one session."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(
            str(lib), token_criteria=TokenCriteria(label=token_label), user_pin=pin
        )
    except Exception as exc:
        raise SigningError(
            f"cannot open PKCS#11 token {token_label}: {exc}",
            message_vi=msg.PKCS11_FAILED.format(token=token_label, problem=exc),
        ) from exc
    try:
        yield {
            key: pkcs11.PKCS11Signer(
                session,
                key_label=label,
                cert_label=label,
                other_certs_to_pull=None,
                ca_chain=other_certs or (),
            )
            for key, label in key_labels.items()
        }
    finally:
        session.close()


def http_timestamper(url: str, timeout: float = 10) -> TimeStamper:
    """An RFC 3161 client for a timestamp authority (the local TSA in tests)."""
    return RequestsHTTPTimeStamper(url, timeout=timeout)


def local_timestamper(
    tsa_cert: x509.Certificate, tsa_key: keys.PrivateKeyInfo, chain: list[x509.Certificate] = ()
) -> TimeStamper:
    """An in-process timestamper (unit tests, offline batches signed by the school's own TSA)."""
    return DummyTimeStamper(
        tsa_cert=tsa_cert, tsa_key=tsa_key, certs_to_embed=SimpleCertificateStore.from_certs(chain)
    )


def load_certificates(paths: list[str | Path]) -> list[x509.Certificate]:
    return [load_cert_from_pemder(str(p)) for p in paths]
