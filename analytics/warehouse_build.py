"""Incremental build of ``stg`` and ``core`` from new raw loads, each step one transaction with its watermark.

``stage`` merges raw rows of loads past the stg watermark into the stg tables; ``build_core`` re-derives
dimensions, ``fact_order`` and ``fact_order_line`` for everything that changed past the core watermark.
A rerun with no new loads changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import sqlalchemy as sa

from analytics import db, pos_load, stg_merge

__all__ = ["pipeline_lock", "stage", "build_core"]

log = logging.getLogger(__name__)

_LOCK_KEY = 7_401_202_511  # one pipeline step at a time across DAGs and CLI runs
_CORE_SQL = ("transform/core/01_dim_store.sql", "transform/core/02_customer_merge_map.sql",
             "transform/core/03_dim_customer.sql", "transform/core/04_fact_order.sql",
             "transform/core/05_customer_pseudonym.sql")


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
        changed = products = 0
        if end > start:
            params = {"watermark": start, "run_id": run_id}
            with ExitStack() as bulk:
                if start == 0:
                    # First build: the facts are empty. Truncating them in this transaction lets a server
                    # with wal_level=minimal skip WAL for the load; indexes are built once at the end. Its
                    # joins over every order are hash joins: back to the default price of random reads.
                    with conn.cursor() as cur:
                        cur.execute("truncate core.fact_order, core.fact_order_line")
                        cur.execute("set local random_page_cost = 4")
                    for table in ("core.fact_order", "core.fact_order_line"):
                        bulk.enter_context(db.indexes_deferred(conn, table))
                for path in _CORE_SQL:
                    db.run_sql(conn, path, params)
            products = pos_load.refresh_products(engine, conn, start, end)
            changed = db.fetch_one(conn, "select count(*) from tmp_changed_order")[0]
            with conn.cursor() as cur:
                cur.execute("analyze core.fact_order; analyze core.dim_customer")
            _set_watermark(conn, "core_load_watermark", end)
    log.info("core: loads (%s, %s], %s orders re-derived", start, end, changed)
    return {"from_load": start, "to_load": end, "orders_changed": changed, "products_flagged": products}
