"""
### customer_analytics_daily

Daily at 05:00 Asia/Riyadh. The run with logical date D loads every landing drop dated on or before D
that was not loaded yet, merges it into `stg`, re-derives `core` for what changed, rebuilds the
month-to-date activity of every open (not frozen) month through D, rebuilds the campaign dimension and
the lead, customer-acquisition and campaign-performance facts as of D, computes the customers' features as
of D, scores them with the RFM, lifetime-value and churn scorers in parallel, then (from the RFM and
lifetime-value scores) their behavioural segments, LTV score and VIP tier, publishes the four score
snapshots together, refreshes the materialized mart views and runs the data-quality controls.

Re-running a date gives the same rows. A refused file, a failed scorer or a failed control fails the run;
published data (activity months, yesterday's scores) stays as it was. Data moves through PostgreSQL;
XCom carries only small summaries.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from pipeline_tasks import engine, load_and_build_core, run_date

# The scorers of analytics.pipeline.SCORERS and FOLLOW_UP_SCORERS (named here so that parsing imports no
# analytics code): the first run in parallel; segments reads the RFM and CLV scores of the day.
SCORERS = ("rfm", "clv", "churn")
FOLLOW_UP_SCORERS = {"segments": ("rfm", "clv")}


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
    def activity(**context) -> dict:
        from analytics import pipeline

        return pipeline.publish_activity(engine(), run_date(context), context["run_id"])

    @task
    def acquisition(**context) -> dict:
        from analytics import pipeline

        return pipeline.build_acquisition(engine(), run_date(context))

    @task
    def features(**context) -> dict:
        from analytics import pipeline

        return pipeline.build_features(engine(), run_date(context))

    @task
    def score(scorer: str, **context) -> dict:
        from analytics import pipeline

        return pipeline.score(engine(), scorer, run_date(context), context["run_id"])

    @task
    def publish_scores(**context) -> dict:
        from analytics import pipeline

        return pipeline.publish_scores(engine(), run_date(context))

    @task
    def marts() -> dict:
        from analytics import pipeline

        return pipeline.refresh_marts(engine())

    @task
    def data_quality(built: dict, **context) -> dict:
        from datetime import date

        from analytics import pipeline

        months = [date.fromisoformat(m) for m in built["months"]]
        return pipeline.run_dq(engine(), run_date(context), context["run_id"], months)

    built = activity()
    scored = {name: score.override(task_id=f"score_{name}")(name) for name in (*SCORERS, *FOLLOW_UP_SCORERS)}
    published = publish_scores()
    load_and_build_core() >> built >> acquisition() >> features() >> [scored[name] for name in SCORERS]
    read_by_follow_ups = {name for inputs in FOLLOW_UP_SCORERS.values() for name in inputs}
    for name, inputs in FOLLOW_UP_SCORERS.items():
        [scored[source] for source in inputs] >> scored[name] >> published
    [scored[name] for name in SCORERS if name not in read_by_follow_ups] >> published
    published >> marts() >> data_quality(built)


customer_analytics_daily()
