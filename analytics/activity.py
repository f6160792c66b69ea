"""Build and publish ``core.fact_customer_monthly_activity`` for the open months (DESIGN §4).

A build takes every month that is not frozen, from the first month with data through the as-of month
(or an explicit list, for a month close or a restatement), computes all their rows into a partitioned
stage table, checks them (``analytics.dq``), and swaps the stage partitions into the fact in the same
transaction as the month x region summary. Readers see the old months until that commit, then the
new ones; a failed check publishes nothing and leaves the published months as they were.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db, dq, lanes, partitions

__all__ = ["BuildResult", "open_months", "build_activity", "month_start", "add_months"]

log = logging.getLogger(__name__)

FACT = "fact_customer_monthly_activity"
STAGE = "fact_customer_monthly_activity_stage"
# A build's inputs, shared by its lanes (unlogged: they are rebuilt whenever a build starts).
BUILD_TABLES = ("activity_build_sparse", "activity_build_active", "activity_build_customer")


@dataclass(frozen=True)
class BuildResult:
    as_of: date
    months: list[date]
    rows: int
    seconds: float

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "months": [m.isoformat() for m in self.months],
                "rows": self.rows, "seconds": round(self.seconds, 2)}


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def frozen_months(conn) -> set[date]:
    return {row[0] for row in db.fetch_all(conn, "select distinct month_key from audit.month_freeze")}


def open_months(conn, as_of: date) -> list[date]:
    """Months not frozen, from the first month with an order through the month of ``as_of``."""
    frozen = frozen_months(conn)
    first = _first_order_month(conn, as_of, min(frozen) if frozen else None)
    if first is None:
        return []
    return [m for m in _months_between(first, month_start(as_of)) if m not in frozen]


def _first_order_month(conn, as_of: date, first_frozen: date | None) -> date | None:
    """The first month with an order dated through ``as_of``. Looked for up to the first frozen month first,
    where it nearly always is: the month index (BRIN) then reads those months only, not all 15M orders."""
    query = "select min(month_key) from core.fact_order where local_date <= %(d)s"
    if first_frozen is not None:
        row = db.fetch_one(conn, query + " and month_key <= %(f)s", {"d": as_of, "f": first_frozen})
        if row and row[0] is not None:
            return row[0]
    row = db.fetch_one(conn, query, {"d": as_of})
    return row[0] if row else None


def history_sql(conn, months: list[date]) -> str:
    """How a build reads the customers' frozen history: from the per-customer summary, unless a frozen
    month lies inside the range being built (a restatement of an older month), which needs the
    month-by-month scan of the frozen partitions."""
    if all(month < months[0] for month in frozen_months(conn)):
        return "transform/activity/history_from_summary.sql"
    return "transform/activity/history_from_scan.sql"


def _partition_name(month: date) -> str:
    return f"{FACT}_p{month:%Y%m}"


def _month_bounds(month: date) -> tuple[date, date]:
    return month, add_months(month, 1)


def _create_stage(cur, months: list[date]) -> None:
    """A partitioned stage table with one partition per month, so one INSERT fills all months."""
    cur.execute(pgsql.SQL("drop table if exists core.{} cascade").format(pgsql.Identifier(STAGE)))
    cur.execute(pgsql.SQL("create table core.{} (like core.{} including defaults) partition by range (month_key)")
                .format(pgsql.Identifier(STAGE), pgsql.Identifier(FACT)))
    for month in months:
        cur.execute(pgsql.SQL("create table core.{} partition of core.{} for values from (%s) to (%s)").format(
            pgsql.Identifier(_partition_name(month) + "_stage"), pgsql.Identifier(STAGE)), _month_bounds(month))


def _seal_stage_month(engine: sa.Engine, month: date) -> None:
    """Key and bounds of one month's stage partition, so that swapping it in needs no scan."""
    with db.transaction(engine, bulk=True) as conn, conn.cursor() as cur:
        partitions.seal_stage(cur, "core", _partition_name(month) + "_stage", ("customer_id_nat", "month_key"),
                              "month_key", _month_bounds(month))


def _swap(cur, months: list[date], attached: set[str]) -> None:
    """Replace each month's published partition with its stage partition."""
    for month in months:
        staged = _partition_name(month) + "_stage"
        cur.execute(pgsql.SQL("alter table core.{} detach partition core.{}").format(
            pgsql.Identifier(STAGE), pgsql.Identifier(staged)))
        partitions.swap_in(cur, "core", FACT, staged, _partition_name(month), _month_bounds(month), attached)
    cur.execute(pgsql.SQL("drop table core.{}").format(pgsql.Identifier(STAGE)))


