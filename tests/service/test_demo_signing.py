"""``make demo``'s transcript part: a DEMO PKI, signing accounts with their certificates, one
class signed (valid against the DEMO root the verification page trusts), one left to sign."""

from __future__ import annotations

from pathlib import Path

import pytest

from doisoat import store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from service.demo_signing import run
    from simulate import generate, load_district

    folder = tmp_path_factory.mktemp("demo")
    engine = store.get_engine(f"sqlite:///{folder / 'store.db'}")
    store.upgrade(engine)
    load_district(engine, generate(1500, seed=3))
    yield engine, run(engine, folder / "var"), folder / "var"
    engine.dispose()


def test_the_demo_signs_one_class_with_certificates_that_say_demo(demo) -> None:
    from signing import load_certificates, verify_pdf

    _engine, done, var = demo
    assert done.signed and done.unsigned and done.signed_class != done.unsigned_class
    assert all(p.is_relative_to(var / "transcripts" / done.school) for p in done.signed)
    root = load_certificates([var / "trust" / "demo-root.pem"])
    report = verify_pdf(done.signed[0].read_bytes(), trust_roots=root)
    assert report.ok, report.all_problems()
    assert all(s.signer.startswith("DEMO ") for s in report.signatures)
    assert sorted(p.name for p in done.pki_dir.glob("*.p12")) == sorted(
        f"{k}-{done.school}.p12" for k in ("gv1", "gv2", "gvcn", "ht", "dau")
    )
    unsigned = verify_pdf(done.unsigned[0].read_bytes(), trust_roots=root)
    assert not unsigned.ok and not unsigned.signatures


def test_the_demo_accounts_hold_their_certificates_and_get_passwords(demo) -> None:
    from service import certificates
    from service.api import authenticate
    from service.demo_signing import reset_passwords

    engine, done, var = demo
    printed = reset_passwords(engine, done.pki_dir)
    assert {user for user, _, _ in printed} == set(done.accounts)
    for user, password, role in printed:
        assert authenticate(engine, user, password).role == role
        held = certificates.of_account(engine, user)
        assert held and all("DEMO" in c["subject"] for c in held)
    assert len(certificates.of_account(engine, f"ht-{done.school}")) == 2  # his and the seal's
    assert reset_passwords(engine, Path(var) / "nowhere") == []


def test_the_command_verifies_a_demo_transcript_against_var_trust_in_vietnam_time(
    demo, monkeypatch
) -> None:
    """`doisoat transcript verify FILE` run where `make demo` ran trusts what the page trusts."""
    from typer.testing import CliRunner

    from service.cli import app

    _engine, done, var = demo
    monkeypatch.chdir(Path(var).parent)
    result = CliRunner().invoke(app, ["transcript", "verify", str(done.signed[0])])
    assert result.exit_code == 0, result.output
    assert "HỢP LỆ" in result.output and "KHÔNG HỢP LỆ" not in result.output
    assert "tin cậy: có" in result.output and "(UTC+7)" in result.output
    assert " UTC;" not in result.output


def test_the_demo_command_names_the_school_it_signed_for(tmp_path) -> None:
    """What `make demo` prints names the school as a person reads it, not by its code alone."""
    from typer.testing import CliRunner

    from service.cli import app
    from simulate import generate, load_district

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = store.get_engine(url)
    store.upgrade(engine)
    load_district(engine, generate(1500, seed=3))
    names = store.read_table(engine, "school", columns=["school_code", "name"])
    engine.dispose()
    result = CliRunner().invoke(app, ["transcript", "demo", "--db", url, "--var", str(tmp_path)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    named = [f"{r['name']} ({r['school_code']})" for r in names.iter_rows(named=True)]
    assert any(f"Học bạ thử (DEMO) của {label}:" in said for label in named), said
