"""CSDL ngành (Bộ GD&ĐT): the registry's student list (.xlsx/.xls, header on row 4–5) and its web
service with cursors.

The layout lives in ``connectors/profiles/moet.toml``; this module only declares the source.
"""

from connectors.sources import Source

SOURCE = Source(
    name="moet",
    label="CSDL ngành (Bộ GD&ĐT)",
    formats=("xlsx", "xls"),
    reads=("roster", "transfers"),
    has_api=True,
)
