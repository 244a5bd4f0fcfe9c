"""``doisoat transcript``: issue signed transcripts and verify them (adapter over ``signing``)."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from doisoat.errors import SigningError
from service.cli.messages import ERRORS, TRANSCRIPT


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
        signers_file: Annotated[Path, typer.Option("--signers", help="signing config (TOML)")],
        class_name: Annotated[str | None, typer.Option("--class", help="class, e.g. 9A1")] = None,
        out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("out/hocba"),
        student: Annotated[
            list[str] | None, typer.Option("--student", help="identity code (repeatable)")
        ] = None,
        confirmation: Annotated[
            bool, typer.Option("--confirmation", help="study-record confirmation (principal)")
        ] = False,
        issued_on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD")] = None,
        db: Annotated[str | None, typer.Option("--db", help="database URL")] = None,
        with_json: Annotated[bool, typer.Option("--json", help="also write JSON")] = False,
        unsigned: Annotated[
            bool,
            typer.Option(
                "--unsigned",
                help="write them with empty signature fields, to be signed through the service",
            ),
        ] = False,
    ) -> None:
        """Sign transcripts: a whole class, or given students (transfer-out, confirmation)."""
        from doisoat.store import open_store
        from signing import (
            build_class,
            build_students,
            load_setup,
            load_transcript_inputs,
            write_issued,
        )

        day = dt.date.fromisoformat(issued_on) if issued_on else dt.date.today()
        kind = "xac_nhan" if confirmation else "hoc_ba"
        try:
            engine = open_store(db)
            if student:
                inputs = load_transcript_inputs(engine, identity_codes=list(student))
                transcripts = build_students(
                    inputs, student, issued_on=day, issuing_school_code=school, kind=kind
                )
            else:
                if not class_name:
                    raise typer.BadParameter("--class or --student is required")
                inputs = load_transcript_inputs(engine, school_code=school)
                transcripts = build_class(
                    inputs,
                    school_code=school,
                    class_name=class_name,
                    school_year=year,
                    issued_on=day,
                    kind=kind,
                )
            with ExitStack() as stack:
                setup = load_setup(signers_file, stack, open_signers=not unsigned)
                paths = write_issued(
                    transcripts, setup, out, with_json=with_json, signed=not unsigned
                )
        except SigningError as exc:
            typer.echo(ERRORS["refused"].format(problem=exc.message_vi), err=True)
            raise typer.Exit(2) from exc
        for path in paths:
            typer.echo(str(path))
        done = TRANSCRIPT["issued_unsigned"] if unsigned else TRANSCRIPT["issued"]
        typer.echo(done.format(count=len(paths)), err=True)

    @sub.command("verify")
    def verify(
        files: Annotated[list[Path], typer.Argument(help="signed transcript PDF(s)")],
        trust: Annotated[
            list[Path] | None, typer.Option("--trust", help="trusted root CA (PEM/DER)")
        ] = None,
        fetch: Annotated[bool, typer.Option("--fetch", help="fetch OCSP/CRL online")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    ) -> None:
        """Check every signature, the order, the locks, the attached XML and the QR code."""
        import logging

        from signing import load_certificates, verify_pdf

        # an untrusted chain is a finding of the report below, not a traceback on the terminal
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)

        roots = load_certificates(list(trust or []))
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

    app.add_typer(sub, name="transcript")


def _yes(value: bool) -> str:
    return TRANSCRIPT["yes" if value else "no"]


def _signature_line(s) -> str:
    from signing import CHANGE_NAMES, ROLE_NAMES

    who = s.subjects or ROLE_NAMES.get(s.role, s.role)
    when = (
        dt.datetime.fromisoformat(s.signed_at).strftime("%d/%m/%Y %H:%M:%S %Z")
        if s.signed_at
        else "?"
    )
    mark = "✓" if s.ok else "✗"
    return TRANSCRIPT["signature"].format(
        mark=mark, who=who, signer=s.signer, when=when, intact=_yes(s.intact),
        trusted=_yes(s.trusted), changes=CHANGE_NAMES.get(s.changes_after, s.changes_after),
    )  # fmt: skip
