"""The dashboard views of schema mart, each against an independent pandas computation on a small warehouse
loaded and scored on two dates 30 days apart (``scored_database``), plus what readers see while a new
snapshot is being published and which partitions the row-level views read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from analytics import db, marts, pipeline, snapshots
from analytics.db import engine_for
from tests.conftest import database_copy
from tests.integration.conftest import EARLIER, LATEST
from tests.support import mart_oracle as oracle
from tests.support.mart_oracle import assert_rows_match, read

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def facts(scored_url: str) -> dict[str, pd.DataFrame]:
    """The inputs of the views, read once as plain tables."""
    return {
        "rfm": read(scored_url, "select * from core.fact_customer_rfm"),
        "ltv": read(scored_url, "select * from core.fact_customer_ltv"),
        "churn": read(scored_url, "select * from core.fact_customer_churn_risk"),
        "segments": read(scored_url, "select * from core.dim_customer_segment where segment_type = 'rfm'"),
        "codes": read(scored_url, "select customer_id_nat, customer_code from core.customer_pseudonym"),
        "customers": read(scored_url, "select customer_id_nat, email, phone from core.dim_customer where is_current"),
    }


def test_the_scored_warehouse_has_two_published_snapshots_30_days_apart(scored_url):
    published = read(scored_url, "select snapshot_date, customers from core.score_snapshot order by 1")
    assert [d.isoformat() for d in published["snapshot_date"]] == [EARLIER.isoformat(), LATEST.isoformat()]
    assert (published["customers"] > 1000).all()


def test_rfm_segment_summary_and_its_history_match_pandas(scored_url, facts):
    history = read(scored_url, "select * from mart.vw_rfm_segment_summary_history")
    latest = read(scored_url, "select * from mart.vw_rfm_segment_summary")
    columns = ["segment_name", "value_group", "value_rank", "customers", "customer_share", "revenue_365d_aed",
               "orders_365d", "avg_revenue_per_customer_aed", "avg_orders_per_customer", "avg_order_value_aed",
               "avg_days_since_last_order", "active_last_30_days", "inactive_over_90_days"]
    assert set(latest["snapshot_date"]) == {LATEST}
    assert_rows_match(latest, oracle.segment_summary(facts["rfm"], facts["segments"], LATEST), ["segment_code"],
                      columns, atol=0.051)
    earlier = history[history["snapshot_date"] == EARLIER]
    assert_rows_match(earlier, oracle.segment_summary(facts["rfm"], facts["segments"], EARLIER), ["segment_code"],
                      columns, atol=0.051)
    assert set(latest["value_group"]) <= {"High Value", "Growth Potential", "At Risk", "Recovery/Lost"}


def test_rfm_score_distribution_matches_pandas(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_rfm_score_distribution")
    assert set(got["snapshot_date"]) == {LATEST}
    assert_rows_match(got, oracle.score_distribution(facts["rfm"], LATEST), ["rfm_score"],
                      ["recency_score", "frequency_score", "monetary_score", "segment_name", "customers",
                       "customer_share", "revenue_365d_aed", "avg_order_value_aed"])


def test_segment_migration_compares_with_the_snapshot_30_days_earlier_by_value_rank(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_segment_migration")
    assert set(got["snapshot_date"]) == {LATEST} and set(got["previous_snapshot_date"]) == {EARLIER}
    expected = oracle.segment_migration(facts["rfm"], facts["segments"], EARLIER, LATEST)
    assert_rows_match(got, expected, ["from_segment_code", "to_segment_code"],
                      ["movement", "customers", "customer_share"])
    assert {"Upgraded", "Downgraded", "Same"} <= set(got["movement"])
    hibernating_to_lost = got[(got["from_segment_code"] == "HIBERNATING") & (got["to_segment_code"] == "LOST")]
    assert set(hibernating_to_lost["movement"]) <= {"Downgraded"}  # rule priority would call it an upgrade


def test_clv_tier_summary_and_its_history_match_pandas(scored_url, facts):
    columns = ["customers", "customer_share", "historical_revenue_aed", "historical_clv_aed", "predicted_clv_1y_aed",
               "predicted_clv_lifetime_aed", "avg_predicted_clv_lifetime_aed", "avg_order_value_aed",
               "avg_tenure_months", "predicted_value_share"]
    latest = read(scored_url, "select * from mart.vw_clv_tier_summary")
    assert set(latest["snapshot_date"]) == {LATEST}
    assert_rows_match(latest, oracle.tier_summary(facts["ltv"], LATEST), ["value_tier"], columns, atol=0.051)
    history = read(scored_url, f"select * from mart.vw_clv_tier_summary_history where snapshot_date = '{EARLIER}'")
    assert_rows_match(history, oracle.tier_summary(facts["ltv"], EARLIER), ["value_tier"], columns, atol=0.051)
    assert set(latest["value_tier"]) == {"Platinum", "Gold", "Silver", "Bronze"}


def test_clv_distribution_matches_pandas(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_clv_distribution")
    assert set(got["snapshot_date"]) == {LATEST}
    assert_rows_match(got, oracle.clv_distribution(facts["ltv"], LATEST), ["bucket_order"],
                      ["customers", "customer_share", "predicted_clv_lifetime_aed", "historical_clv_aed",
                       "avg_tenure_months"], atol=0.051)
    labels = dict(zip(got["bucket_order"], got["clv_bucket"], strict=True))
    assert labels.get(0, "below 100") == "below 100" and labels.get(3, "500-1,000") == "500-1,000"


def test_top_customers_clv_lists_the_100_highest_by_code(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_top_customers_clv")
    expected = oracle.top_customers(facts["ltv"], facts["rfm"], facts["churn"], facts["codes"], LATEST)
    assert len(got) == 100
    assert_rows_match(got, expected, ["clv_rank"], ["customer_code", "predicted_clv_lifetime_aed", "value_tier",
                                                   "rfm_segment", "churn_risk_category"])


def test_churn_risk_overview_matches_pandas(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_churn_risk_overview")
    assert set(got["snapshot_date"]) == {LATEST}
    assert_rows_match(got, oracle.churn_overview(facts["churn"], facts["ltv"], LATEST), ["churn_risk_category"],
                      ["category_order", "customers", "customer_share", "clv_at_risk_aed", "expected_clv_loss_aed",
                       "avg_churn_risk_score", "avg_days_since_last_order", "avg_spend_last_90_days_aed",
                       "declining_frequency_customers", "declining_spend_customers"], atol=0.051)
    history = read(scored_url, "select distinct snapshot_date from mart.vw_churn_risk_overview_history")
    assert set(history["snapshot_date"]) == {EARLIER, LATEST}


def test_at_risk_customers_in_intervention_order_with_masked_contact(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_at_risk_customers")
    expected = oracle.at_risk(facts["churn"], facts["ltv"], facts["customers"], facts["codes"], LATEST)
    assert len(got) == len(expected) > 50
    columns = ["customer_code", "intervention_priority", "churn_risk_category", "churn_risk_score",
               "recommended_action", "top_churn_factor_1", "value_at_risk_aed", "email_masked", "phone_masked"]
    for column in columns:  # same rows in the same order
        assert got[column].astype(str).tolist() == expected[column].astype(str).tolist(), column
    assert got["email_masked"].dropna().str.contains(r"^.\*\*\*@", regex=True).all()


def test_churn_factor_analysis_matches_pandas(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_churn_factor_analysis")
    expected = oracle.factor_analysis(facts["churn"], facts["ltv"], LATEST)
    assert_rows_match(got, expected, ["churn_factor"],
                      ["occurrences", "as_first_factor", "high_risk_occurrences", "customer_share",
                       "avg_churn_risk_score", "clv_affected_aed"], atol=0.051)
    assert "No order for N days" in set(got["churn_factor"])
    assert not got["churn_factor"].str.contains(r"[0-9(]", regex=True).any()


def test_customer_cohort_analysis_matches_pandas(scored_url):
    activity = read(scored_url, "select * from core.fact_customer_monthly_activity")
    got = read(scored_url, "select * from mart.vw_customer_cohort_analysis")
    assert_rows_match(got, oracle.cohorts(activity), ["cohort_month", "activity_month"],
                      ["months_since_first_order", "cohort_customers", "active_customers", "retention_rate",
                       "revenue_aed", "revenue_per_active_customer_aed", "cumulative_revenue_per_cohort_customer_aed"])
    first_months = got[got["months_since_first_order"] == 0]
    assert (first_months["retention_rate"] == 1).all() and len(first_months) >= 17


def test_model_quality_reports_each_scoring_date_from_the_model_runs(scored_url):
    runs = read(scored_url, "select * from audit.model_run")
    runs["metrics"] = runs["metrics"].map(lambda m: m if isinstance(m, dict) else json.loads(m))
    got = read(scored_url, "select * from mart.vw_model_quality")
    assert_rows_match(got, oracle.model_quality(runs), ["snapshot_date"],
                      ["churn_model", "churn_roc_auc", "churn_brier", "churn_observed_rate", "rules_roc_auc",
                       "recency_roc_auc", "bg_nbd_customers", "bg_nbd_log_likelihood_per_customer"], atol=1e-9)
    assert (got["churn_roc_auc"] > 0.5).all()


def test_model_quality_compares_month_end_clv_predictions_with_what_followed(scored_url, facts):
    got = read(scored_url, "select * from mart.vw_model_quality").set_index("snapshot_date")
    expected = oracle.clv_validation(facts["ltv"], EARLIER, LATEST)
    row = got.loc[EARLIER]
    assert row["clv_observed_until"] == LATEST and row["clv_days_observed"] == expected["clv_days_observed"] == 30
    assert row["clv_customers_observed"] == expected["clv_customers_observed"] > 1000
    assert abs(row["clv_predicted_aed"] - expected["clv_predicted_aed"]) < 0.01
    assert abs(row["clv_actual_aed"] - expected["clv_actual_aed"]) < 0.01
    assert abs(row["clv_actual_to_predicted"] - row["clv_actual_aed"] / row["clv_predicted_aed"]) < 1e-4
    assert pd.isna(got.loc[LATEST, "clv_predicted_aed"])  # nothing observed after the newest snapshot yet


def test_pipeline_health_summarises_the_audit_tables(scored_url):
    loads = read(scored_url, "select * from audit.file_load")
    dq = read(scored_url, "select * from audit.dq_result")
    (health,) = read(scored_url, "select * from mart.vw_pipeline_health").to_dict("records")
    last_drop = loads[loads["ingestion_date"] == loads["ingestion_date"].max()]
    last_run = dq[dq["run_id"] == dq.loc[dq["dq_result_id"].idxmax(), "run_id"]]
    assert health["last_ingestion_date"] == loads["ingestion_date"].max()
    assert health["last_drop_rows_accepted"] == last_drop["rows_accepted"].sum()
    assert health["last_drop_rows_rejected"] == last_drop["rows_rejected"].sum()
    assert health["files_loaded_total"] == (loads["status"] == "LOADED").sum()
    assert health["rows_rejected_total"] == loads["rows_rejected"].sum() > 0
    assert health["dq_run_id"] == f"test-{LATEST}" and health["dq_controls"] == len(last_run)
    assert health["dq_failed"] == (last_run["status"] == "FAIL").sum()
    assert health["score_snapshot_date"] == LATEST
    assert health["status"] == ("OK" if health["dq_failed"] == 0 and health["last_drop_files_refused"] == 0
                                else "ATTENTION")


def test_one_big_tables_show_customers_by_code_only(scored_url, facts):
    obt = read(scored_url, "select * from mart.obt_customer_kpis_and_segmentation")
    latest = facts["rfm"][pd.to_datetime(facts["rfm"]["snapshot_date"]) == pd.Timestamp(LATEST)]
    expected = latest.merge(facts["codes"], on="customer_id_nat")
    assert "customer_id_nat" not in obt.columns
    assert sorted(obt["customer_code"]) == sorted(expected["customer_code"])
    assert obt["customer_code"].str.fullmatch(r"CU-[0-9A-F]{12}").all()
    overall = read(scored_url, "select * from mart.obt_overall_customer_kpis")
    assert overall["customers"].tolist() == [len(latest)]


# -- publishing ----------------------------------------------------------------------------------------

@pytest.fixture
def scored_copy(server_url: str, scored_database: str) -> Iterator[sa.Engine]:
    """A private copy of the scored warehouse, for a test that publishes."""
    with database_copy(server_url, scored_database) as engine:
        yield engine


# The views of a snapshot: those reading the score facts directly show a publish as soon as it commits, the
# materialized ones (and the views over them) once the marts step has refreshed them.
DIRECT_VIEWS = ("vw_top_customers_clv", "vw_at_risk_customers", "obt_customer_kpis_and_segmentation")
REFRESHED_VIEWS = ("vw_rfm_segment_summary", "vw_rfm_score_distribution", "vw_segment_migration",
                   "vw_clv_tier_summary", "vw_clv_distribution", "vw_churn_risk_overview", "vw_churn_factor_analysis",
                   "obt_overall_customer_kpis")
SNAPSHOT_VIEWS = DIRECT_VIEWS + REFRESHED_VIEWS


def _shown(engine: sa.Engine) -> dict[str, date]:
    """The snapshot date each view shows, read on a connection of its own (10 s at most per query)."""
    with db.transaction(engine) as conn:
        with conn.cursor() as cur:
            cur.execute("set statement_timeout = '10s'")
        return {view: db.fetch_one(conn, f"select max(snapshot_date) from mart.{view}")[0] for view in SNAPSHOT_VIEWS}


def test_views_show_the_previous_snapshot_until_the_publish_commits_and_the_marts_refresh(scored_copy):
    new_day = LATEST + timedelta(days=1)
    pipeline.build_features(scored_copy, new_day)
    for scorer in (*pipeline.SCORERS, *pipeline.FOLLOW_UP_SCORERS):
        pipeline.score(scored_copy, scorer, new_day, "test")
    assert set(_shown(scored_copy).values()) == {LATEST}

    with db.transaction(scored_copy) as publishing:
        snapshots.publish_in(publishing, new_day)
        assert set(_shown(scored_copy).values()) == {LATEST}  # in flight: invisible
    shown = _shown(scored_copy)
    assert {view for view, day in shown.items() if day == new_day} == set(DIRECT_VIEWS)
    assert {view for view, day in shown.items() if day == LATEST} == set(REFRESHED_VIEWS)

    marts.refresh_materialized_views(scored_copy)
    assert set(_shown(scored_copy).values()) == {new_day}


def _partitions_read(engine: sa.Engine, query: str) -> set[str]:
    """Partitions of the score facts that the plan of ``query`` actually scanned."""
    with db.transaction(engine) as conn:
        (plan,) = db.fetch_one(conn, f"explain (analyze, format json) {query}")
    read_ = set()

    def walk(node: dict) -> None:
        name = node.get("Relation Name", "")
        if name.startswith("fact_customer_") and node.get("Actual Loops", 0) > 0:
            read_.add(name)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return read_


@pytest.mark.parametrize("query", [
    "select * from mart.vw_top_customers_clv",
    "select * from mart.vw_at_risk_customers limit 100",
    "select * from mart.obt_customer_kpis_and_segmentation limit 100",
])
def test_row_level_views_read_only_the_newest_partitions(scored_url, query):
    engine = engine_for(scored_url)
    try:
        scanned = _partitions_read(engine, query)
    finally:
        engine.dispose()
    assert scanned and all(name.endswith(f"_p{LATEST:%Y%m%d}") for name in scanned), scanned
