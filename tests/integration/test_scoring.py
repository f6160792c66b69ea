"""The scorer steps on a real warehouse: the feature extract against an independent pandas computation,
publishing all four snapshots atomically, idempotent reruns, shards, retention and the churn model's
training cut-off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics import pipeline, scoring, snapshots
from analytics.generate import generate_landing
from tests.conftest import database_copy, loaded_through_core, query
from tests.support.features_oracle import features_oracle

pytestmark = pytest.mark.db

DAY = date(2025, 11, 29)
SNAPSHOTS = {fact: f"select * from core.{fact} order by snapshot_date, customer_id_nat"
             for fact in snapshots.SCORE_FACTS}


@pytest.fixture(scope="module")
def core_database(server_url: str, template_database: str, tmp_path_factory) -> Iterator[str]:
    """A warehouse with 2,500 generated customers over 18 months loaded through core (built once)."""
    landing = tmp_path_factory.mktemp("scoring-landing")
    generate_landing(landing, customers=2500, months=18, seed=7, end_date=date(2025, 11, 30))
    with loaded_through_core(server_url, template_database, landing, DAY) as name:
        yield name


@pytest.fixture
def warehouse(server_url: str, core_database: str) -> Iterator[sa.Engine]:
    """A private copy of the core database for one test."""
    with database_copy(server_url, core_database) as engine:
        yield engine


def _score_day(engine: sa.Engine, day: date, shards: int | None = None) -> None:
    pipeline.build_features(engine, day)
    for scorer in (*pipeline.SCORERS, *pipeline.FOLLOW_UP_SCORERS):
        getattr(scoring, f"score_{scorer}")(engine, day, "test", shards)


def _published(engine: sa.Engine) -> dict[str, list[tuple]]:
    return {fact: query(engine, sql) for fact, sql in SNAPSHOTS.items()}


def test_features_match_an_independent_pandas_computation(warehouse):
    snapshots.build_features(warehouse, [DAY])
    got = snapshots.read_features(warehouse, DAY)
    expected = features_oracle(warehouse, DAY)
    assert len(got) == len(expected) > 1500
    assert got["customer_id_nat"].tolist() == expected["customer_id_nat"].tolist()
    for column in expected.columns:
        if column == "customer_id_nat":
            continue
        left, right = got[column], expected[column]
        if pd.api.types.is_datetime64_any_dtype(right):
            assert (left.to_numpy() == right.to_numpy()).all(), column
        else:
            np.testing.assert_allclose(left.to_numpy(dtype=float), right.to_numpy(dtype=float), atol=0.005,
                                       equal_nan=True, err_msg=column)
    assert (got["customer_sk"] != 0).mean() > 0.95


def test_daily_scoring_publishes_all_four_snapshots_and_a_rerun_is_identical(warehouse):
    _score_day(warehouse, DAY)
    assert query(warehouse, "select count(*) from core.fact_customer_rfm") == [(0,)]  # nothing before publish
    counts = pipeline.publish_scores(warehouse, DAY)
    customers = query(warehouse, "select count(*) from core.customer_features where as_of_date = %(d)s", {"d": DAY})
    assert set(counts.values()) == {customers[0][0]}
    first = _published(warehouse)
    assert all(len(rows) == customers[0][0] for rows in first.values())
    models = {row[0] for row in query(warehouse, "select model_name from audit.model_run")}
    assert {"rfm", "bg_nbd", "gamma_gamma", "behavior_kmeans", "ltv_score"} <= models
    assert models & {"churn_logistic_regression", "churn_rules"}

    _score_day(warehouse, DAY)
    pipeline.publish_scores(warehouse, DAY)
    assert _published(warehouse) == first


def test_a_failed_scorer_leaves_the_previous_snapshot_published(warehouse):
    earlier = DAY - timedelta(days=1)
    _score_day(warehouse, earlier)
    pipeline.publish_scores(warehouse, earlier)
    before = _published(warehouse)

    pipeline.build_features(warehouse, DAY)
    scoring.score_rfm(warehouse, DAY, "test")
    scoring.score_clv(warehouse, DAY, "test")  # the churn scorer "failed": its stage was never written
    with pytest.raises(LookupError, match="fact_customer_churn_risk scorer has not run"):
        pipeline.publish_scores(warehouse, DAY)
    assert _published(warehouse) == before
    assert query(warehouse, "select max(snapshot_date) from core.fact_customer_rfm") == [(earlier,)]


def test_scoring_in_four_shards_gives_the_same_rows_as_in_one(warehouse):
    _score_day(warehouse, DAY, shards=1)
    one = {fact: query(warehouse, f"select * from core.{snapshots.stage_name(fact, DAY)} order by customer_id_nat")
           for fact in snapshots.SCORE_FACTS}
    _score_day(warehouse, DAY, shards=4)
    four = {fact: query(warehouse, f"select * from core.{snapshots.stage_name(fact, DAY)} order by customer_id_nat")
            for fact in snapshots.SCORE_FACTS}
    assert four == one


def _shift_orders(engine: sa.Engine, after: date, until: date | None, days: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("update core.fact_order set local_date = local_date + :n "
                             "where local_date > :after and (cast(:until as date) is null or local_date <= :until)"),
                     {"n": days, "after": after, "until": until})


def test_churn_training_never_sees_orders_after_the_run_date(warehouse):
    run_day = date(2025, 10, 31)  # November's orders are "the future" of this run
    cutoff = run_day - timedelta(days=scoring.churn_horizon_days())
    snapshots.build_features(warehouse, [cutoff])
    training = snapshots.read_training_frame(warehouse, cutoff, run_day)
    assert 0 < training["churned"].mean() < 1

    _shift_orders(warehouse, after=run_day, until=None, days=45)  # the future moves: nothing changes
    snapshots.build_features(warehouse, [cutoff])
    assert snapshots.read_training_frame(warehouse, cutoff, run_day).equals(training)

    _shift_orders(warehouse, after=cutoff, until=run_day, days=200)  # the label window empties: labels change
    snapshots.build_features(warehouse, [cutoff])
    relabelled = snapshots.read_training_frame(warehouse, cutoff, run_day)
    assert relabelled.drop(columns="churned").equals(training.drop(columns="churned"))
    assert relabelled["churned"].sum() > training["churned"].sum()


def test_retention_drops_old_daily_snapshots_but_keeps_month_ends(warehouse, monkeypatch):
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_RETENTION_DAYS", "2")
    days = [date(2025, 10, 30), date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)]
    for day in days:
        _score_day(warehouse, day)
        pipeline.publish_scores(warehouse, day)
    for fact in snapshots.SCORE_FACTS:
        kept = [row[0] for row in query(warehouse, f"select distinct snapshot_date from core.{fact} order by 1")]
        assert kept == [date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)], fact
    published = query(warehouse, "select snapshot_date from core.score_snapshot order by 1")
    assert [row[0] for row in published] == [date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)]
    features = query(warehouse, "select distinct as_of_date from core.customer_features order by 1")
    assert [row[0] for row in features] == [date(2025, 11, 1), date(2025, 11, 2)]


def test_churn_model_beats_the_rule_score_and_plain_recency_on_held_out_customers(warehouse):
    pipeline.build_features(warehouse, DAY)
    scoring.score_churn(warehouse, DAY, "test")
    (name, metrics), = query(warehouse, "select model_name, metrics from audit.model_run")
    assert name == "churn_logistic_regression"
    assert metrics["evaluated_on"] == "holdout" and metrics["model"]["n"] > 300
    model, rules, recency = (metrics[k]["roc_auc"] for k in ("model", "rules", "recency"))
    assert model > rules and model > recency, metrics
    assert metrics["model"]["brier"] < metrics["brier_base_rate"]
    stage = snapshots.stage_name("fact_customer_churn_risk", DAY)
    scored_by = query(warehouse, f"select distinct scored_by from core.{stage}")
    assert scored_by == [("model",)]


def test_engagement_counts_monthly_actives_distinctly_and_the_wide_tables_read_the_newest_snapshot(warehouse):
    _score_day(warehouse, DAY)
    pipeline.publish_scores(warehouse, DAY)
    pipeline.refresh_marts(warehouse)
    expected = query(warehouse, """
        select d::date, count(distinct f.surviving_customer_id_nat)
        from generate_series(date '2025-06-30', date '2025-07-05', interval '1 day') as d
        join core.fact_order as f on f.is_qualified and f.local_date > d::date - 30 and f.local_date <= d::date
        group by 1 order by 1""")
    got = query(warehouse, """
        select activity_date, monthly_active_customers_30d from mart.vw_engagement_daily
        where activity_date between '2025-06-30' and '2025-07-05' order by 1""")
    assert got == expected
    dau = query(warehouse, """
        select count(distinct surviving_customer_id_nat) from core.fact_order
        where is_qualified and local_date = '2025-07-01'""")[0][0]
    row = query(warehouse, "select daily_active_customers, stickiness, naive_rolling_dau_sum_30d, "
                           "monthly_active_customers_30d from mart.vw_engagement_daily "
                           "where activity_date = '2025-07-01'")[0]
    assert row[0] == dau and row[1] == round(Decimal(dau) / row[3], 4)
    assert row[2] > row[3]  # the naive sum counts a customer once per active day

    customers = query(warehouse, "select count(*) from core.fact_customer_rfm where snapshot_date = %(d)s",
                      {"d": DAY})[0][0]
    assert query(warehouse, "select count(*), min(snapshot_date) from mart.obt_customer_kpis_and_segmentation") == [
        (customers, DAY)]
    overall = query(warehouse, "select customers, overall_aov_aed, total_revenue_aed, total_orders "
                               "from mart.obt_overall_customer_kpis")
    assert len(overall) == 1 and overall[0][0] == customers
    assert overall[0][1] == round(overall[0][2] / overall[0][3], 2)
