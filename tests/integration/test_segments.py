"""The segment scorer on a real warehouse: features -> RFM and CLV -> segments -> publish. One row per customer,
every key in its dimension, the LTV score and tier recomputed independently from the published snapshots, the
model run's clusters, the order it needs, and a day without customers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import pipeline, scoring, snapshots
from tests.conftest import query
from tests.integration.test_scoring import DAY, _score_day, core_database, warehouse  # noqa: F401 (fixtures)

pytestmark = pytest.mark.db


def _frame(engine, sql: str) -> pd.DataFrame:
    return snapshots.read_frame(engine, sql)


def test_segment_snapshot_keys_and_ltv_score_match_an_independent_computation(warehouse):  # noqa: F811
    _score_day(warehouse, DAY)
    counts = pipeline.publish_scores(warehouse, DAY)
    customers = query(warehouse, "select count(*) from core.customer_features where as_of_date = %(d)s",
                      {"d": DAY})[0][0]
    assert counts["fact_customer_segment"] == customers > 1500

    orphans = query(warehouse, """
        select count(*) filter (where s.segment_key is null or s.segment_type <> 'behavioral'
                                or s.segment_code <> f.segment_code or s.segment_name <> f.segment_name),
               count(*) filter (where t.tier_key is null or t.tier_type <> 'ltv_score' or t.tier_name <> f.vip_tier)
        from core.fact_customer_segment as f
        left join core.dim_customer_segment as s on f.segment_key = s.segment_key
        left join core.dim_customer_tier as t on f.tier_key = t.tier_key""")
    assert orphans == [(0, 0)]

    got = _frame(warehouse, """
        select f.customer_id_nat, f.behaviour_score, f.rfm_component, f.value_component, f.ltv_score,
               f.vip_tier, f.promotion_category, r.recency_score, r.frequency_score, r.monetary_score,
               r.monetary_percentile, l.predicted_clv_lifetime_aed, l.historical_clv_aed
        from core.fact_customer_segment as f
        join core.fact_customer_rfm as r using (customer_id_nat, snapshot_date)
        join core.fact_customer_ltv as l using (customer_id_nat, snapshot_date)
        order by f.customer_id_nat""")
    rfm = 100 * (got["recency_score"] + got["frequency_score"] + got["monetary_score"] - 3) / 12
    value = got["predicted_clv_lifetime_aed"].fillna(got["historical_clv_aed"])
    value_pct = 100 * (value.rank(method="average") - 0.5) / len(value)
    ltv = 0.4 * rfm + 0.3 * got["behaviour_score"] + 0.3 * value_pct
    np.testing.assert_allclose(got["rfm_component"], rfm, atol=0.005)
    np.testing.assert_allclose(got["value_component"], value_pct, atol=0.005)
    np.testing.assert_allclose(got["ltv_score"], ltv, atol=0.0051)
    tier = np.select([got["ltv_score"] >= 90, got["ltv_score"] >= 75, got["ltv_score"] >= 60],
                     ["Diamond VIP", "Gold VIP", "Silver VIP"], "Standard")
    assert (got["vip_tier"] == tier).all()
    vip = got["promotion_category"] == "Eligible for VIP Promotions"
    assert (vip == got["vip_tier"].isin(["Diamond VIP", "Gold VIP"])).all()
    reengage = got["promotion_category"] == "Eligible for Re-engagement"
    assert reengage.any() and (got.loc[reengage, "monetary_percentile"] >= 60).all()
    assert got["vip_tier"].nunique() == 4 and got["behaviour_score"].between(0, 100).all()

    (version, params, metrics), = query(warehouse, "select model_version, params, metrics from audit.model_run "
                                                   "where model_name = 'behavior_kmeans'")
    assert params["k_min"] == 3 and params["k_max"] == 8 and sorted(metrics["silhouette"]) == [str(k) for k in
                                                                                               range(3, 9)]
    assert version.startswith(f"kmeans-k{metrics['k']}-")
    assert sum(c["customers"] for c in metrics["clusters"]) == customers
    sizes = query(warehouse, "select cluster_id, count(*), min(segment_code), max(segment_code) "
                             "from core.fact_customer_segment group by 1 order by 1")
    assert [(c["cluster_id"], c["customers"], c["segment_code"], c["segment_code"]) for c in metrics["clusters"]] \
        == [tuple(row) for row in sizes]
    assert len({c["segment_code"] for c in metrics["clusters"]}) >= 2


def test_segments_wait_for_the_rfm_and_clv_scores_of_the_day(warehouse):  # noqa: F811
    pipeline.build_features(warehouse, DAY)
    scoring.score_rfm(warehouse, DAY, "test")
    with pytest.raises(LookupError, match="fact_customer_ltv scorer has not run"):
        scoring.score_segments(warehouse, DAY, "test")


def test_a_day_without_customers_publishes_four_empty_snapshots(engine):
    day = date(2025, 1, 31)
    pipeline.build_features(engine, day)
    for scorer in (*pipeline.SCORERS, *pipeline.FOLLOW_UP_SCORERS):
        assert pipeline.score(engine, scorer, day, "test")["customers"] == 0
    assert pipeline.publish_scores(engine, day) == {fact: 0 for fact in snapshots.SCORE_FACTS}
    assert query(engine, "select metrics->>'skipped' from audit.model_run where model_name = 'behavior_kmeans'") == [
        ("no customer had a qualified order by this date",)]
