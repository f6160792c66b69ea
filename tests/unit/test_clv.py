"""Tests of CLVCalculator (analytics/scorers/clv.py): feature checks, historical arithmetic, predictions,
percentile and tier, 30-day trend, diagnostics. The models are fitted on a simulated feature extract; the
rows scored are small frames built inline."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from analytics.scorers.btyd import DAYS_PER_MONTH, discounted_clv
from analytics.scorers.clv import FEATURE_COLUMNS, SCORE_COLUMNS, CLVCalculator
from analytics.scorers.simulate import simulate_bgnbd, simulate_gamma_gamma

SNAPSHOT = pd.Timestamp("2025-06-30")


def _simulated_features(n: int, seed: int) -> pd.DataFrame:
    """A feature extract as the SQL would give it, drawn from BG/NBD (days) and Gamma-Gamma (AED)."""
    rng = np.random.default_rng(seed)
    T_days = rng.integers(30, 731, n)
    frequency, recency = simulate_bgnbd(0.5, 56.0, 0.8, 2.5, T_days.astype(float), rng)
    recency_days = np.where(frequency > 0, np.clip(np.floor(recency), 1, T_days), 0).astype(np.int64)
    repeat_spend = simulate_gamma_gamma(6.0, 4.0, 60.0, frequency, rng) * frequency
    spend = rng.gamma(6.0, 20.0, n) + repeat_spend
    first = SNAPSHOT - pd.to_timedelta(T_days, unit="D")
    costed = np.where(rng.random(n) < 0.5, spend, 0.0)
    return pd.DataFrame(
        {
            "customer_id_nat": [f"C{i:06d}" for i in range(n)],
            "first_order_date": first,
            "last_order_date": first + pd.to_timedelta(recency_days, unit="D"),
            "orders_total": frequency + 1 + rng.binomial(frequency + 1, 0.1),
            "purchase_days_total": frequency + 1,
            "spend_total_aed": spend,
            "repeat_spend_aed": repeat_spend,
            "recency_days": recency_days,
            "T_days": T_days,
            "revenue_with_cost_aed": costed,
            "cost_aed": costed * 0.6,
        }
    )


def _rows(*rows: dict) -> pd.DataFrame:
    """Hand-made feature rows; unspecified columns get a plain one-time buyer's values."""
    base = {
        "first_order_date": pd.Timestamp("2025-01-01"), "last_order_date": pd.Timestamp("2025-01-01"),
        "orders_total": 1, "purchase_days_total": 1, "spend_total_aed": 100.0, "repeat_spend_aed": 0.0,
        "recency_days": 0, "T_days": 180, "revenue_with_cost_aed": 0.0, "cost_aed": 0.0,
    }
    return pd.DataFrame([{**base, **row} for row in rows])


@pytest.fixture(scope="module")
def fitted() -> CLVCalculator:
    return CLVCalculator().fit(_simulated_features(5000, seed=11))


def test_fit_recovers_the_simulated_models_in_weeks(fitted: CLVCalculator) -> None:
    bg, gg = fitted.params_["bg_nbd"], fitted.params_["gamma_gamma"]
    assert bg["r"] == pytest.approx(0.5, rel=0.15) and bg["alpha"] == pytest.approx(8.0, rel=0.15)  # 56 days
    assert gg["p"] * gg["gamma"] / (gg["q"] - 1) == pytest.approx(120.0, rel=0.05)


def test_missing_feature_columns_are_named() -> None:
    features = _simulated_features(50, seed=1).drop(columns=["T_days", "cost_aed"])
    with pytest.raises(ValueError, match="missing required columns: T_days, cost_aed"):
        CLVCalculator().fit(features)


def test_duplicate_customers_are_rejected(fitted: CLVCalculator) -> None:
    rows = _rows({"customer_id_nat": "A"}, {"customer_id_nat": "A"})
    with pytest.raises(ValueError, match="one row per customer_id_nat"):
        fitted.score(rows, SNAPSHOT)


def test_score_before_fit_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        CLVCalculator().score(_rows({"customer_id_nat": "A"}), SNAPSHOT)


