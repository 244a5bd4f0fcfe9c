"""Quảng Ích: one XML document per school; read with DTDs and entities refused.

The layout lives in ``connectors/profiles/quangich.toml``; this module only declares the source.
"""

from connectors.sources import Source

SOURCE = Source(
    name="quangich",
    label="Quảng Ích",
    formats=("xml",),
    reads=("roster", "transfers", "subject_results", "term_results"),
    has_api=False,
)
