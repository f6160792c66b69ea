"""Month close (DESIGN §4, §7): the final build, reconciliation and freeze of a month at T+2 06:00 Riyadh.

A frozen month is never rebuilt by daily runs; data for it that arrives later is kept in
``audit.late_arrival``. Only an explicit restatement (with a reason) rebuilds a frozen month from the
current orders, and it is recorded as a new freeze with ``is_restatement``.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from analytics import db
from analytics.activity import add_months, build_activity, month_start

__all__ = ["month_to_close", "close_month"]

log = logging.getLogger(__name__)


def month_to_close(run_date: date) -> date:
    """The run whose date falls in month M+1 closes month M."""
    return add_months(month_start(run_date), -1)


def _freeze(conn, month: date, run_id: str, restatement: bool, reason: str | None) -> int:
    row = db.fetch_one(conn, """
        insert into audit.month_freeze (month_key, freeze_seq, is_restatement, reason, run_id, active_customers,
                                        new_customers, repeat_customers, orders_count, total_net_amount_aed)
        select %(m)s,
               coalesce((select max(freeze_seq) from audit.month_freeze where month_key = %(m)s), 0) + 1,
               %(restatement)s, %(reason)s, %(run)s,
               coalesce(a.active_customers, 0), coalesce(a.new_customers, 0), coalesce(a.repeat_customers, 0),
               coalesce(a.orders_count, 0), coalesce(a.total_net_amount_aed, 0)
          from (select 1) as one
          left join core.agg_activity_month_region as a on a.month_key = %(m)s and a.region = 'ALL'
        returning freeze_id""", {"m": month, "restatement": restatement, "reason": reason, "run": run_id})
    assert row is not None
    db.run_sql(conn, "transform/activity/refresh_frozen_history.sql")
    if restatement:
        with conn.cursor() as cur:
            cur.execute("update audit.late_arrival set restated_in_freeze_id = %(f)s "
                        "where month_key = %(m)s and restated_in_freeze_id is null", {"f": row[0], "m": month})
    return row[0]


def close_month(engine: sa.Engine, run_date: date, run_id: str, restate: bool = False,
                reason: str | None = None) -> dict:
    """Build, reconcile and freeze the month before ``run_date``'s month (restate only when asked)."""
    month = month_to_close(run_date)
    with db.transaction(engine) as conn:
        frozen = db.fetch_one(conn, "select max(freeze_seq) from audit.month_freeze where month_key = %(m)s",
                              {"m": month})[0]
    if frozen and not restate:
        log.info("month %s is already frozen (freeze %s); pass restate with a reason to rebuild it", month, frozen)
        return {"month": month.isoformat(), "status": "already_frozen", "freeze_seq": frozen}
    if frozen and not (reason and reason.strip()):
        raise ValueError(f"restating frozen month {month:%Y-%m} needs a reason")
    month_end = add_months(month, 1) - timedelta(days=1)
    result = build_activity(engine, month_end, run_id, months=[month])
    with db.transaction(engine) as conn:
        freeze_id = _freeze(conn, month, run_id, bool(frozen), reason if frozen else None)
        figures = db.fetch_one(conn, "select active_customers, new_customers, repeat_customers, "
                               "total_net_amount_aed from audit.month_freeze where freeze_id = %(f)s", {"f": freeze_id})
    status = "restated" if frozen else "frozen"
    log.info("month %s %s (freeze %s): %s", month, status, freeze_id, figures)
    return {"month": month.isoformat(), "status": status, "freeze_id": freeze_id, "rows": result.rows,
            "active": figures[0], "new": figures[1], "repeat": figures[2], "aed": str(figures[3])}
