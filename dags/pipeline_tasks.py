"""Shared by the DAG files (not a DAG): the warehouse engine, the landing folder, the run's date and the
front of both DAGs (ingest -> stage -> core).

The warehouse is the Airflow connection ``warehouse`` (``AIRFLOW_CONN_WAREHOUSE``), else
``WAREHOUSE_URL``, else the embedded server. Imports are inside functions so DAG parsing stays cheap.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from airflow.sdk import task

BUSINESS_TIMEZONE = "Asia/Riyadh"


def engine():
    """SQLAlchemy engine on the warehouse, from the ``warehouse`` connection when it exists."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from analytics.db import engine_for

    try:
        url = PostgresHook(postgres_conn_id="warehouse").sqlalchemy_url
    except AirflowNotFoundException:
        url = None
    return engine_for(url)


def landing():
    from analytics.config import landing_dir

    return landing_dir()


def run_date(context: dict[str, Any]) -> date:
    """The run's business date: its logical date (or, for runs without one, run_after) in Riyadh time."""
    import pendulum

    moment = context.get("logical_date") or context["dag_run"].run_after
    return pendulum.instance(moment).in_timezone(BUSINESS_TIMEZONE).date()


def load_and_build_core():
    """Tasks ingest -> stage -> core inside the calling DAG; returns the core task to chain on."""

    @task
    def ingest(**context) -> dict:
        from analytics import pipeline

        return pipeline.ingest_drops(engine(), landing(), run_date(context), context["run_id"])

    @task
    def stage() -> dict:
        from analytics import pipeline

        return pipeline.stage_changes(engine())

    @task
    def core(**context) -> dict:
        from analytics import pipeline

        return pipeline.build_core(engine(), context["run_id"])

    built = core()
    ingest() >> stage() >> built
    return built
