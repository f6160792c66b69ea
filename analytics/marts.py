"""Refresh of the materialized mart views after each publish (DESIGN §3: slow views are materialized).

Each is refreshed CONCURRENTLY (it has a unique index), so dashboards keep reading the previous contents
while the refresh runs and switch to the new ones when it commits.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db

__all__ = ["MATERIALIZED_VIEWS", "refresh_materialized_views"]

log = logging.getLogger(__name__)

MATERIALIZED_VIEWS = ("mart.vw_engagement_daily",)


def refresh_materialized_views(engine: sa.Engine) -> dict[str, float]:
    """Refresh every materialized mart view; returns seconds per view."""
    seconds = {}
    for view in MATERIALIZED_VIEWS:
        started = time.perf_counter()
        with db.transaction(engine, bulk=True) as conn, conn.cursor() as cur:
            cur.execute(pgsql.SQL("refresh materialized view concurrently {}").format(
                pgsql.Identifier(*view.split("."))))
        seconds[view] = round(time.perf_counter() - started, 2)
    log.info("materialized views refreshed: %s", seconds)
    return seconds
