"""Incremental build of ``stg`` and ``core`` from new raw loads, each step one transaction with its watermark.

``stage`` merges raw rows of loads past the stg watermark into the stg tables; ``build_core`` re-derives
dimensions, ``fact_order`` and ``fact_order_line`` for everything that changed past the core watermark.
A rerun with no new loads changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import sqlalchemy as sa

from analytics import db

__all__ = ["pipeline_lock", "stage", "build_core"]

log = logging.getLogger(__name__)

_LOCK_KEY = 7_401_202_511  # one pipeline step at a time across DAGs and CLI runs
_STG_MERGE_SQL = ("transform/stg/crm_customers.sql", "transform/stg/oms_orders.sql",
                  "transform/stg/oms_order_items.sql")
# Each has a view tmp_incoming_<table> (incoming.sql) with the table's columns.
_STG_INCOMING = ("crm_customers", "crm_customer_versions", "oms_orders", "oms_order_items")
_CORE_SQL = ("transform/core/01_dim_store.sql", "transform/core/02_customer_merge_map.sql",
             "transform/core/03_dim_customer.sql", "transform/core/04_fact_order.sql")


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
    the key row by row and is several times slower); later loads merge.
    """
    with db.transaction(engine, bulk=True) as conn:
        start = _watermark(conn, "stg_load_watermark")
        end = db.fetch_one(conn, "select coalesce(max(load_id), 0) from audit.file_load")[0]
        if end > start:
            params = {"from_load": start, "to_load": end}
            db.run_sql(conn, "transform/stg/reference.sql", params)
            db.run_sql(conn, "transform/stg/incoming.sql", params)
            if start == 0:
                _append_first_load(conn)
            else:
                for path in _STG_MERGE_SQL:
                    db.run_sql(conn, path, params)
            with conn.cursor() as cur:
                cur.execute("analyze stg.oms_orders; analyze stg.oms_order_items; analyze stg.crm_customers")
            _set_watermark(conn, "stg_load_watermark", end)
    log.info("stage: loads (%s, %s]", start, end)
    return {"from_load": start, "to_load": end}


def _append_first_load(conn) -> None:
    """Fill the empty stg tables from their incoming views. Truncating them in this transaction lets a
    server with wal_level=minimal skip WAL for the load; keys and indexes are built once at the end."""
    with conn.cursor() as cur:
        cur.execute("truncate " + ", ".join(f"stg.{t}" for t in _STG_INCOMING))
    for table in _STG_INCOMING:
        with db.indexes_deferred(conn, f"stg.{table}"):
            db.append_from(conn, f"tmp_incoming_{table}", f"stg.{table}")


def build_core(engine: sa.Engine, run_id: str) -> dict:
    """Re-derive core dimensions and order facts for everything changed past the core watermark."""
    with db.transaction(engine, bulk=True) as conn:
        start = _watermark(conn, "core_load_watermark")
        end = _watermark(conn, "stg_load_watermark")
        changed = 0
        if end > start:
            params = {"watermark": start, "run_id": run_id}
            with ExitStack() as bulk:
                if start == 0:
                    # First build: the facts are empty. Truncating them in this transaction lets a server
                    # with wal_level=minimal skip WAL for the load; indexes are built once at the end.
                    with conn.cursor() as cur:
                        cur.execute("truncate core.fact_order, core.fact_order_line")
                    for table in ("core.fact_order", "core.fact_order_line"):
                        bulk.enter_context(db.indexes_deferred(conn, table))
                for path in _CORE_SQL:
                    db.run_sql(conn, path, params)
            changed = db.fetch_one(conn, "select count(*) from tmp_changed_order")[0]
            with conn.cursor() as cur:
                cur.execute("analyze core.fact_order; analyze core.dim_customer")
            _set_watermark(conn, "core_load_watermark", end)
    log.info("core: loads (%s, %s], %s orders re-derived", start, end, changed)
    return {"from_load": start, "to_load": end, "orders_changed": changed}
