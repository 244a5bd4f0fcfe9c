"""``doisoat explain KEY``: why records matched what they matched.

KEY is whatever the person has in hand: a record id from a worklist, a conflict id from the
report or the web page, or the student's identity code (the registry's 10-digit code, or the
12-digit personal id) read off a school's list. Each is turned into the records of the last
reconciliation, and every record is explained pair by pair (:func:`reconcile.explain_record`).
When nothing matches, the command says which forms it accepts rather than only "not found".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import typer
from sqlalchemy import Engine

from doisoat.glossary import fmt_decimal
from service.cli.messages import EXPLAIN, EXPLAIN_COLUMNS


@dataclass(frozen=True)
class Found:
    """What KEY named: its kind (``record``, ``conflict``, ``identity_code``) and its records."""

    kind: str
    record_ids: list[str]
    conflict: dict[str, Any] | None = field(default=None)


def find(engine: Engine, key: str) -> Found | None:
    """The records ``key`` names, or None; a conflict id first, then a record id, then a code."""
    from doisoat import store
    from doisoat.store import queries

    conflict = store.read_table(engine, "conflict", "conflict_id = :k", {"k": key})
    if conflict.height:
        row = conflict.to_dicts()[0]
        return Found("conflict", list(json.loads(row["record_ids"] or "[]")), row)
    if queries.records_by_id(engine, [key], columns=["record_id"]).height:
        return Found("record", [key])
    if key.isdigit():
        ids = _records_of_code(engine, key)
        if ids:
            return Found("identity_code", ids)
    return None


def _records_of_code(engine: Engine, code: str) -> list[str]:
    """The records of the last reconciliation whose person has this identity code or personal
    id: the registry's own record, and every school's record linked to that person."""
    from doisoat import store

    by_identity = store.read_table(
        engine, "identity", "moet_code = :c OR identity_id = :i", {"c": code, "i": f"moet:{code}"},
        columns=["record_id", "identity_id"],
    )  # fmt: skip
    typed = store.read_table(
        engine, "student_record", "moet_code = :c OR personal_id = :c", {"c": code},
        columns=["record_id"],
    )["record_id"].to_list()  # fmt: skip
    people = set(by_identity["identity_id"].to_list())
    for chunk in (typed[i : i + 500] for i in range(0, len(typed), 500)):
        marks = {f"r{n}": rid for n, rid in enumerate(chunk)}
        where = "record_id IN (" + ", ".join(":" + m for m in marks) + ")"
        people |= set(store.read_table(engine, "identity", where, marks)["identity_id"].to_list())
    if not people:
        return sorted(set(typed))  # never reconciled: the records as loaded
    marks = {f"p{n}": pid for n, pid in enumerate(sorted(people))}
    where = "identity_id IN (" + ", ".join(":" + m for m in marks) + ")"
    linked = store.read_table(engine, "identity", where, marks, columns=["record_id"])
    return sorted(set(linked["record_id"].to_list()))


def explain_command(
    key: str = typer.Argument(
        ...,
        metavar="KEY",
        help="A student record id (source:snapshot:local_id), a conflict id, or a student's "
        "identity code (10 digits) or personal id (12 digits).",
    ),
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the store)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Why records matched what they matched: every scored pair, field by field, and the
    conflicts that name them."""
    from doisoat import store
    from reconcile import explain_record

    engine = store.open_store(url)
    key = key.strip()
    found = find(engine, key) or Found("record", [key])
    stories = [explain_record(engine, rid) for rid in found.record_ids]
    known = found.conflict is not None or any(s["pairs"] or s["identity"] for s in stories)
    if not known:
        typer.echo(EXPLAIN["unknown"].format(key=key), err=True)
        raise typer.Exit(1)
    if as_json:
        out = stories[0] if found.kind == "record" else {
            "query": key, "kind": found.kind, "conflict": found.conflict, "records": stories,
        }  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    _print(key, found, stories, school_names(engine))


