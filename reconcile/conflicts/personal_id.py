"""PERSONAL_ID_INCONSISTENT: a 12-digit personal ID that disagrees with its student.

Digit 4 encodes century and sex (0/1: male/female born 1900–1999, 2/3: born 2000–2099, …),
digits 5–6 the birth year. The registry's date of birth and gender are trusted over the school's
when the record is matched, so a gender typed wrong at school is DEMOGRAPHIC_DRIFT, not this.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from doisoat.model import stable_key
from reconcile import messages as msg
from reconcile.conflicts.base import conflict, identity_expr


def _expected() -> list[pl.Expr]:
    dob = pl.coalesce("reg_dob", "dob")
    gender = pl.coalesce("reg_gender", "gender")
    year = dob.dt.year()
    digit = pl.col("pid_key").str.slice(3, 1).cast(pl.Int32, strict=False)
    yy = pl.col("pid_key").str.slice(4, 2).cast(pl.Int32, strict=False)
    century_ok = (digit // 2) == ((year - 1900) // 100)
    sex_ok = (digit % 2) == pl.when(gender == "F").then(1).otherwise(0)
    return [
        pl.when(year.is_null()).then(None).otherwise(yy == year % 100).alias("__year_ok"),
        pl.when(year.is_null()).then(None).otherwise(century_ok).alias("__century_ok"),
        pl.when(gender.is_null()).then(None).otherwise(sex_ok).alias("__sex_ok"),
        dob.alias("__dob"),
        gender.alias("__gender"),
    ]


def personal_id_conflicts(view: pl.DataFrame) -> list[dict[str, Any]]:
    checked = view.filter(pl.col("pid_key").is_not_null()).with_columns(_expected())
    bad = checked.filter(
        ~pl.col("__year_ok").fill_null(True)
        | ~pl.col("__century_ok").fill_null(True)
        | ~pl.col("__sex_ok").fill_null(True)
    )
    rows = []
    for r in bad.iter_rows(named=True):
        if r["__sex_ok"] is False:
            kind, detail = "gender_digit", {"gender": msg.GENDER_VI.get(r["__gender"], "?")}
        elif r["__year_ok"] is False:
            kind, detail = "birth_year", {"year": r["__dob"].year}
        else:
            kind, detail = "century", {"year": r["__dob"].year}
        name = r["full_name"] or "(không tên)"
        rows.append(
            conflict(
                "PERSONAL_ID_INCONSISTENT",
                [stable_key(r["source"], r["school_code"], r["local_id"]), r["pid_key"]],
                r["school_code"],
                [r["record_id"]],
                {
                    "personal_id": r["pid_key"],
                    "kind": kind,
                    "dob": r["__dob"],
                    "gender": r["__gender"],
                    "registry_personal_id": r.get("reg_pid"),
                },
                msg.FIXES["PID_FIX"].format(pid=r["pid_key"], name=name),
                msg.MESSAGES["PERSONAL_ID_INCONSISTENT"].format(
                    pid=r["pid_key"],
                    name=name,
                    klass=msg.klass(r),
                    reason=msg.PID_REASONS[kind].format(**detail),
                ),
            )
        )
    shared = (
        view.filter(pl.col("pid_key").is_not_null())
        .with_columns(identity_expr().alias("__who"))
        .group_by("pid_key")
        .agg(
            pl.col("__who").n_unique().alias("people"),
            pl.col("record_id"),
            pl.col("full_name"),
            pl.col("school_code").first(),
        )
        .filter(pl.col("people") > 1)
    )
    for g in shared.iter_rows(named=True):
        names = ", ".join(sorted(set(g["full_name"])))
        rows.append(
            conflict(
                "PERSONAL_ID_INCONSISTENT",
                ["shared", g["pid_key"]],
                g["school_code"],
                list(g["record_id"]),
                {"personal_id": g["pid_key"], "kind": "shared", "holders": names},
                msg.FIXES["PID_FIX"].format(pid=g["pid_key"], name=names),
                msg.MESSAGES["PERSONAL_ID_INCONSISTENT"].format(
                    pid=g["pid_key"],
                    name=names,
                    klass=msg.NO_CLASS,
                    reason=msg.PID_REASONS["shared"].format(count=g["people"]),
                ),
            )
        )
    return rows