def build_activity(engine: sa.Engine, as_of: date, run_id: str, months: list[date] | None = None) -> BuildResult:
    """Rebuild the given (default: all open) months through ``as_of`` and publish them atomically.

    Steps, each committed before the next: the inputs (the qualified orders grouped per customer x month x
    region, and the customers' history) into unlogged build tables, with an empty partitioned stage table;
    the dense rows into the stage, in customer-id lanes of about equal work (``analytics.lanes``) on one
    connection per core; the controls on the stage, side by side; each stage partition's key and bounds;
    then, in one transaction, the region summary and the stage partitions swapped in. Readers see the
    published months until that commit. A failed control raises :class:`analytics.dq.DataQualityError` and
    publishes nothing; a rerun starts again from the inputs.
    """
    started = time.perf_counter()
    with db.transaction(engine, bulk=True) as conn:
        build_months = sorted(months) if months is not None else open_months(conn, as_of)
        build_months = [m for m in build_months if m <= month_start(as_of)]
        if not build_months:
            log.info("activity: nothing to build through %s", as_of)
            return BuildResult(as_of, [], 0, time.perf_counter() - started)
        params = {"open_months": build_months, "first_open_month": build_months[0],
                  "as_of_month": month_start(as_of), "as_of": as_of}
        with conn.cursor() as cur:
            _create_stage(cur, build_months)
        db.run_sql(conn, "transform/activity/01_inputs.sql", params)
        db.run_sql(conn, history_sql(conn, build_months), params)
        ranges = _customer_ranges(conn, params)
    rows = sum(lanes.run_in_lanes(engine, ranges, lambda eng, lane: _build_lane(eng, params, lane)))
    dq.check_activity_stage(engine, run_id, f"core.{STAGE}", build_months, as_of)
    lanes.run_in_lanes(engine, build_months, _seal_stage_month)
    with db.transaction(engine, bulk=True) as conn:
        db.run_sql(conn, "transform/activity/03_region_summary.sql", params, {"stage": f"core.{STAGE}"})
        attached = partitions.attached_partitions(conn, "core", FACT)
        with conn.cursor() as cur:
            cur.execute("set local lock_timeout = '60s'")
            _swap(cur, build_months, attached)
            cur.execute("delete from core.agg_activity_month_region where month_key = any(%(m)s::date[])",
                        {"m": build_months})
            cur.execute("insert into core.agg_activity_month_region select month_key, region, active_customers, "
                        "new_customers, repeat_customers, orders_count, total_net_amount_aed, as_of_date "
                        "from tmp_region_summary")
            cur.execute("drop table " + ", ".join(f"core.{t}" for t in BUILD_TABLES))
    result = BuildResult(as_of, build_months, rows, time.perf_counter() - started)
    log.info("activity built: %s", result.as_dict())
    return result


_CUT_SAMPLE = 100_000  # customers sampled to place the lane cuts


def _customer_ranges(conn, params: dict) -> list[lanes.KeyRange]:
    """Customer-id ranges of about equal dense-row counts, one per lane (lane_cuts.sql)."""
    count = lanes.lane_count()
    if count < 2:
        return lanes.ranges_from_cuts([])
    (customers,) = db.fetch_one(conn, "select greatest(reltuples, 1) from pg_class "
                                      "where oid = 'core.activity_build_customer'::regclass")
    sample_percent = min(100.0, 100.0 * _CUT_SAMPLE / customers)
    cuts = db.fetch_all(conn, db.load_sql("transform/activity/lane_cuts.sql"),
                        {**params, "lanes": count, "sample_percent": sample_percent})
    return lanes.ranges_from_cuts([cut for (cut,) in cuts])


def _build_lane(engine: sa.Engine, params: dict, lane: lanes.KeyRange) -> int:
    """The stage rows of the customers in the lane's range, in the lane's own transaction."""
    with db.transaction(engine, bulk=True) as conn:
        lanes.lane_views(conn, lane, "customer_id_nat", {"tmp_lane_customer": "core.activity_build_customer",
                                                         "tmp_lane_active": "core.activity_build_active",
                                                         "tmp_lane_sparse": "core.activity_build_sparse",
                                                         "tmp_lane_dim_customer": "core.dim_customer"})
        return db.run_sql(conn, "transform/activity/02_build_stage.sql", params, {"stage": f"core.{STAGE}"})