def test_historical_metrics_follow_the_features(fitted: CLVCalculator) -> None:
    rows = _rows(
        # costed customer: margin (1000 - 600) / 1000 = 0.40 of 1,200 AED revenue
        {"customer_id_nat": "A", "first_order_date": pd.Timestamp("2024-06-30"), "orders_total": 6,
         "purchase_days_total": 5, "spend_total_aed": 1200.0, "repeat_spend_aed": 900.0, "recency_days": 300,
         "T_days": 365, "revenue_with_cost_aed": 1000.0, "cost_aed": 600.0},
        # no cost known: the default margin 0.30; tenure of 10 days counts as one month for orders_per_month
        {"customer_id_nat": "B", "first_order_date": pd.Timestamp("2025-06-20"), "T_days": 10},
    )
    scores = fitted.score(rows, SNAPSHOT).set_index("customer_id_nat")
    assert list(scores.reset_index().columns) == list(SCORE_COLUMNS)
    a, b = scores.loc["A"], scores.loc["B"]
    assert a["tenure_days"] == 365 and a["tenure_months"] == pytest.approx(365 / DAYS_PER_MONTH, abs=0.01)
    assert a["margin_pct"] == pytest.approx(0.40) and b["margin_pct"] == pytest.approx(0.30)
    assert a["historical_profit_aed"] == pytest.approx(480.0) and a["historical_clv_aed"] == pytest.approx(480.0)
    assert b["historical_profit_aed"] == pytest.approx(30.0)
    assert a["avg_order_value_aed"] == pytest.approx(200.0) and a["historical_orders"] == 6
    assert a["orders_per_month"] == pytest.approx(6 / (365 / DAYS_PER_MONTH), abs=1e-4)
    assert b["orders_per_month"] == pytest.approx(1.0)


def test_predictions_combine_the_two_models(fitted: CLVCalculator) -> None:
    rows = _rows(
        {"customer_id_nat": "repeat", "purchase_days_total": 5, "spend_total_aed": 1200.0,
         "repeat_spend_aed": 900.0, "recency_days": 150, "T_days": 180},
        {"customer_id_nat": "once"},
    )
    scores = fitted.score(rows, SNAPSHOT).set_index("customer_id_nat")
    bg, gg = fitted.bgnbd_, fitted.gamma_gamma_
    value = gg.conditional_expected_average_value([4, 0], [225.0, 0.0])
    expected = discounted_clv(bg, [4, 0], [150 / 7, 0], [180 / 7, 180 / 7], value, 0.30, (12, 36, 120), 0.10)
    np.testing.assert_allclose(
        scores[["predicted_clv_1y_aed", "predicted_clv_3y_aed", "predicted_clv_lifetime_aed"]].to_numpy(),
        np.round(expected, 2),
    )
    assert scores.loc["repeat", "expected_avg_order_value_aed"] == pytest.approx(value[0], abs=0.005)
    once = scores.loc["once"]
    assert once["probability_alive"] == 1.0 and once["clv_confidence_score"] == 0.0
    assert once["expected_avg_order_value_aed"] == pytest.approx(gg.expected_average_value(), abs=0.005)
    assert 0 < scores.loc["repeat", "clv_confidence_score"] < 1
    for _, row in scores.iterrows():
        assert 0 < row["predicted_clv_1y_aed"] <= row["predicted_clv_3y_aed"] <= row["predicted_clv_lifetime_aed"]


def test_percentile_and_tier_are_deterministic(fitted: CLVCalculator) -> None:
    # B and C are the same customer under two ids: the tie goes to the lower id, whatever the row order
    rows = _rows(
        {"customer_id_nat": "C", "purchase_days_total": 3, "repeat_spend_aed": 200.0, "recency_days": 100},
        {"customer_id_nat": "A"},
        {"customer_id_nat": "B", "purchase_days_total": 3, "repeat_spend_aed": 200.0, "recency_days": 100},
        {"customer_id_nat": "D", "purchase_days_total": 9, "repeat_spend_aed": 2000.0, "recency_days": 170},
    )
    ranked = copy.copy(fitted).fit_value_ranks(rows.iloc[::-1])  # the population percentiles are measured in
    first = ranked.score(rows, SNAPSHOT).set_index("customer_id_nat")
    again = ranked.score(rows.iloc[::-1], SNAPSHOT).set_index("customer_id_nat")
    shard = ranked.score(rows.iloc[[3, 1]], SNAPSHOT).set_index("customer_id_nat")
    pd.testing.assert_frame_equal(shard, first.loc[["D", "A"]])
    pd.testing.assert_frame_equal(first.sort_index(), again.sort_index())
    assert first["value_percentile"].to_dict() == {"C": 33.33, "A": 0.0, "B": 66.67, "D": 100.0}
    assert first["value_tier"].to_dict() == {"C": "Bronze", "A": "Bronze", "B": "Silver", "D": "Platinum"}
    custom = CLVCalculator(tiers=[("TOP", 90.0), ("REST", 0.0)])
    custom.bgnbd_, custom.gamma_gamma_, custom.predictive_ = fitted.bgnbd_, fitted.gamma_gamma_, True
    custom.fit_value_ranks(rows)
    assert custom.score(rows, SNAPSHOT)["value_tier"].tolist() == ["REST", "REST", "REST", "TOP"]


