"""Refresh of the materialized mart views after each publish (DESIGN §3: slow views are materialized).

Every materialized view in schema ``mart`` is refreshed CONCURRENTLY (each has a unique index), so dashboards
keep reading the previous contents while the refresh runs and switch to the new ones when it commits. The
views over the newest snapshot read ``core.score_snapshot``, so the DAG runs this step after publish_scores;
until it has run they show the previous snapshot.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db

__all__ = ["materialized_views", "refresh_materialized_views"]

log = logging.getLogger(__name__)


def materialized_views(engine: sa.Engine) -> list[str]:
    """The materialized views of schema ``mart``, by name (none reads another)."""
    with db.transaction(engine) as conn:
        rows = db.fetch_all(conn, "select matviewname from pg_matviews where schemaname = 'mart' order by 1")
    return [f"mart.{name}" for (name,) in rows]


def refresh_materialized_views(engine: sa.Engine) -> dict[str, float]:
    """Refresh every materialized mart view, each in its own transaction; returns seconds per view.

    The history views aggregate every retained snapshot: joins and aggregates of the snapshot facts run
    partition by partition (their partitions share bounds), which keeps each hash table one snapshot big.
    """
    seconds = {}
    for view in materialized_views(engine):
        started = time.perf_counter()
        with db.transaction(engine, bulk=True) as conn, conn.cursor() as cur:
            cur.execute("select set_config('enable_partitionwise_join', 'on', true), "
                        "set_config('enable_partitionwise_aggregate', 'on', true)")
            cur.execute(pgsql.SQL("refresh materialized view concurrently {}").format(
                pgsql.Identifier(*view.split("."))))
        seconds[view] = round(time.perf_counter() - started, 2)
    log.info("materialized views refreshed: %s", seconds)
    return seconds
