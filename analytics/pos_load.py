"""Warehouse side of POS logs (DESIGN §2, §5): classify the new raw lines, stage them, adapt them into the
OMS/CRM staging tables, and keep the data-loss report and the product price flags.

Runs inside the stage step: raw rows of the loads being staged are read with one COPY, classified by
``analytics.pos.cleaning`` against the reference tables in ``core.ref_pos_*`` (the seeds, as users have
extended them), written to ``stg.pos_transactions`` (the latest delivery of each invoice replaces the
earlier one) and merged into ``stg.oms_orders``, ``stg.oms_order_items``, ``stg.crm_customers`` and
``stg.pos_stores`` by ``sql/transform/stg/pos_incoming.sql`` and the usual merges, so every downstream
fact, scorer and view works on them unchanged. ``audit.cleaning_summary`` accounts for every classified
line per load. Product price flags (``core.dim_product``) are refreshed in the core step.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pandas as pd
import sqlalchemy as sa

from analytics import db, snapshots, stg_merge

__all__ = ["pos_settings", "stage_pos_log", "refresh_products"]

log = logging.getLogger(__name__)

_RAW_TO_LOG = {"invoice_no": "InvoiceNo", "stock_code": "StockCode", "description": "Description",
               "quantity": "Quantity", "invoice_ts": "InvoiceDate", "unit_price": "UnitPrice",
               "customer_id": "CustomerID", "country": "Country"}
_STG_COLUMNS = ("invoice_no", "line_seq", "stock_code", "description", "quantity", "invoice_ts", "unit_price",
                "customer_id_nat", "country_name", "iso_code", "invoice_kind", "line_net", "category", "rule_id",
                "ingestion_date", "load_id", "source_line", "changed_load_id")


def pos_settings() -> dict[str, str]:
    """The log's time zone (``ANALYTICS_POS_TIMEZONE``, default UTC) and currency (``ANALYTICS_POS_CURRENCY``,
    default GBP: converted to AED through fx_rates.csv)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from analytics.contract import CURRENCIES

    timezone = os.environ.get("ANALYTICS_POS_TIMEZONE", "UTC").strip()
    currency = os.environ.get("ANALYTICS_POS_CURRENCY", "GBP").strip().upper()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"ANALYTICS_POS_TIMEZONE is not a time zone name: {timezone!r}") from exc
    if currency not in CURRENCIES:
        raise ValueError(f"ANALYTICS_POS_CURRENCY must be one of {', '.join(CURRENCIES)}, got {currency!r}")
    return {"timezone": timezone, "currency": currency}


