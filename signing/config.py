"""Read a school's signing configuration (TOML) into a :class:`SigningSetup`.

::

    level = "B-LT"                      # B-B | B-T | B-LT | B-LTA
    tsa_url = "http://tsa.example/tsa"  # needed from B-T up
    trust = ["root-ca.pem"]             # roots for B-LT validation data
    [roles]
    homeroom = "gvcn"
    principal = "ht"
    seal = "dau"
    [teachers]                           # signer key -> subjects ("*" = the others)
    gv_toan = ["toan"]                   # a code (any case) or the name: "Toán", "Ngữ văn"
    gv_chung = ["*"]
    [names]                              # optional: names printed under the blocks before
    gv_toan = "Nguyễn Văn An"            # signing (else the certificate's CN)
    [signers.gv_toan]
    pkcs12 = "gv_toan.p12"
    passphrase_env = "GV_TOAN_PASS"
    [signers.dau]
    pkcs11_lib = "/usr/lib/softhsm/libsofthsm2.so"
    token = "truong"
    pin_env = "TOKEN_PIN"
    key_label = "dau"

Secrets come from environment variables (``*_env``), never from the file itself. Paths are
relative to the configuration file.
"""

from __future__ import annotations

import os
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pyhanko_certvalidator import ValidationContext

from doisoat.errors import ErrorContext, SigningError
from signing import messages as msg
from signing.issue import SigningSetup
from signing.signers import from_pkcs12, http_timestamper, load_certificates, pkcs11_signers


def _bad(path: Path, problem: str) -> SigningError:
    return SigningError(
        f"invalid signing configuration {path}: {problem}",
        message_vi=msg.SIGNERS_CONFIG_INVALID.format(file=path.name, problem=problem),
        context=ErrorContext(file=str(path)),
    )


def _secret(spec: dict[str, Any], key: str, path: Path) -> str | None:
    env = spec.get(f"{key}_env")
    if env:
        if env not in os.environ:
            raise _bad(path, f"biến môi trường {env} chưa được đặt")
        return os.environ[env]
    return spec.get(key)


def load_setup(path: str | Path, stack: ExitStack, *, open_signers: bool = True) -> SigningSetup:
    """Open every signer (PKCS#11 sessions are closed when ``stack`` closes).

    ``open_signers=False`` reads only who signs what (the plan), touching no key: for
    transcripts issued unsigned, to be signed through the service.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _bad(path, str(exc)) from exc
    base = path.parent
    roles = data.get("roles", {})
    for role in ("homeroom", "principal", "seal"):
        if role not in roles:
            raise _bad(path, f"thiếu vai trò roles.{role}")
    signers: dict[str, Any] = {}
    tokens: dict[tuple[str, str], dict[str, str]] = {}
    pins: dict[tuple[str, str], str] = {}
    for key, spec in data.get("signers", {}).items() if open_signers else ():
        if "pkcs12" in spec:
            signers[key] = from_pkcs12(base / spec["pkcs12"], _secret(spec, "passphrase", path))
        elif "pkcs11_lib" in spec:
            token = (spec["pkcs11_lib"], spec["token"])
            tokens.setdefault(token, {})[key] = spec.get("key_label", key)
            pins[token] = _secret(spec, "pin", path) or ""
        else:
            raise _bad(path, f"signers.{key} cần pkcs12 hoặc pkcs11_lib")
    trust = load_certificates([base / p for p in data.get("trust", [])])
    for (lib, token), labels in tokens.items():
        signers.update(
            stack.enter_context(
                pkcs11_signers(
                    lib,
                    token_label=token,
                    pin=pins[(lib, token)],
                    key_labels=labels,
                    other_certs=trust,
                )
            )
        )
    level = data.get("level", "B-B")
    if level not in ("B-B", "B-T", "B-LT", "B-LTA"):
        raise _bad(path, f"level = {level}")
    tsa = data.get("tsa_url")
    if level != "B-B" and not tsa:
        raise _bad(path, "cần tsa_url cho mức " + level)
    return SigningSetup(
        signers=signers,
        homeroom=roles["homeroom"],
        principal=roles["principal"],
        seal=roles["seal"],
        teachers={k: list(v) for k, v in data.get("teachers", {}).items()},
        level=level,
        timestamper=http_timestamper(tsa) if tsa else None,
        validation_context=(
            ValidationContext(trust_roots=trust, allow_fetching=True) if trust else None
        ),
        location=data.get("location"),
        names={k: str(v) for k, v in data.get("names", {}).items()},
    )
