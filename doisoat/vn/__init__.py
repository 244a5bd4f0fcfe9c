"""Vietnamese text, name, date, identity and subject rules: the ground floor every package uses.

Pure functions over values (and polars columns where the volume calls for it); the only I/O is
reading the name lists shipped in ``data/``.

- text: :func:`nfc`, :func:`repair_text` (TCVN3, VNI, UTF-8 read as cp1252 or latin-1 once
  or twice, Windows-1258 read as cp1252, ``Ð`` for ``Đ``, NFD), :func:`detect_encoding`,
  :func:`fold` (comparison keys only), the encoders used to write legacy files, and
  :func:`fold_expr`, :func:`fold_series` / :func:`repair_series` for columns.
- names: :func:`split_name`, :func:`join_name`, ``FAMILY_NAMES``, ``MIDDLE_NAMES``,
  :func:`given_names`; collation: :func:`vi_sort_key`, :func:`roster_sort_key`.
- dates: :func:`parse_date` (day first; Excel serials), :func:`format_date_vi`.
- identity: :func:`check_moet_code`, :func:`check_personal_id`, :func:`make_personal_id`,
  :func:`parse_gender`, provinces before and after the 2025 merger.
- subjects: ``SUBJECTS``, :func:`subject_code`, :func:`curriculum_subjects`,
  :func:`regular_scores_required`, :func:`rules_for`.
"""

from .collation import roster_sort_key, vi_sort_key
from .dates import DateParse, format_date_vi, parse_date, to_excel_serial
from .identity import (
    CodeCheck,
    PersonalIdCheck,
    Problem,
    check_moet_code,
    check_personal_id,
    make_personal_id,
    parse_gender,
)
from .legacy import encode_mojibake, encode_tcvn3, encode_vni
from .names import (
    COMPOUND_FAMILY_NAMES,
    FAMILY_NAMES,
    MIDDLE_NAMES,
    NameParts,
    given_names,
    join_name,
    normalize_name,
    split_name,
)
from .provinces import PROVINCES_2024, PROVINCES_2025, SUCCESSOR_2025, province_name
from .subjects import (
    SUBJECTS,
    THPT_ELECTIVES,
    Subject,
    curriculum_subjects,
    level_of,
    periods_per_year,
    regular_scores_required,
    rules_for,
    subject_code,
)
from .text import (
    detect_encoding,
    fold,
    fold_expr,
    fold_series,
    nfc,
    repair_columns,
    repair_fields,
    repair_series,
    repair_text,
    text_problem,
)

__all__ = [
    "COMPOUND_FAMILY_NAMES",
    "FAMILY_NAMES",
    "MIDDLE_NAMES",
    "PROVINCES_2024",
    "PROVINCES_2025",
    "SUBJECTS",
    "SUCCESSOR_2025",
    "THPT_ELECTIVES",
    "CodeCheck",
    "DateParse",
    "NameParts",
    "PersonalIdCheck",
    "Problem",
    "Subject",
    "check_moet_code",
    "check_personal_id",
    "curriculum_subjects",
    "detect_encoding",
    "encode_mojibake",
    "encode_tcvn3",
    "encode_vni",
    "fold",
    "fold_expr",
    "fold_series",
    "format_date_vi",
    "given_names",
    "join_name",
    "level_of",
    "make_personal_id",
    "nfc",
    "normalize_name",
    "parse_date",
    "parse_gender",
    "periods_per_year",
    "province_name",
    "regular_scores_required",
    "repair_fields",
    "repair_columns",
    "repair_series",
    "repair_text",
    "roster_sort_key",
    "rules_for",
    "split_name",
    "subject_code",
    "text_problem",
    "to_excel_serial",
    "vi_sort_key",
]