def _reference_tables(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    return {
        "categories": snapshots.read_frame(engine, "select category, sort_order, feeds_customer_metrics, "
                                                   "feeds_returns, description, version from core.ref_pos_category "
                                                   "order by sort_order"),
        "rules": snapshots.read_frame(engine, "select rule_id, priority, category, field, match, pattern, "
                                              "case_sensitive, and_field, and_match, and_pattern, description, "
                                              "version from core.ref_pos_cleaning_rule order by priority"),
        "countries": snapshots.read_frame(engine, "select source_country, country_name, iso_code, excluded, version "
                                                  "from core.ref_pos_country_map order by source_country"),
    }


def stage_pos_log(engine: sa.Engine, conn: Any, from_load: int, to_load: int) -> dict[str, int]:
    """Classify, stage and adapt the POS lines of loads (from_load, to_load] in ``conn``'s transaction."""
    from analytics.pos.cleaning import classify

    raw = snapshots.read_frame(engine, """
        select r.*, fl.ingestion_date from raw.pos_transactions as r
        inner join audit.file_load as fl on r.load_id = fl.load_id
        where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
        order by r.load_id, r.source_line""", {"from_load": from_load, "to_load": to_load})
    if raw.empty:
        return {"pos_lines": 0}
    references = _reference_tables(engine)
    for column in ("description", "customer_id", "country"):
        raw[column] = raw[column].fillna("")
    classified = classify(raw.rename(columns=_RAW_TO_LOG), references["rules"], references["countries"],
                          references["categories"]).rename(columns={v: k for k, v in _RAW_TO_LOG.items()})
    _write_summary(conn, classified, references["categories"])

    # The latest delivery of an invoice replaces its earlier lines (ingestion date, then load).
    latest = classified.groupby("invoice_no")[["ingestion_date", "load_id"]].transform("max")
    current = classified[(classified["ingestion_date"] == latest["ingestion_date"])
                         & (classified["load_id"] == latest["load_id"])].copy()
    current["line_seq"] = current.groupby("invoice_no").cumcount() + 1
    current["changed_load_id"] = current["load_id"]
    for column in ("description", "customer_id_nat", "country_name", "iso_code"):
        current[column] = current[column].replace("", None)
    with conn.cursor() as cur:
        cur.execute("create temporary table tmp_pos_staged (like stg.pos_transactions) on commit drop")
    frame = current[list(_STG_COLUMNS)].astype({"category": str, "rule_id": str, "invoice_kind": str})
    db.copy_frame(conn, "tmp_pos_staged", frame)
    with conn.cursor() as cur:
        cur.execute("delete from stg.pos_transactions as s using (select distinct invoice_no from tmp_pos_staged) "
                    "as t where s.invoice_no = t.invoice_no")
        cur.execute("insert into stg.pos_transactions select * from tmp_pos_staged")
    db.run_sql(conn, "transform/stg/pos_incoming.sql", {"from_load": from_load, "to_load": to_load, **pos_settings()})
    stg_merge.merge_groups(conn, stg_merge.POS_GROUPS, {}, "tmp_pos_incoming_")
    log.info("POS log: %s lines classified, %s invoices staged", len(classified), current["invoice_no"].nunique())
    return {"pos_lines": len(classified), "pos_invoices": int(current["invoice_no"].nunique())}


def _write_summary(conn: Any, classified: pd.DataFrame, categories: pd.DataFrame) -> None:
    """``audit.cleaning_summary``: rows and revenue per load and category (replacing a rerun's rows)."""
    summary = (classified.assign(category=classified["category"].astype(str))
               .groupby(["load_id", "category"], as_index=False)
               .agg(rows_count=("line_net", "size"), revenue=("line_net", "sum")))
    flags = categories.set_index("category")[["feeds_customer_metrics", "feeds_returns"]]
    summary = summary.join(flags, on="category")
    summary["revenue"] = summary["revenue"].round(2)
    with conn.cursor() as cur:
        cur.execute("delete from audit.cleaning_summary where load_id = any(%(loads)s)",
                    {"loads": [int(v) for v in summary["load_id"].unique()]})
    db.copy_frame(conn, "audit.cleaning_summary", summary)


def refresh_products(engine: sa.Engine, conn: Any, watermark: int, to_load: int) -> int:
    """Re-flag the price behaviour (``core.dim_product``) of every SKU with lines staged after ``watermark``,
    from its whole history in ``stg.pos_transactions``."""
    from analytics.pos.price_consistency import flag_prices

    history = snapshots.read_frame(engine, """
        select stock_code, description, unit_price, invoice_ts, category from stg.pos_transactions
        where stock_code in (select stock_code from stg.pos_transactions where changed_load_id > %(w)s)""",
                                   {"w": watermark})
    if history.empty:
        return 0
    flags = flag_prices(history.rename(columns={"stock_code": "StockCode", "description": "Description",
                                                "unit_price": "UnitPrice", "invoice_ts": "InvoiceDate"}))
    flags = flags.astype({"price_flag": str})
    flags["updated_load_id"] = to_load
    columns = ["stock_code", "description", "distinct_prices", "min_price", "max_price", "first_sold", "last_sold",
               "price_changes", "price_flag", "updated_load_id"]
    with conn.cursor() as cur:
        cur.execute("create temporary table tmp_products (like core.dim_product) on commit drop")
    db.copy_frame(conn, "tmp_products", flags[columns])
    with conn.cursor() as cur:
        cur.execute("delete from core.dim_product as p using tmp_products as t where p.stock_code = t.stock_code")
        cur.execute("insert into core.dim_product select * from tmp_products")
    return len(flags)