def test_tiers_must_be_an_ordered_table() -> None:
    with pytest.raises(ValueError, match="tiers must be ordered"):
        CLVCalculator(tiers=[("Low", 0.0), ("High", 90.0)]).fit(_simulated_features(50, seed=2))


def test_trend_against_the_previous_snapshot(fitted: CLVCalculator) -> None:
    rows = _rows(*({"customer_id_nat": c} for c in "ABCD"))
    now = fitted.score(rows, SNAPSHOT)["predicted_clv_lifetime_aed"].iloc[0]
    previous = pd.DataFrame({"customer_id_nat": ["A", "B", "C"],
                             "predicted_clv_lifetime_aed": [now - 10.0, now + 10.0, now * 1.005]})
    scores = fitted.score(rows, SNAPSHOT, previous=previous).set_index("customer_id_nat")
    assert scores["clv_trend_30d"].tolist() == ["UP", "DOWN", "FLAT", None]
    assert scores.loc["A", "clv_change_30d_aed"] == pytest.approx(10.0)
    assert np.isnan(scores.loc["D", "clv_change_30d_aed"])
    assert fitted.score(rows, SNAPSHOT)["clv_trend_30d"].isna().all()


def test_diagnostics_describe_both_fits(fitted: CLVCalculator) -> None:
    runs = fitted.diagnostics()
    assert set(runs) == {"bg_nbd", "gamma_gamma"}
    bg = runs["bg_nbd"]
    assert bg["model"] == "bg_nbd" and bg["time_unit"] == "weeks" and bg["converged"]
    assert bg["n_customers"] == 5000 and 0 < bg["n_compressed"] <= 5000
    assert set(bg["params"]) == {"r", "alpha", "a", "b"}
    assert bg["log_likelihood"] < 0 and bg["seconds"] >= 0 and bg["iterations"] > 0
    assert runs["gamma_gamma"]["frequency_monetary_correlation"] is not None


def test_scores_do_not_depend_on_the_fit_time_unit() -> None:
    features = _simulated_features(2000, seed=5)
    weeks = CLVCalculator(time_unit="weeks").fit(features).score(features, SNAPSHOT)
    days = CLVCalculator(time_unit="days").fit(features).score(features, SNAPSHOT)
    np.testing.assert_allclose(days["predicted_clv_lifetime_aed"], weeks["predicted_clv_lifetime_aed"],
                               rtol=1e-3, atol=0.02)


def test_feature_columns_match_the_sql_extract() -> None:
    assert FEATURE_COLUMNS == (
        "customer_id_nat", "first_order_date", "last_order_date", "orders_total", "purchase_days_total",
        "spend_total_aed", "repeat_spend_aed", "recency_days", "T_days", "revenue_with_cost_aed", "cost_aed",
    )


def test_too_few_customers_leave_the_predictions_empty_and_rank_by_history() -> None:
    rows = _rows(
        {"customer_id_nat": "A", "spend_total_aed": 100.0},
        {"customer_id_nat": "B", "spend_total_aed": 900.0, "purchase_days_total": 3, "orders_total": 3,
         "repeat_spend_aed": 600.0, "recency_days": 60},
    )
    calculator = CLVCalculator().fit(rows)
    assert not calculator.predictive_ and "2 customers" in calculator.skipped_reason_
    assert calculator.diagnostics() == {}
    scores = calculator.score(rows, SNAPSHOT).set_index("customer_id_nat")
    predicted = ["expected_transactions_1y", "probability_alive", "expected_avg_order_value_aed",
                 "predicted_clv_1y_aed", "predicted_clv_3y_aed", "predicted_clv_lifetime_aed"]
    assert scores[predicted].isna().all().all()
    assert (scores["clv_confidence_score"] == 0).all()
    assert scores.loc["B", "historical_clv_aed"] == pytest.approx(270.0)
    assert scores["value_percentile"].to_dict() == {"A": 0.0, "B": 100.0}
