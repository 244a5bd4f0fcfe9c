"""``doisoat transcript``: issue signed transcripts and verify them (adapter over ``signing``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from doisoat.errors import SigningError
from service.cli.dates import date_option
from service.cli.messages import ERRORS, TRANSCRIPT

# where the pages look: ``create_app(var_dir="var")`` serves ``var/transcripts``
DEFAULT_TRANSCRIPTS_DIR = Path("var") / "transcripts"


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    sub = typer.Typer(
        help="Học bạ: issue signed transcripts (PDF/A-3 + XML) and verify them.",
        no_args_is_help=True,
    )

    @sub.command("issue")
    def issue(
        school: Annotated[str, typer.Option("--school", help="school code")],
        year: Annotated[str, typer.Option("--year", help="school year, e.g. 2024-2025")],
        signers_file: Annotated[
            Path, typer.Option("--signers", help="signing config (TOML); with --unsigned only "
                               "its plan ([roles], [teachers]) is read")
        ],
        class_name: Annotated[str | None, typer.Option("--class", help="class, e.g. 9A1")] = None,
        out: Annotated[
            Path, typer.Option("--out", help="output folder (default: where the pages look)")
        ] = DEFAULT_TRANSCRIPTS_DIR,
        student: Annotated[
            list[str] | None, typer.Option("--student", help="identity code (repeatable)")
        ] = None,
        confirmation: Annotated[
            bool, typer.Option("--confirmation", help="study-record confirmation (principal)")
        ] = False,
        issued_on: Annotated[
            dt.date | None, date_option("--date", help="Issue date (default: today).")
        ] = None,
        db: Annotated[str | None, typer.Option("--db", help="database URL")] = None,
        with_json: Annotated[bool, typer.Option("--json", help="also write JSON")] = False,
        unsigned: Annotated[
            bool,
            typer.Option(
                "--unsigned",
                help="write them with empty signature fields, to be signed through the service "
                "(needs only the plan, no keys)",
            ),
        ] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="issue even for students with open identity or transfer conflicts",
            ),
        ] = False,
    ) -> None:
        """Sign transcripts: a whole class, or given students (transfer-out, confirmation).

        Students with open identity or transfer conflicts stop the batch (named, in
        Vietnamese) unless --force."""
        from doisoat.store import open_store
        from service.config import load_settings
        from service.issuing import OpenConflicts
        from service.issuing import issue as issue_transcripts

        if not student and not class_name:
            raise typer.BadParameter("--class or --student is required")
        try:
            issued = issue_transcripts(
                open_store(db),
                school=school,
                year=year,
                signers_file=signers_file,
                out=out,
                class_name=class_name,
                students=list(student or []),
                kind="xac_nhan" if confirmation else "hoc_ba",
                issued_on=issued_on,
                unsigned=unsigned,
                with_json=with_json,
                force=force,
                public_url=load_settings().public_url,
            )
        except OpenConflicts as exc:
            typer.echo(exc.message_vi, err=True)
            typer.echo(TRANSCRIPT["force_hint"], err=True)
            raise typer.Exit(2) from exc
        except SigningError as exc:
            typer.echo(ERRORS["refused"].format(problem=exc.message_vi), err=True)
            raise typer.Exit(2) from exc
        for path in issued.paths:
            typer.echo(str(path))
        if issued.forced_past:
            names = sorted({c.student_name for c in issued.forced_past})
            typer.echo(TRANSCRIPT["forced"].format(names=", ".join(names)), err=True)
        done = TRANSCRIPT["issued_unsigned"] if unsigned else TRANSCRIPT["issued"]
        typer.echo(done.format(count=len(issued.paths)), err=True)

    @sub.command("verify")
    def verify(
        files: Annotated[list[Path], typer.Argument(help="signed transcript PDF(s)")],
        trust: Annotated[
            list[Path] | None,
            typer.Option(
                "--trust",
                help="trusted root CA (PEM/DER); default: the roots in var/trust/, "
                "as the verification page uses",
            ),
        ] = None,
        fetch: Annotated[bool, typer.Option("--fetch", help="fetch OCSP/CRL online")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    ) -> None:
        """Check every signature, the order, the locks, the attached XML and the QR code."""
        import logging

        from signing import load_certificates, verify_pdf

        # an untrusted chain is a finding of the report below, not a traceback on the terminal
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)

        from service.verification import trust_roots

        roots = load_certificates(list(trust)) if trust else trust_roots(Path("var") / "trust")
        failed = False
        for path in files:
            try:
                report = verify_pdf(
                    path.read_bytes(), trust_roots=roots, allow_fetching=fetch, file_name=path.name
                )
            except (SigningError, OSError) as exc:
                problem = getattr(exc, "message_vi", exc)
                line = TRANSCRIPT["unreadable"].format(name=path.name, problem=problem)
                typer.echo(line, err=True)
                failed = True
                continue
            failed |= not report.ok
            if as_json:
                typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
                continue
            typer.echo(TRANSCRIPT["verdict"].format(
                name=path.name,
                verdict=TRANSCRIPT["valid" if report.ok else "invalid"],
                number=report.number or "?",
            ))
            for s in report.signatures:
                typer.echo(_signature_line(s))
            typer.echo(TRANSCRIPT["attachments"].format(
                xml=_yes(report.xml_valid), qr=_yes(report.qr_matches)
            ))
            for problem in report.all_problems():
                typer.echo(f"  - {problem}")
        if failed:
            raise typer.Exit(1)

    @sub.command("demo")
    def demo(
        db: Annotated[str | None, typer.Option("--db", help="database URL")] = None,
        var: Annotated[Path, typer.Option("--var", help="the service's var folder")] = Path("var"),
    ) -> None:
        """Demo PKI (DEMO certificates under var/demo/pki), signing accounts with their
        certificates registered, one class issued signed and one unsigned (after `doisoat demo`)."""
        from doisoat.store import open_store
        from service.demo_signing import PASSPHRASE
        from service.demo_signing import run as run_demo

        try:
            done = run_demo(open_store(db), var)
        except (SigningError, LookupError) as exc:
            problem = getattr(exc, "message_vi", str(exc))
            typer.echo(ERRORS["refused"].format(problem=problem), err=True)
            raise typer.Exit(2) from exc
        from reports import school_label
        from service.cli.explain import school_names

        named = school_label(done.school, school_names(open_store(db)))
        typer.echo(TRANSCRIPT["demo"].format(
            school=named, signed=len(done.signed), signed_class=done.signed_class,
            unsigned=len(done.unsigned), unsigned_class=done.unsigned_class,
            pki=done.pki_dir, passphrase=PASSPHRASE,
            accounts=", ".join(done.accounts),
        ))  # fmt: skip

    app.add_typer(sub, name="transcript")


def _yes(value: bool) -> str:
    return TRANSCRIPT["yes" if value else "no"]


def _signature_line(s) -> str:
    from signing import CHANGE_NAMES, ROLE_NAMES

    who = s.subjects or ROLE_NAMES.get(s.role, s.role)
    from service.verification import vietnam_time

    when = vietnam_time(s.signed_at)
    mark = "✓" if s.ok else "✗"
    return TRANSCRIPT["signature"].format(
        mark=mark, who=who, signer=s.signer, when=when, intact=_yes(s.intact),
        trusted=_yes(s.trusted), changes=CHANGE_NAMES.get(s.changes_after, s.changes_after),
    )  # fmt: skip
