"""The stg tables that are merged from incoming views, and the merge itself.

Each group is (stg tables, the SQL file that merges them). The OMS/CRM loads read views named
``tmp_incoming_<table>`` (incoming.sql), POS logs ``tmp_pos_incoming_<table>`` (pos_incoming.sql); the
merge files take the view names as identifiers, so both sources share one merge per table.
"""

from __future__ import annotations

from typing import Any

from analytics import db

__all__ = ["StgGroup", "STG_LANES", "ALL_GROUPS", "merge_groups"]

StgGroup = tuple[tuple[str, ...], str]
# Two lanes of about equal work, staged in parallel on two connections on a load from raw.
STG_LANES: tuple[tuple[StgGroup, ...], ...] = (
    ((("crm_customers", "crm_customer_versions"), "transform/stg/crm_customers.sql"),
     (("oms_orders",), "transform/stg/oms_orders.sql")),
    ((("oms_order_items",), "transform/stg/oms_order_items.sql"),),
)
ALL_GROUPS: tuple[StgGroup, ...] = tuple(group for lane in STG_LANES for group in lane)


def merge_groups(conn: Any, groups: tuple[StgGroup, ...], params: dict, view_prefix: str) -> None:
    """Merge the incoming views ``<view_prefix><table>`` of the groups' tables into stg."""
    views = {table: view_prefix + table for tables, _ in ALL_GROUPS for table in tables}
    for _, merge_sql in groups:
        db.run_sql(conn, merge_sql, params, views)
