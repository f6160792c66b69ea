"""Shared by the DAG files (not a DAG): the warehouse engine, the landing folder and the run's date.

The warehouse is the Airflow connection ``warehouse`` (``AIRFLOW_CONN_WAREHOUSE``), else
``WAREHOUSE_URL``, else the embedded server. Imports are inside functions so DAG parsing stays cheap.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
