"""SMAS (Viettel): .xlsx per school: a roster sheet per class, wide grade sheets (subject over
TX/GK/CK/TBm), transfer sheets; web API with page numbers.

The layout lives in ``connectors/profiles/smas.toml``; this module only declares the source.
"""

from connectors.sources import Source

SOURCE = Source(
    name="smas",
    label="SMAS (Viettel)",
    formats=("xlsx",),
    reads=("roster", "transfers", "subject_results", "term_results"),
    has_api=True,
)
