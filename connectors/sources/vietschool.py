"""Vietschool: CSV files in Windows-1258, UTF-8/16 or a legacy font (TCVN3, VNI); roster and long
grades in separate files.

The layout lives in ``connectors/profiles/vietschool.toml``; this module only declares the source.
"""

from connectors.sources import Source

SOURCE = Source(
    name="vietschool",
    label="Vietschool",
    formats=("csv",),
    reads=("roster", "transfers", "subject_results"),
    has_api=False,
)
