"""
### customer_activity_month_close

At T+2 06:00 Asia/Riyadh (the 2nd of each month). The run whose logical date falls in month M+1 first
ingests every drop up to its own date, then builds, reconciles and freezes month M
(`audit.month_freeze`). Later data for a frozen month goes to `audit.late_arrival` and leaves the frozen
figures unchanged.

A frozen month is rebuilt only when the run asks for it: trigger with params
`{"restate": true, "restate_reason": "..."}`; the restatement is recorded as a new freeze.
Backfill months with `airflow backfill create --dag-id customer_activity_month_close --from-date ... --to-date ...`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task
from pipeline_tasks import engine, load_and_build_core, run_date


@dag(
    dag_id="customer_activity_month_close",
    schedule="0 6 2 * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Riyadh"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["customer-analytics", "month-close"],
    doc_md=__doc__,
    params={
        "restate": Param(False, type="boolean", description="Rebuild the month even if it is frozen (audited)."),
        "restate_reason": Param("", type="string", description="Why the frozen month is restated."),
    },
)
def customer_activity_month_close():
    @task
    def close_month(**context) -> dict:
        from analytics import pipeline

        params = context["params"]
        return pipeline.close_month(engine(), run_date(context), context["run_id"],
                                    restate=bool(params["restate"]), reason=params["restate_reason"] or None)

    @task
    def data_quality(closed: dict, **context) -> dict:
        from datetime import date

        from analytics import pipeline
        from analytics.activity import add_months

        month = date.fromisoformat(closed["month"])
        month_end = add_months(month, 1) - timedelta(days=1)
        # A month frozen by an earlier run is not rebuilt, so only the warehouse-wide controls apply.
        months = [] if closed["status"] == "already_frozen" else [month]
        return pipeline.run_dq(engine(), month_end, context["run_id"], months)

    closed = close_month()
    load_and_build_core() >> closed
    data_quality(closed)


customer_activity_month_close()
