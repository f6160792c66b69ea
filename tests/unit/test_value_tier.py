"""Tests of ValueTierScorer (analytics/scorers/value_tier.py): the LTV score arithmetic by hand, tier
boundaries, the promotion rule, the historical fallback of the value component, shards and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.scorers.value_tier import OUTPUT_COLUMNS, ValueTierScorer

REENGAGE, VIP, STANDARD = "Eligible for Re-engagement", "Eligible for VIP Promotions", "Standard Marketing"


def _rows(*rows: dict) -> pd.DataFrame:
    """Hand-made inputs; unspecified columns get an average, active customer's values."""
    base = {"recency_score": 3, "frequency_score": 3, "monetary_score": 3, "monetary_percentile": 50.0,
            "behaviour_score": 50.0, "predicted_clv_lifetime_aed": 100.0, "historical_clv_aed": 50.0,
            "probability_alive": 0.9, "days_since_last_order": 10}
    return pd.DataFrame([{"customer_id_nat": f"C{i}", **base, **row} for i, row in enumerate(rows)])


def test_ltv_score_weights_rfm_behaviour_and_value_percentile_as_computed_by_hand():
    frame = _rows(
        {"recency_score": 5, "frequency_score": 5, "monetary_score": 5, "behaviour_score": 90.0,
         "predicted_clv_lifetime_aed": 1000.0},
        {"recency_score": 1, "frequency_score": 1, "monetary_score": 1, "behaviour_score": 10.0,
         "predicted_clv_lifetime_aed": 10.0},
        {"recency_score": 3, "frequency_score": 4, "monetary_score": 2, "behaviour_score": 50.0,
         "predicted_clv_lifetime_aed": 100.0},
    )
    scored = ValueTierScorer().fit(frame).score(frame)
    assert list(scored.columns) == OUTPUT_COLUMNS
    # RFM (R+F+M-3)/12*100: 100, 0, 50. Value: midpoint percentile of 1000, 10, 100 among the three:
    # (2 + 1/2)/3 = 83.33, (0 + 1/2)/3 = 16.67, (1 + 1/2)/3 = 50.
    assert scored["rfm_component"].tolist() == [100.0, 0.0, 50.0]
    assert scored["value_component"].tolist() == [83.33, 16.67, 50.0]
    # 0.4*100 + 0.3*90 + 0.3*83.333 = 92; 0 + 3 + 5 = 8; 20 + 15 + 15 = 50
    assert scored["ltv_score"].tolist() == [92.0, 8.0, 50.0]
    assert scored["vip_tier"].tolist() == ["Diamond VIP", "Standard", "Standard"]
    assert scored["tier_code"].tolist() == ["DIAMOND_VIP", "STANDARD", "STANDARD"]
    assert scored["promotion_category"].tolist() == [VIP, STANDARD, STANDARD]

    reweighted = ValueTierScorer(weights=(0.0, 0.5, 0.5)).fit(frame).score(frame)
    assert reweighted["ltv_score"].tolist() == [86.67, 13.33, 50.0]


def test_a_tier_starts_at_its_minimum_score():
    behaviour = [100.0, 90.0, 89.99, 75.0, 74.99, 60.0, 59.99, 0.0]
    frame = _rows(*({"behaviour_score": b} for b in behaviour))
    scored = ValueTierScorer(weights=(0.0, 1.0, 0.0)).fit(frame).score(frame)
    assert scored["ltv_score"].tolist() == behaviour
    assert scored["vip_tier"].tolist() == ["Diamond VIP", "Diamond VIP", "Gold VIP", "Gold VIP", "Silver VIP",
                                           "Silver VIP", "Standard", "Standard"]
    assert scored["promotion_category"].tolist() == [VIP] * 4 + [STANDARD] * 4


def test_promotion_category_rule():
    frame = _rows(
        {"behaviour_score": 95.0, "monetary_percentile": 90.0, "probability_alive": 0.1},  # Diamond: VIP wins
        {"behaviour_score": 65.0, "monetary_percentile": 80.0, "probability_alive": 0.3},  # valued, fading
        {"behaviour_score": 65.0, "monetary_percentile": 60.0, "probability_alive": None,
         "predicted_clv_lifetime_aed": None, "days_since_last_order": 91},  # valued, long silent, no model
        {"behaviour_score": 65.0, "monetary_percentile": 80.0, "days_since_last_order": 90},  # not yet silent
        {"behaviour_score": 65.0, "monetary_percentile": 59.99, "probability_alive": 0.1},  # not valued enough
        {"behaviour_score": 20.0, "monetary_percentile": 70.0, "probability_alive": 0.49},  # Standard tier
    )
    scored = ValueTierScorer(weights=(0.0, 1.0, 0.0)).fit(frame).score(frame)
    assert scored["promotion_category"].tolist() == [VIP, REENGAGE, REENGAGE, STANDARD, STANDARD, REENGAGE]


