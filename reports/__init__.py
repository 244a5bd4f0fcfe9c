"""Nightly report (HTML), school worklists (xlsx), the JSON twin, and data-quality checks.

Pure builders take frames (:class:`ReportInputs`) and return documents or files; the store is
read only by :mod:`reports.store_io` (``load_inputs``, ``write_night_report``,
``check_snapshots``), through the store's named queries. Reports write files, never the
database: the checks return verdicts (``exclusion_reasons``, ``quality_rows``); keeping them
with the night and leaving a snapshot out are the night's decisions and the store's writes
(``doisoat.store.runs.save_quality_results``, ``doisoat.store.exclude_snapshots``).
"""

from reports.build import build_report, worklist_filename
from reports.csv_export import CSV_COLUMNS, conflicts_csv
from reports.html import render_html
from reports.inputs import ReportInputs, student_counts
from reports.items import worklist_items
from reports.quality import (
    QualityResult,
    Suite,
    exclusion_reasons,
    keep_out,
    load_suite,
    run_quality,
)
from reports.school_view import name_schools, school_item, school_label
from reports.store_io import (
    check_snapshots,
    conflicts_csv_of,
    load_inputs,
    quality_rows,
    trend_from_conflicts,
    write_night_report,
)
from reports.withhold import (
    KEPT_FIELDS,
    SCHOOL_KEYS,
    other_school_codes,
    split_records,
    withhold,
)
from reports.worklist import write_worklist, write_worklists
from reports.worklist_reader import Answer, Refusal, WorklistAnswers, read_answers
from reports.write import ReportFiles, report_schema, validate_report, write_report

__all__ = [
    "CSV_COLUMNS",
    "conflicts_csv",
    "conflicts_csv_of",
    "Answer",
    "Refusal",
    "WorklistAnswers",
    "read_answers",
    "school_item",
    "school_label",
    "name_schools",
    "withhold",
    "split_records",
    "other_school_codes",
    "KEPT_FIELDS",
    "SCHOOL_KEYS",
    "QualityResult",
    "ReportFiles",
    "ReportInputs",
    "Suite",
    "build_report",
    "check_snapshots",
    "exclusion_reasons",
    "keep_out",
    "load_inputs",
    "load_suite",
    "render_html",
    "report_schema",
    "quality_rows",
    "run_quality",
    "student_counts",
    "trend_from_conflicts",
    "validate_report",
    "worklist_filename",
    "worklist_items",
    "write_night_report",
    "write_report",
    "write_worklist",
    "write_worklists",
]
