"""vnEdu (VNPT): legacy .xls per school: title rows, merged two-row header (Họ và tên over Họ đệm /
Tên), long grade sheets; web API with offsets.

The layout lives in ``connectors/profiles/vnedu.toml``; this module only declares the source.
"""

from connectors.sources import Source

SOURCE = Source(
    name="vnedu",
    label="vnEdu (VNPT)",
    formats=("xls", "xlsx"),
    reads=("roster", "transfers", "subject_results"),
    has_api=True,
)
