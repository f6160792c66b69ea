"""The stg tables that are merged from incoming views, and the merge itself.

Each group is (stg tables, the SQL file that merges them). Loads of the extract files read views named
``tmp_incoming_<table>`` (incoming.sql); POS logs, adapted into customers, orders and lines,
``tmp_pos_incoming_<table>`` (pos_incoming.sql). The merge files take the view names as identifiers, so
both sources share one merge per table.
"""

from __future__ import annotations

from typing import Any

from analytics import db

__all__ = ["StgGroup", "STG_LANES", "POS_GROUPS", "merge_groups"]

StgGroup = tuple[tuple[str, ...], str]
_CUSTOMERS: StgGroup = (("crm_customers", "crm_customer_versions"), "transform/stg/crm_customers.sql")
_ORDERS: StgGroup = (("oms_orders",), "transform/stg/oms_orders.sql")
_ORDER_LINES: StgGroup = (("oms_order_items",), "transform/stg/oms_order_items.sql")
_MARKETING: StgGroup = (("mkt_campaigns", "mkt_spend", "mkt_touchpoints"), "transform/stg/marketing.sql")
# Two lanes of about equal work, staged in parallel on two connections on a load from raw.
STG_LANES: tuple[tuple[StgGroup, ...], ...] = ((_CUSTOMERS, _ORDERS), (_ORDER_LINES, _MARKETING))
# What a POS log is adapted into (pos_incoming.sql).
POS_GROUPS: tuple[StgGroup, ...] = (_CUSTOMERS, _ORDERS, _ORDER_LINES)


def merge_groups(conn: Any, groups: tuple[StgGroup, ...], params: dict, view_prefix: str) -> None:
    """Merge the incoming views ``<view_prefix><table>`` of the groups' tables into stg."""
    views = {table: view_prefix + table for lane in STG_LANES for tables, _ in lane for table in tables}
    for _, merge_sql in groups:
        db.run_sql(conn, merge_sql, params, views)
