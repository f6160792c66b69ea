"""Incremental build of ``stg`` and ``core`` from new raw loads, each step one transaction with its watermark.

``stage`` merges raw rows of loads past the stg watermark into the stg tables; ``build_core`` re-derives
dimensions, ``fact_order`` and ``fact_order_line`` for everything that changed past the core watermark.
A rerun with no new loads changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import sqlalchemy as sa

from analytics import db, lanes, pos_load, stg_merge

__all__ = ["pipeline_lock", "stage", "build_core"]

log = logging.getLogger(__name__)

_LOCK_KEY = 7_401_202_511  # one pipeline step at a time across DAGs and CLI runs
_DIMENSION_SQL = ("transform/core/01_dim_store.sql", "transform/core/02_customer_merge_map.sql",
                  "transform/core/03_dim_customer.sql", "transform/core/04_customer_pseudonym.sql")


@contextmanager
def pipeline_lock(engine: sa.Engine) -> Iterator[None]:
    """Serialise pipeline steps with a session advisory lock (daily and month-close runs may overlap)."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", (_LOCK_KEY,))
        raw.driver_connection.commit()
        yield
    finally:
        try:
            with raw.driver_connection.cursor() as cur:
                cur.execute("select pg_advisory_unlock(%s)", (_LOCK_KEY,))
            raw.driver_connection.commit()
        finally:
            raw.close()


def _watermark(conn, name: str) -> int:
    row = db.fetch_one(conn, "select state_value from core.build_state where state_name = %(n)s for update",
                       {"n": name})
    if row is None:
        raise RuntimeError(f"core.build_state has no {name!r}: run `analytics db upgrade`")
    return row[0]


def _set_watermark(conn, name: str, value: int) -> None:
    with conn.cursor() as cur:
        cur.execute("update core.build_state set state_value = %(v)s, updated_at = now() where state_name = %(n)s",
                    {"v": value, "n": name})


def stage(engine: sa.Engine) -> dict:
    """Merge raw rows of loads past the stg watermark into stg; returns the load range processed.

    The first load appends to empty tables with their indexes dropped and rebuilt once (an upsert checks
    the key row by row and is several times slower); later loads merge. The order lines are staged on a
    second connection in parallel and committed just before this transaction moves the watermark; if
    this transaction then fails, the rerun stages the same loads again, which changes nothing.
    """
    with db.transaction(engine, bulk=True) as conn:
        start = _watermark(conn, "stg_load_watermark")
        end = db.fetch_one(conn, "select coalesce(max(load_id), 0) from audit.file_load")[0]
        if end > start:
            params = {"from_load": start, "to_load": end}
            main_lane, second_lane = stg_merge.STG_LANES
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stage") as pool:
                second = pool.submit(_stage_in_own_transaction, engine, second_lane, params)
                db.run_sql(conn, "transform/stg/reference.sql", params)
                _stage_groups(conn, main_lane, params)
                second.result()
            pos = pos_load.stage_pos_log(engine, conn, start, end)
            _set_watermark(conn, "stg_load_watermark", end)
            log.info("stage: loads (%s, %s] %s", start, end, pos)
            return {"from_load": start, "to_load": end, **pos}
    return {"from_load": start, "to_load": end}


def _stage_in_own_transaction(engine: sa.Engine, groups: tuple[stg_merge.StgGroup, ...], params: dict) -> None:
    with db.transaction(engine, bulk=True) as conn:
        _stage_groups(conn, groups, params)


def _stage_groups(conn, groups: tuple[stg_merge.StgGroup, ...], params: dict) -> None:
    """Fill (first load) or merge (later loads) the groups' stg tables from their incoming views.

    On the first load (``from_load`` 0) the tables are empty: truncating them in this transaction lets
    a server with wal_level=minimal skip WAL, and keys and indexes are built once at the end.
    """
    db.run_sql(conn, "transform/stg/incoming.sql", params)
    tables = [table for group_tables, _ in groups for table in group_tables]
    if params["from_load"] == 0:
        with conn.cursor() as cur:
            cur.execute("truncate " + ", ".join(f"stg.{t}" for t in tables))
        for table in tables:
            with db.indexes_deferred(conn, f"stg.{table}"):
                db.append_from(conn, f"tmp_incoming_{table}", f"stg.{table}")
    else:
        stg_merge.merge_groups(conn, groups, params, "tmp_incoming_")
    with conn.cursor() as cur:
        cur.execute("; ".join(f"analyze stg.{t}" for t in tables))