def test_value_component_falls_back_on_historical_clv_without_a_prediction():
    frame = _rows({"predicted_clv_lifetime_aed": None, "historical_clv_aed": 300.0},
                  {"predicted_clv_lifetime_aed": None, "historical_clv_aed": 100.0},
                  {"predicted_clv_lifetime_aed": None, "historical_clv_aed": 100.0},
                  {"predicted_clv_lifetime_aed": None, "historical_clv_aed": 20.0})
    scored = ValueTierScorer().fit(frame).score(frame)
    # ties share a percentile: 20 -> 12.5, 100 -> (1 + 2/2)/4 = 50, 300 -> 87.5
    assert scored["value_component"].tolist() == [87.5, 50.0, 50.0, 12.5]


def test_scoring_in_shards_gives_the_rows_of_scoring_everyone():
    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame({
        "customer_id_nat": [f"C{i:04d}" for i in range(n)],
        **{name: rng.integers(1, 6, n) for name in ("recency_score", "frequency_score", "monetary_score")},
        "monetary_percentile": rng.uniform(0, 100, n).round(2),
        "behaviour_score": rng.uniform(0, 100, n).round(2),
        "predicted_clv_lifetime_aed": rng.lognormal(5, 1, n).round(2),
        "historical_clv_aed": rng.lognormal(4, 1, n).round(2),
        "probability_alive": rng.uniform(0, 1, n),
        "days_since_last_order": rng.integers(0, 400, n),
    })
    scorer = ValueTierScorer().fit(frame)
    whole = scorer.score(frame)
    shuffled = frame.sample(frac=1, random_state=1)
    parts = pd.concat([scorer.score(shuffled.iloc[start:start + 100]) for start in range(0, n, 100)])
    pd.testing.assert_frame_equal(parts.sort_values("customer_id_nat").reset_index(drop=True), whole)
    assert {"Gold VIP", "Silver VIP", "Standard"} <= set(whole["vip_tier"])


def test_input_and_setting_errors_are_clear():
    frame = _rows({}, {})
    with pytest.raises(ValueError, match=r"missing required columns \['behaviour_score'\]"):
        ValueTierScorer().fit(frame).score(frame.drop(columns="behaviour_score"))
    with pytest.raises(ValueError, match=r"null values in \['monetary_score'\]"):
        ValueTierScorer().fit(frame).score(frame.assign(monetary_score=[3, None]))
    with pytest.raises(ValueError, match="summing to 1"):
        ValueTierScorer(weights=(0.5, 0.3, 0.3)).fit(frame)
    with pytest.raises(ValueError, match="highest first, the last at 0"):
        ValueTierScorer(tiers=[("A", "A", 50.0, VIP), ("B", "B", 60.0, STANDARD), ("C", "C", 0.0, STANDARD)]).fit(
            frame)
    with pytest.raises(ValueError, match="unknown promotion categories"):
        ValueTierScorer(tiers=[("A", "A", 0.0, "Spam everyone")]).fit(frame)
    with pytest.raises(RuntimeError, match="call fit first"):
        ValueTierScorer().score(frame)


def test_ltv_weights_come_from_the_environment_with_clear_errors(monkeypatch):
    from analytics.scoring import ltv_score_weights

    assert ltv_score_weights() == (0.4, 0.3, 0.3)
    monkeypatch.setenv("ANALYTICS_LTV_SCORE_WEIGHTS", "50, 25, 25")
    assert ltv_score_weights() == (0.5, 0.25, 0.25)
    for bad in ("40,30,20", "40,30", "40,30,x"):
        monkeypatch.setenv("ANALYTICS_LTV_SCORE_WEIGHTS", bad)
        with pytest.raises(ValueError, match="three whole percentages summing to 100"):
            ltv_score_weights()
