"""What ``doisoat inspect`` shows about one file, as plain data (the CLI only prints it)."""

from __future__ import annotations

from typing import Any

import polars as pl

from connectors.export_file import FileRead
from connectors.messages import msg

SAMPLE_COLUMNS = ("local_id", "moet_code", "full_name", "dob", "gender", "class_name",
                  "status", "src_sheet", "src_row")


def describe(read: FileRead, samples: int = 5) -> dict[str, Any]:
    students = read.students
    if students.height:
        sample = students.select([c for c in SAMPLE_COLUMNS if c in students.columns])
    else:
        sample = read.subject_results if read.subject_results.height else pl.DataFrame()
    problems = [
        {"sheet": q.src_sheet, "row": q.src_row, "column": q.column, "reason": q.reason,
         "reason_vi": q.reason_vi}
        for q in read.quarantined
    ]
    for column, null_reason in (("dob", "ngày sinh không đọc được"),
                                ("gender", "giới tính không đọc được")):
        if students.height:
            bad = students.filter(pl.col(column).is_null() & (
                pl.col("dob_raw").is_not_null() if column == "dob" else pl.lit(True)))
            for row in bad.head(20).iter_rows(named=True):
                problems.append({"sheet": row["src_sheet"], "row": row["src_row"],
                                 "column": column, "reason": f"{column}_unreadable",
                                 "reason_vi": null_reason})
    return {
        "file": str(read.path), "format": read.format, "encoding": read.encoding,
        "source": read.source, "detection": read.detection,
        "tables": [vars(t) for t in read.tables], "unmatched_sheets": read.unmatched_sheets,
        "samples": sample.head(samples).to_dicts(), "problems": problems,
        "rows_read": read.rows_read, "rows_accepted": read.rows_accepted,
        "rows_quarantined": read.rows_quarantined,
        "summary": msg("summary", read=read.rows_read, accepted=read.rows_accepted,
                       quarantined=read.rows_quarantined, skipped_note=""),
    }