def build_core(engine: sa.Engine, run_id: str) -> dict:
    """Re-derive core dimensions and order facts for everything changed past the core watermark."""
    with db.transaction(engine, bulk=True) as conn:
        start = _watermark(conn, "core_load_watermark")
        end = _watermark(conn, "stg_load_watermark")
        if end <= start:
            log.info("core: nothing staged past load %s", start)
            return {"from_load": start, "to_load": end, "orders_changed": 0, "products_flagged": 0}
        params = {"watermark": start, "run_id": run_id}
        if start == 0:
            changed = _first_core_build(engine, conn, params)
        else:
            for path in _DIMENSION_SQL:
                db.run_sql(conn, path, params)
            db.run_sql(conn, "transform/core/orders/changed_orders.sql", params)
            db.run_sql(conn, "transform/core/orders/customer_resolution.sql")
            db.run_sql(conn, "transform/core/orders/fact_order_rows.sql",
                       identifiers={"orders": "tmp_changed_stg_orders"})
            db.run_sql(conn, "transform/core/orders/order_pending.sql",
                       identifiers={"orders": "tmp_changed_stg_orders"})
            db.run_sql(conn, "transform/core/orders/apply_changes.sql", params)
            db.run_sql(conn, "transform/core/orders/fact_order_line_rows.sql",
                       identifiers={"items": "tmp_changed_stg_items", "orders": "tmp_fact_order"})
            db.run_sql(conn, "transform/core/orders/apply_line_changes.sql")
            changed = db.fetch_one(conn, "select count(*) from tmp_changed_order")[0]
        products = pos_load.refresh_products(engine, conn, start, end)
        with conn.cursor() as cur:
            cur.execute("analyze core.fact_order; analyze core.dim_customer")
        _set_watermark(conn, "core_load_watermark", end)
    log.info("core: loads (%s, %s], %s orders re-derived", start, end, changed)
    return {"from_load": start, "to_load": end, "orders_changed": changed, "products_flagged": products}


def _first_core_build(engine: sa.Engine, conn, params: dict) -> int:
    """The first build: every staged order into the empty facts, split by order id into lanes
    (``analytics.lanes``) that run on their own connections side by side.

    Each step commits before the next starts, because the next one's connections must see its rows: the
    dimensions (idempotent upserts); then the emptied facts with their keys and indexes dropped (their
    definitions kept in core.deferred_index); then the orders of every lane; the orders' key, which the
    lines read through; the lines of every lane; the lines' keys and indexes. If any step fails the
    watermark stays at 0 and the rerun starts over from the top, restoring any index still deferred.
    Lines are derived from their orders' rows in core.fact_order, so an order and its lines always share
    the local date and rate.
    """
    with db.transaction(engine, bulk=True) as dims:
        for path in _DIMENSION_SQL:
            db.run_sql(dims, path, params)
        with dims.cursor() as cur:
            # The lanes' plans depend on the dimensions' sizes, which were empty at their last analysis.
            cur.execute("analyze core.dim_customer, core.customer_merge_map, core.dim_store")
    with db.transaction(engine) as prep:
        with prep.cursor() as cur:
            cur.execute("truncate core.fact_order, core.fact_order_line")
        db.drop_indexes(prep, "core.fact_order")
        db.drop_indexes(prep, "core.fact_order_line")
    ranges = lanes.key_ranges(conn, "stg.oms_orders", "order_id")
    orders = sum(lanes.run_in_lanes(engine, ranges, _build_orders_lane))
    with db.transaction(engine, bulk=True) as keys:
        db.restore_indexes(keys, "core.fact_order")
    lanes.run_in_lanes(engine, ranges, _build_lines_lane)
    with db.transaction(engine, bulk=True) as keys:
        db.restore_indexes(keys, "core.fact_order_line")
    db.run_sql(conn, "transform/core/orders/order_pending.sql", identifiers={"orders": "stg.oms_orders"})
    return orders


def _lane_sources(conn, lane: lanes.KeyRange) -> None:
    """The lane's staged orders, staged lines and built orders (tmp_lane_orders, _items, _fact_orders)."""
    lanes.lane_views(conn, lane, "order_id", {"tmp_lane_orders": "stg.oms_orders",
                                              "tmp_lane_items": "stg.oms_order_items",
                                              "tmp_lane_fact_orders": "core.fact_order"})


def _build_orders_lane(engine: sa.Engine, lane: lanes.KeyRange) -> int:
    with db.transaction(engine, bulk=True) as conn:
        with conn.cursor() as cur:
            # Every join of the orders statement is a hash join over all the lane's orders: the default
            # price of random reads keeps the planner from probing indexes per order.
            cur.execute("set local random_page_cost = 4")
        _lane_sources(conn, lane)
        db.run_sql(conn, "transform/core/orders/customer_resolution.sql")
        db.run_sql(conn, "transform/core/orders/fact_order_rows.sql", identifiers={"orders": "tmp_lane_orders"})
        return db.run_sql(conn, "transform/core/orders/first_build_orders.sql")


def _build_lines_lane(engine: sa.Engine, lane: lanes.KeyRange) -> int:
    with db.transaction(engine, bulk=True) as conn:
        with conn.cursor() as cur:
            # The lines meet their orders in a merge join through both primary keys (the staged lines and the
            # orders lie in key order); a hash of millions of orders is what must not happen.
            cur.execute("set local enable_hashjoin = off")
        _lane_sources(conn, lane)
        db.run_sql(conn, "transform/core/orders/fact_order_line_rows.sql",
                   identifiers={"items": "tmp_lane_items", "orders": "tmp_lane_fact_orders"})
        return db.run_sql(conn, "transform/core/orders/first_build_lines.sql")
