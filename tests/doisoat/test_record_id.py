"""One recipe for a record id: the function the simulator uses and the expression the connectors
use give the same id, so a simulated record and an imported one are named alike."""

from __future__ import annotations

import polars as pl

from doisoat.model import record_id, record_id_expr


def test_the_function_and_the_expression_agree():
    frame = pl.DataFrame({"source": ["smas", "moet"], "snapshot_id": [7, 1],
                          "local_id": ["HS0001", "7912345678"]})
    by_column = frame.select(record_id_expr().alias("id"))["id"]
    expected = [record_id(r["source"], r["snapshot_id"], r["local_id"])
                for r in frame.iter_rows(named=True)]
    assert expected == ["smas:7:HS0001", "moet:1:7912345678"]
    assert by_column.to_list() == expected
    assert frame.select(record_id_expr(7).alias("id"))["id"].to_list()[0] == "smas:7:HS0001"
    renumbered = frame.select(record_id_expr(pl.col("snapshot_id") + 1).alias("id"))
    assert renumbered["id"].to_list() == ["smas:8:HS0001", "moet:2:7912345678"]
