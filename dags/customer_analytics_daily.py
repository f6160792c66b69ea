"""
### customer_analytics_daily

Daily at 05:00 Asia/Riyadh. The run with logical date D loads every landing drop dated on or before D
that was not loaded yet, merges it into `stg`, re-derives `core` for what changed, rebuilds the
month-to-date activity of every open (not frozen) month through D and runs the data-quality controls.

Re-running a date changes nothing. A refused file or a failed control fails the run; published data
stays as it was. Data moves through PostgreSQL; XCom carries only small summaries.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from pipeline_tasks import engine, load_and_build_core, run_date


@dag(
    dag_id="customer_analytics_daily",
    schedule="0 5 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Riyadh"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=5)},
    tags=["customer-analytics", "daily"],
    doc_md=__doc__,
)
def customer_analytics_daily():
    @task
    def marts(**context) -> dict:
        from analytics import pipeline

        return pipeline.publish_activity(engine(), run_date(context), context["run_id"])

    @task
    def data_quality(built: dict, **context) -> dict:
        from datetime import date

        from analytics import pipeline

        months = [date.fromisoformat(m) for m in built["months"]]
        return pipeline.run_dq(engine(), run_date(context), context["run_id"], months)

    built = marts()
    load_and_build_core() >> built
    data_quality(built)


customer_analytics_daily()
