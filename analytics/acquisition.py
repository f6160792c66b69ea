"""The acquisition step: campaign dimension, leads, customer acquisition and campaign performance.

Runs after ``core`` and rebuilds, in one transaction and set-based in SQL (``sql/transform/acquisition``),
``core.dim_campaign``, ``core.fact_lead``, ``core.fact_customer_acquisition`` and
``core.fact_campaign_performance`` as of the run's date: everything later than that date is ignored, so a
rerun of a date gives the same rows. Readers see the previous facts until the commit.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date

import sqlalchemy as sa

from analytics import db

__all__ = ["DEFAULT_ATTRIBUTION_WINDOW_DAYS", "attribution_window_days", "build_acquisition"]

log = logging.getLogger(__name__)

DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7
_MAX_WINDOW_DAYS = 90
_SQL = (
    "transform/acquisition/01_dim_campaign.sql",
    "transform/acquisition/02_inputs.sql",
    "transform/acquisition/03_fact_lead.sql",
    "transform/acquisition/04_fact_customer_acquisition.sql",
    "transform/acquisition/05_fact_campaign_performance.sql",
)
_COUNTED = ("dim_campaign", "fact_lead", "fact_customer_acquisition", "fact_campaign_performance")


def attribution_window_days() -> int:
    """Days after a campaign touch in which an order is attributed to it (``ANALYTICS_ATTRIBUTION_WINDOW_DAYS``)."""
    raw = os.environ.get("ANALYTICS_ATTRIBUTION_WINDOW_DAYS", str(DEFAULT_ATTRIBUTION_WINDOW_DAYS)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_WINDOW_DAYS:
        raise ValueError(f"ANALYTICS_ATTRIBUTION_WINDOW_DAYS must be a whole number of days from 1 to "
                         f"{_MAX_WINDOW_DAYS}, got {raw!r}")
    return int(raw)


def build_acquisition(engine: sa.Engine, as_of: date, window_days: int | None = None) -> dict:
    """Rebuild the campaign dimension and the acquisition facts as of ``as_of``; returns row counts."""
    window = attribution_window_days() if window_days is None else window_days
    if not 1 <= window <= _MAX_WINDOW_DAYS:
        raise ValueError(f"attribution window must be 1 to {_MAX_WINDOW_DAYS} days, got {window}")
    started = time.perf_counter()
    params = {"as_of": as_of, "window_days": window}
    with db.transaction(engine, bulk=True) as conn:
        for path in _SQL:
            db.run_sql(conn, path, params)
        counts = {table: db.fetch_one(conn, f"select count(*) from core.{table}")[0] for table in _COUNTED}
    seconds = round(time.perf_counter() - started, 2)
    log.info("acquisition as of %s (window %s days): %s in %.2fs", as_of, window, counts, seconds)
    return {"as_of": as_of.isoformat(), "attribution_window_days": window, **counts, "seconds": seconds}