def _print(
    key: str, found: Found, stories: list[dict[str, Any]], names: dict[str, str]
) -> None:
    from rich.console import Console
    from rich.markup import escape

    from doisoat.conflict_types import STATUS_LABELS, label_of
    from reports import name_schools, school_label

    console = Console(soft_wrap=True)  # sentences on one line each (the terminal wraps them)
    if found.conflict is not None:
        c = found.conflict
        console.print(EXPLAIN["conflict"].format(
            conflict_id=escape(c["conflict_id"]), type=escape(label_of(c["type"])),
            status=STATUS_LABELS.get(c["status"], c["status"]),
            school=escape(school_label(c["school_code"], names)), records=len(found.record_ids),
        ))  # fmt: skip
        console.print("  " + escape(name_schools(c["message_vi"], names)))
        console.print(EXPLAIN["fix"].format(fix=escape(name_schools(c["suggested_fix"], names))))
    elif found.kind == "identity_code":
        console.print(EXPLAIN["code"].format(code=escape(key), records=len(found.record_ids)))
    shown: set[str] = {found.conflict["conflict_id"]} if found.conflict else set()
    for story in stories:
        if found.kind != "record":
            console.print()
        _print_story(console, story, shown, names)


def school_names(engine: Engine) -> dict[str, str]:
    """Every school's name by code: a person reads «Trường THCS Lê Lợi (79000001)»."""
    from doisoat import store

    schools = store.read_table(engine, "school", columns=["school_code", "name"])
    return {r["school_code"]: r["name"] for r in schools.iter_rows(named=True) if r["name"]}


def _signed(weight: float) -> str:
    """A match weight as a person reads it: its sign, two decimals and a decimal comma."""
    return ("+" if weight >= 0 else "−") + fmt_decimal(abs(weight), 2)


def _print_story(
    console: Any, story: dict[str, Any], shown: set[str], names: dict[str, str]
) -> None:
    """One record's identity, pairs and conflicts, leaving out the pairs and conflicts already
    printed for another record of the same question (``shown``, updated)."""
    from rich.markup import escape
    from rich.table import Table

    from doisoat.conflict_types import STATUS_LABELS, label_of
    from doisoat.glossary import fmt_probability, label, level_label
    from reports import name_schools

    record_id = story["record_id"]
    ident = story["identity"] or {}
    console.print(EXPLAIN["identity"].format(
        record_id=escape(record_id), identity_id=escape(ident.get("identity_id", "?")),
        moet_code=escape(ident.get("moet_code") or EXPLAIN["no_code"]),
    ))  # fmt: skip
    for pair in story["pairs"]:
        other = pair["right_id"] if pair["left_id"] == record_id else pair["left_id"]
        key = "pair:" + "|".join(sorted((record_id, other)))
        if key in shown:
            console.print(EXPLAIN["pair_above"].format(other=escape(other)))
            continue
        shown.add(key)
        table = Table(title=EXPLAIN["pair"].format(
            other=escape(other), decision=label("match_decision", pair["decision"]),
            weight=_signed(pair["match_weight"]),
            probability=fmt_probability(pair["match_probability"]),
        ))  # fmt: skip
        for col in EXPLAIN_COLUMNS:
            table.add_column(col)
        for field_ in pair["explanation"]:
            comparison = str(field_["comparison"])
            table.add_row(
                label("comparison", comparison),
                level_label(comparison, field_["level"]),
                _signed(field_["weight"]),
            )
        console.print(table)
    for c in story["conflicts"]:
        if c["conflict_id"] in shown:
            continue
        shown.add(c["conflict_id"])
        status = STATUS_LABELS.get(c["status"], c["status"])
        message = name_schools(c["message_vi"], names)
        console.print(f"[red]{escape(label_of(c['type']))}[/red] ({status}, "
                      f"{escape(c['conflict_id'])}): {escape(message)}")  # fmt: skip
        console.print(EXPLAIN["fix"].format(fix=escape(name_schools(c["suggested_fix"], names))))
