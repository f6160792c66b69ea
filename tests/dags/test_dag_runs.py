"""Both DAGs run through Airflow (``dag.test``) against a real warehouse; reruns change nothing."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from analytics.generate import generate_landing
from tests.conftest import query

pytestmark = [pytest.mark.db, pytest.mark.airflow]

SNAPSHOT_SQL = {
    "activity": "select * from core.fact_customer_monthly_activity order by customer_id_nat, month_key",
    "summary": "select * from core.agg_activity_month_region order by month_key, region",
    "orders": "select * from core.fact_order order by order_id",
    "customers": "select * from core.dim_customer order by customer_sk",
    **{fact: f"select * from core.{fact} order by snapshot_date, customer_id_nat"
       for fact in ("fact_customer_rfm", "fact_customer_ltv", "fact_customer_churn_risk", "fact_customer_segment")},
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    generate_landing(root, customers=400, months=4, seed=11, end_date=date(2025, 11, 30))
    return root


@pytest.fixture
def airflow_env(monkeypatch, fresh_warehouse, landing, airflow_db):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", fresh_warehouse)
    monkeypatch.setenv("ANALYTICS_LANDING_DIR", str(landing))
    return fresh_warehouse


def _run(dagbag, dag_id: str, logical: pendulum.DateTime, conf: dict | None = None):
    dag = dagbag.get_dag(dag_id)
    run = dag.test(logical_date=logical, run_conf=conf)
    return run


def _snapshot(engine) -> dict[str, list[tuple]]:
    return {name: query(engine, sql) for name, sql in SNAPSHOT_SQL.items()}


def test_daily_dag_builds_month_to_date_and_a_rerun_changes_nothing(dagbag, airflow_env, engine):
    run = _run(dagbag, "customer_analytics_daily", pendulum.datetime(2025, 11, 20, 5, tz="Asia/Riyadh"))
    assert run.state == "success"
    first = _snapshot(engine)
    assert len(first["activity"]) > 400
    months = query(engine, "select distinct month_key from core.fact_customer_monthly_activity order by 1")
    assert [m[0] for m in months] == [date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)]
    assert query(engine, "select max(local_date) from core.fact_order")[0][0] <= date(2025, 11, 20)
    assert query(engine, "select count(*) from audit.dq_result where status = 'FAIL'") == [(0,)]
    customers = query(engine, "select count(*) from core.customer_features where as_of_date = '2025-11-20'")[0][0]
    assert customers > 150
    for fact in ("fact_customer_rfm", "fact_customer_ltv", "fact_customer_churn_risk", "fact_customer_segment"):
        assert len(first[fact]) == customers, fact
    assert query(engine, "select distinct snapshot_date from core.fact_customer_churn_risk") == [(date(2025, 11, 20),)]

    rerun = _run(dagbag, "customer_analytics_daily", pendulum.datetime(2025, 11, 20, 5, tz="Asia/Riyadh"))
    assert rerun.state == "success"
    assert _snapshot(engine) == first


def test_month_close_dag_freezes_once_keeps_late_data_out_and_restates_on_request(dagbag, airflow_env, engine):
    closed = _run(dagbag, "customer_activity_month_close", pendulum.datetime(2025, 10, 2, 6, tz="Asia/Riyadh"))
    assert closed.state == "success"
    freezes = query(engine, "select month_key, freeze_seq, is_restatement from audit.month_freeze")
    assert freezes == [(date(2025, 9, 1), 1, False)]
    frozen_rows = query(engine, "select * from core.fact_customer_monthly_activity where month_key = '2025-09-01' "
                                "order by customer_id_nat")

    # Later drops carry orders of September that arrive after the freeze: kept apart, September unchanged.
    daily = _run(dagbag, "customer_analytics_daily", pendulum.datetime(2025, 10, 25, 5, tz="Asia/Riyadh"))
    assert daily.state == "success"
    late = query(engine, "select count(*) from audit.late_arrival where month_key = '2025-09-01'")[0][0]
    assert late > 0
    assert query(engine, "select * from core.fact_customer_monthly_activity where month_key = '2025-09-01' "
                         "order by customer_id_nat") == frozen_rows

    again = _run(dagbag, "customer_activity_month_close", pendulum.datetime(2025, 10, 2, 6, tz="Asia/Riyadh"))
    assert again.state == "success"
    assert query(engine, "select count(*) from audit.month_freeze") == [(1,)]

    restated = _run(dagbag, "customer_activity_month_close", pendulum.datetime(2025, 10, 2, 6, tz="Asia/Riyadh"),
                    {"restate": True, "restate_reason": "late orders from the Riyadh stores"})
    assert restated.state == "success"
    assert query(engine, "select freeze_seq, is_restatement, reason from audit.month_freeze order by freeze_seq") == [
        (1, False, None), (2, True, "late orders from the Riyadh stores")]
    assert query(engine, "select count(*) from audit.late_arrival where month_key = '2025-09-01' "
                         "and restated_in_freeze_id is null") == [(0,)]


@pytest.fixture(scope="module")
def pos_landing(tmp_path_factory):
    from analytics.generate.pos_log import generate_pos_log

    root = tmp_path_factory.mktemp("pos-landing")
    generate_pos_log(root, customers=600, months=4, seed=5, end_date=date(2025, 11, 30))
    return root


def test_daily_dag_runs_on_a_pos_log(dagbag, monkeypatch, fresh_warehouse, pos_landing, airflow_db, engine):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", fresh_warehouse)
    monkeypatch.setenv("ANALYTICS_LANDING_DIR", str(pos_landing))
    run = _run(dagbag, "customer_analytics_daily", pendulum.datetime(2025, 11, 20, 5, tz="Asia/Riyadh"))
    assert run.state == "success"
    assert query(engine, "select count(*) from core.fact_order where order_id like 'POS-%%'")[0][0] > 1000
    for table in ("core.fact_customer_monthly_activity", "core.fact_customer_rfm", "core.fact_customer_ltv",
                  "core.fact_customer_churn_risk", "core.fact_customer_segment", "core.dim_product",
                  "audit.cleaning_summary", "mart.vw_engagement_daily", "mart.vw_cleaning_summary",
                  "mart.obt_customer_kpis_and_segmentation"):
        assert query(engine, f"select count(*) from {table}")[0][0] > 0, table
