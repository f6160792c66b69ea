"""Tests of ChurnPredictor (analytics/scorers/churn.py): held-out backtest against rules and recency,
calibration, rule fallback and its points, categories, trends, flags, churn date, priority, factor words,
determinism, sharding and input checks. The model is fitted once on a simulated extract (5,000 customers
whose churn depends on recency, pace, trend, frequency and returns); small frames are built inline."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analytics.scorers.churn import ACTIONS, OUTPUT_COLUMNS, ChurnPredictor
from analytics.scorers.churn_factors import CATEGORY_WORDS, FACTOR_WORDS, RULE_FACTOR_WORDS
from analytics.scorers.churn_features import customer_hash, rule_points
from analytics.scorers.simulate import simulate_churn_frames

SNAPSHOT = pd.Timestamp("2025-10-31")


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate_churn_frames(5000, seed=3, snapshot=SNAPSHOT)


@pytest.fixture(scope="module")
def fitted(frames: tuple[pd.DataFrame, pd.DataFrame]) -> ChurnPredictor:
    return ChurnPredictor().fit(frames[0])


@pytest.fixture(scope="module")
def rules_only() -> ChurnPredictor:
    """Too little history for a model: everyone is scored by the rules."""
    return ChurnPredictor().fit(_rows({"churned": 1}, {"churned": 0}, {"churned": 1}))


def _rows(*rows: dict, snapshot: pd.Timestamp = SNAPSHOT) -> pd.DataFrame:
    """Hand-made feature rows: a steady repeat buyer unless overridden; last_order_date follows
    days_since_last_order. Ids C1, C2, ... unless given."""
    base = {
        "orders_total": 10, "purchase_days_total": 10, "orders_30d": 1, "orders_90d": 3, "orders_180d": 6,
        "orders_365d": 10, "orders_prev_90d": 3, "spend_total_aed": 2000.0, "spend_30d_aed": 200.0,
        "spend_90d_aed": 600.0, "spend_180d_aed": 1200.0, "spend_365d_aed": 2000.0, "spend_prev_90d_aed": 600.0,
        "repeat_spend_aed": 1800.0, "recency_days": 330, "T_days": 340, "days_since_last_order": 10,
        "tenure_days": 340, "avg_days_between_orders": 36.7, "std_days_between_orders": 8.0, "returns_90d": 0,
        "returns_90d_aed": 0.0, "loyalty_tier": "Silver", "is_vip_flag": 0, "region": "UAE",
        "acquisition_channel": "web",
    }
    frame = pd.DataFrame([{"customer_id_nat": f"C{i + 1}", **base, **row} for i, row in enumerate(rows)])
    frame["snapshot_date"] = snapshot
    frame["last_order_date"] = snapshot - pd.to_timedelta(frame["days_since_last_order"], unit="D")
    frame["first_order_date"] = snapshot - pd.to_timedelta(frame["T_days"], unit="D")
    return frame


def _one_time(**row: object) -> dict:
    """A one-time buyer `days` ago: one order, no interval, windows holding it where they reach."""
    days = int(row.pop("days_since_last_order", 30))
    spend = float(row.pop("spend", 300.0))
    within = {k: int(days < k) for k in (30, 90, 180, 365)}
    return {
        "orders_total": 1, "purchase_days_total": 1, **{f"orders_{k}d": v for k, v in within.items()},
        "orders_prev_90d": int(90 <= days < 180), "spend_total_aed": spend,
        **{f"spend_{k}d_aed": spend * v for k, v in within.items()},
        "spend_prev_90d_aed": spend * int(90 <= days < 180), "repeat_spend_aed": 0.0, "recency_days": 0,
        "T_days": days, "tenure_days": days, "days_since_last_order": days, "avg_days_between_orders": np.nan,
        "std_days_between_orders": np.nan, **row,
    }


# -- backtest --------------------------------------------------------------------------------------------


def test_model_beats_rules_and_recency_on_held_out_customers(fitted: ChurnPredictor) -> None:
    backtest = fitted.backtest_
    assert fitted.uses_model_ and backtest["evaluated_on"] == "holdout"
    model, rules, recency = backtest["model"], backtest["rules"], backtest["recency"]
    assert model["n"] == rules["n"] == recency["n"] == fitted.n_holdout_ > 1000
    assert model["roc_auc"] > rules["roc_auc"] + 0.02
    assert model["roc_auc"] > recency["roc_auc"] + 0.01
    assert model["pr_auc"] > max(rules["pr_auc"], recency["pr_auc"])


def test_held_out_part_is_a_quarter_of_customers_by_id_hash(frames: tuple, fitted: ChurnPredictor) -> None:
    train = frames[0]
    fraction = (customer_hash(train["customer_id_nat"]) >> np.uint64(11)).astype(float) * 2.0**-53
    assert fitted.n_holdout_ == int((fraction < 0.25).sum())
    assert fitted.n_train_ + fitted.n_holdout_ == len(train)
    assert 0.22 < fitted.n_holdout_ / len(train) < 0.28


def test_probabilities_are_calibrated_on_held_out_customers(fitted: ChurnPredictor, frames: tuple) -> None:
    model = fitted.backtest_["model"]
    assert model["brier"] < 0.6 * fitted.backtest_["brier_base_rate"]
    assert model["brier"] < fitted.backtest_["rules"]["brier"]
    assert abs(model["mean_score"] - model["base_rate"]) < 0.03  # calibration-in-the-large
    out = fitted.score(frames[1], SNAPSHOT)
    assert out["churn_probability"].between(0.0, 1.0).all()
    assert out["churn_risk_score"].between(0, 100).all()


def test_diagnostics_are_one_json_ready_model_run_row(fitted: ChurnPredictor) -> None:
    run = json.loads(json.dumps(fitted.diagnostics()))
    assert run["model"] == "churn_logistic_regression" and run["scored_by"] == "model"
    assert run["training_cutoff"] == "2025-08-02" and run["outcome_end"] == "2025-10-31"
    assert run["horizon_days"] == 90 and run["n_customers"] == fitted.n_customers_
    assert set(run["metrics"]) >= {"model", "rules", "recency", "brier_base_rate"}
    assert {"roc_auc", "pr_auc", "brier", "base_rate", "n"} <= set(run["metrics"]["model"])
    assert run["metrics"]["recency"]["brier"] is None  # days are no probability
    assert "log_days_since_last_order" in run["coefficients"] and "intercept" in run["coefficients"]
    assert run["bg_nbd"]["model"] == "bg_nbd" and run["bg_nbd"]["time_unit"] == "weeks"
    assert run["calibrator"]["method"] == "sigmoid" and {"a_", "b_"} <= set(run["calibrator"])
    assert fitted.metrics() == fitted.diagnostics()


# -- fallback and rule points -------------------------------------------------------------------------------


def test_too_few_customers_falls_back_to_rules(rules_only: ChurnPredictor) -> None:
    assert not rules_only.uses_model_ and rules_only.pipeline_ is None
    assert "3 customers < 500" in rules_only.fallback_reason_
    assert rules_only.backtest_["model"] is None and rules_only.backtest_["evaluated_on"] == "all"
    features = _rows({"days_since_last_order": 45}, _one_time(days_since_last_order=200))
    out = rules_only.score(features, SNAPSHOT)
    assert (out["scored_by"] == "rules").all()
    points = rule_points(features).sum(axis=1).to_numpy()
    np.testing.assert_allclose(out["churn_probability"], points / 100.0)
    assert rules_only.diagnostics()["model"] == "churn_rules"


def test_too_few_churners_falls_back_to_rules(frames: tuple) -> None:
    train = frames[0]
    few = pd.concat([train[train["churned"] == 0], train[train["churned"] == 1].head(20)])
    predictor = ChurnPredictor().fit(few)
    assert not predictor.uses_model_ and predictor.fallback_reason_ == "20 churners < 50"
    assert (predictor.score(frames[1].head(50), SNAPSHOT)["scored_by"] == "rules").all()


def test_rule_points_by_hand_on_three_customers() -> None:
    features = _rows(
        # 45 days: 15; one order in 90 days: 20; 320 AED: 15; 1 vs 3 before, below half: 15
        {"days_since_last_order": 45, "orders_90d": 1, "orders_prev_90d": 3, "spend_90d_aed": 320.0},
        # 120 days, capped at 30; nothing in 90 days: 30 + 25; 0 vs 2 before: 15
        {"days_since_last_order": 120, "orders_90d": 0, "orders_30d": 0, "orders_prev_90d": 2, "spend_90d_aed": 0.0,
         "spend_30d_aed": 0.0},
        # 9 days: 3; four orders: 0; 1,500 AED: 0 (not below the upper band); 4 vs 5 before: 10
        {"days_since_last_order": 9, "orders_90d": 4, "orders_prev_90d": 5, "spend_90d_aed": 1500.0},
    )
    points = rule_points(features)
    assert points.to_dict("records") == [
        {"recency": 15.0, "frequency": 20.0, "spend": 15.0, "trend": 15.0},
        {"recency": 30.0, "frequency": 30.0, "spend": 25.0, "trend": 15.0},
        {"recency": 3.0, "frequency": 0.0, "spend": 0.0, "trend": 10.0},
    ]
    assert rule_points(_rows({"orders_90d": 2, "spend_90d_aed": 499.99})).loc[0, ["frequency", "spend"]].tolist() == [
        15.0, 15.0
    ]


def test_rule_factors_are_the_components_with_most_points(rules_only: ChurnPredictor) -> None:
    features = _rows(
        {"days_since_last_order": 45, "orders_90d": 1, "orders_prev_90d": 3, "spend_90d_aed": 320.0},
        {"days_since_last_order": 9, "orders_90d": 4, "orders_prev_90d": 5, "spend_90d_aed": 1500.0},
    )
    out = rules_only.score(features, SNAPSHOT)
    # 20 frequency, then 15 recency, spend and trend: ties in component order
    assert out.loc[0, ["top_churn_factor_1", "top_churn_factor_2", "top_churn_factor_3"]].tolist() == [
        "Few orders in the last 90 days (1)", "No order for 45 days", "Low spend in the last 90 days (320 AED)",
    ]
    assert out.loc[1, "top_churn_factor_1"] == "Orders down vs previous quarter (5 -> 4)"
    assert out.loc[1, "top_churn_factor_2"] == "No order for 9 days"
    assert pd.isna(out.loc[1, "top_churn_factor_3"])  # spend and frequency have no points


# -- categories, trends, flags, dates, priority -------------------------------------------------------------


def test_categories_at_the_25_50_75_boundaries(rules_only: ChurnPredictor) -> None:
    steady = {"orders_90d": 3, "orders_prev_90d": 3, "spend_90d_aed": 1500.0}
    one_order = {"orders_90d": 1, "orders_30d": 0, "orders_prev_90d": 0, "spend_90d_aed": 1500.0}
    features = _rows(
        {**steady, "days_since_last_order": 75},  # 25
        {**steady, "days_since_last_order": 78},  # 26
        {**one_order, "days_since_last_order": 90},  # 30 + 20 = 50
        {**one_order, "days_since_last_order": 48, "spend_90d_aed": 300.0},  # 16 + 20 + 15 = 51
        {**one_order, "days_since_last_order": 90, "spend_90d_aed": 300.0, "orders_prev_90d": 2},  # 30+20+15+10
        {"days_since_last_order": 63, "orders_90d": 0, "orders_30d": 0, "orders_prev_90d": 0,
         "spend_90d_aed": 0.0, "spend_30d_aed": 0.0},  # 21 + 30 + 25 = 76
    )
    out = rules_only.score(features, SNAPSHOT)
    assert out["churn_risk_score"].tolist() == [25, 26, 50, 51, 75, 76]
    assert out["churn_risk_category"].tolist() == ["Low", "Medium", "Medium", "High", "High", "Critical"]
    assert out["recommended_action"].tolist() == [ACTIONS[c] for c in out["churn_risk_category"]]
    assert ACTIONS["Critical"] == "Immediate personal outreach" and ACTIONS["Low"] == "Monitor"


def test_trends_at_half_and_one_and_a_half_times_the_monthly_average(rules_only: ChurnPredictor) -> None:
    # six orders in 90 days is two a month: 1 in 30 days is exactly half (stable), 3 exactly 1.5x (stable)
    features = _rows(*(
        {"orders_90d": 6, "orders_30d": k, "spend_90d_aed": 600.0, "spend_30d_aed": s, "orders_prev_90d": p}
        for k, s, p in ((0, 99.99, 13), (1, 100.0, 12), (3, 300.0, 4), (4, 300.01, 3))
    ), {"orders_90d": 0, "orders_30d": 0, "spend_90d_aed": 0.0, "spend_30d_aed": 0.0, "orders_prev_90d": 0},
       {"orders_90d": 1, "orders_30d": 0, "spend_30d_aed": 0.0, "orders_prev_90d": 0})
    out = rules_only.score(features, SNAPSHOT)
    assert out["order_frequency_trend"].tolist() == ["decreasing", "stable", "stable", "increasing", "stable",
                                                     "decreasing"]
    assert out["spend_trend"].tolist() == ["decreasing", "stable", "stable", "increasing", "stable", "decreasing"]
    # quarter over quarter: 6 vs 13 below half, 6 vs 12 half, 6 vs 4 exactly 1.5x, 6 vs 3 above; 0 vs 0; 1 vs 0
    assert out["engagement_trend"].tolist() == ["decreasing", "stable", "stable", "increasing", "stable",
                                                "increasing"]


def test_flags_interval_change_and_returns(rules_only: ChurnPredictor) -> None:
    features = _rows(
        {"days_since_last_order": 60, "avg_days_between_orders": 40.0, "returns_90d": 1, "orders_90d": 3},
        {"days_since_last_order": 20, "avg_days_between_orders": 40.0, "returns_90d": 1, "orders_90d": 4},
        _one_time(days_since_last_order=30, returns_90d=1),
    )
    out = rules_only.score(features, SNAPSHOT)
    assert out["avg_order_interval_change_pct"].tolist()[:2] == [50.0, -50.0]
    assert pd.isna(out.loc[2, "avg_order_interval_change_pct"])
    assert out["is_one_time_buyer"].tolist() == [False, False, True]
    # 1 return in 3 orders is above the 0.3 rate, 1 in 4 below it; one return of a single order is high
    assert out["has_high_returns"].tolist() == [True, False, True]
    assert out["returns_count_90_days"].tolist() == [1, 1, 1]


def test_predicted_churn_date_never_before_the_snapshot(rules_only: ChurnPredictor) -> None:
    features = _rows(
        {"days_since_last_order": 10, "avg_days_between_orders": 60.0},  # last + max(90, 120): 110 days on
        {"days_since_last_order": 10, "avg_days_between_orders": 20.3},  # last + 90
        _one_time(days_since_last_order=30),  # last + 90
        {"days_since_last_order": 200, "avg_days_between_orders": 30.0},  # overdue: the snapshot itself
    )
    out = rules_only.score(features, SNAPSHOT)
    assert out["days_until_predicted_churn"].tolist() == [110, 80, 60, 0]
    expected = SNAPSHOT + pd.to_timedelta([110, 80, 60, 0], unit="D")
    assert (out["predicted_churn_date"] == expected).all()
    assert (out["predicted_churn_date"] >= SNAPSHOT).all()


def test_priority_from_category_and_value(frames: tuple) -> None:
    predictor = ChurnPredictor().fit(_rows({"churned": 1, "spend_365d_aed": 100.0}, {"churned": 0},
                                           {"churned": 1, "spend_365d_aed": 5000.0}))
    cutoff = predictor.value_cutoff_aed_  # the 80th percentile of (100, 2000, 5000)
    assert cutoff == pytest.approx(3800.0)
    steady = {"orders_90d": 3, "orders_prev_90d": 3, "spend_90d_aed": 1500.0}
    lapsed = {"days_since_last_order": 200, "orders_90d": 0, "orders_30d": 0, "orders_prev_90d": 0,
              "spend_90d_aed": 0.0, "spend_30d_aed": 0.0}
    features = _rows(
        {**lapsed, "spend_365d_aed": 5000.0}, {**lapsed, "spend_365d_aed": 500.0},
        {**steady, "days_since_last_order": 5, "spend_365d_aed": 5000.0},
        {**steady, "days_since_last_order": 5, "spend_365d_aed": 500.0},
    )
    out = predictor.score(features, SNAPSHOT)
    assert out["churn_risk_category"].tolist() == ["Critical", "Critical", "Low", "Low"]
    assert out["intervention_priority"].tolist() == [1, 2, 4, 5]


# -- factors ------------------------------------------------------------------------------------------------


def _word_patterns() -> list[re.Pattern]:
    templates = [w for w, _, _ in FACTOR_WORDS.values()] + [w for pair in CATEGORY_WORDS.values() for w in pair]
    return [re.compile("^" + re.sub(r"\\\{[a-z0-9_]+\\\}", ".*", re.escape(t)) + "$") for t in templates]


def test_every_factor_is_one_of_the_business_phrases(fitted: ChurnPredictor, frames: tuple) -> None:
    out = fitted.score(frames[1], SNAPSHOT)
    patterns = _word_patterns()
    named = pd.concat([out[f"top_churn_factor_{k}"] for k in (1, 2, 3)]).dropna().unique()
    assert len(named) > 100
    unmatched = [w for w in named if not any(p.match(w) for p in patterns)]
    assert unmatched == []
    assert not any("Orders up" in w or "Busier" in w for w in named)  # never a harmless side as a reason
    # a row's factors are distinct and fill from the first
    for a, b in ((1, 2), (2, 3), (1, 3)):
        both = out[f"top_churn_factor_{a}"].notna() & out[f"top_churn_factor_{b}"].notna()
        assert (out.loc[both, f"top_churn_factor_{a}"] != out.loc[both, f"top_churn_factor_{b}"]).all()
    assert not (out["top_churn_factor_1"].isna() & out["top_churn_factor_2"].notna()).any()
    assert set(RULE_FACTOR_WORDS) == {"recency", "frequency", "spend", "trend"}


def test_factors_follow_each_customers_own_reasons(fitted: ChurnPredictor) -> None:
    features = _rows(
        # a weekly-ish buyer silent for 200 days
        {"days_since_last_order": 200, "orders_total": 30, "purchase_days_total": 30, "orders_30d": 0,
         "orders_90d": 0, "orders_180d": 0, "orders_365d": 16, "orders_prev_90d": 0, "spend_total_aed": 6000.0,
         "spend_30d_aed": 0.0, "spend_90d_aed": 0.0, "spend_180d_aed": 0.0, "spend_365d_aed": 3200.0,
         "spend_prev_90d_aed": 0.0, "repeat_spend_aed": 5800.0, "recency_days": 290, "T_days": 490,
         "tenure_days": 490, "avg_days_between_orders": 10.0, "std_days_between_orders": 4.0},
        # active, but returning much and spending less than last quarter
        {"days_since_last_order": 5, "orders_total": 12, "purchase_days_total": 12, "orders_30d": 1,
         "orders_90d": 2, "orders_180d": 6, "orders_365d": 10, "orders_prev_90d": 4, "spend_total_aed": 3000.0,
         "spend_30d_aed": 200.0, "spend_90d_aed": 400.0, "spend_180d_aed": 1400.0, "spend_365d_aed": 2500.0,
         "spend_prev_90d_aed": 1000.0, "repeat_spend_aed": 2800.0, "recency_days": 400, "T_days": 405,
         "tenure_days": 405, "avg_days_between_orders": 36.0, "std_days_between_orders": 10.0, "returns_90d": 2,
         "returns_90d_aed": 300.0},
        _one_time(days_since_last_order=60, spend=150.0),
    )
    out = fitted.score(features, SNAPSHOT)
    factors = out[["top_churn_factor_1", "top_churn_factor_2", "top_churn_factor_3"]].to_numpy()
    assert factors[0, 0] == "No order for 200 days (20.0x their usual gap)"
    assert factors[1, 0] == "High return rate (2 returns in 90 days)"
    assert "Orders down vs previous quarter (4 -> 2)" in factors[1] or "Spend down" in str(factors[1])
    assert "One-time buyer" in factors[2]
    assert out["churn_probability"].iloc[0] > out["churn_probability"].iloc[1]
    # the contributions behind them add up to the log-odds against the reference customer
    contributions = fitted.contributions(features)
    logistic = fitted._logistic()
    prepared = fitted.pipeline_["prepare"].transform(fitted._prepared(features))
    logit = logistic.intercept_[0] + prepared @ logistic.coef_[0]
    np.testing.assert_allclose(contributions.sum(axis=1), logit - fitted.reference_logit_, atol=1e-9)
    assert contributions.loc[0].idxmax() == "recency"


# -- determinism, shards, checks ------------------------------------------------------------------------------


def test_same_input_gives_identical_output_whatever_the_row_order(fitted: ChurnPredictor, frames: tuple) -> None:
    train, score = frames
    first = fitted.score(score, SNAPSHOT)
    again = ChurnPredictor().fit(train.sample(frac=1.0, random_state=1))  # shuffled rows: same fit
    pd.testing.assert_frame_equal(again.score(score, SNAPSHOT), first)
    pd.testing.assert_frame_equal(fitted.score(score, SNAPSHOT), first)
    assert again.backtest_ == fitted.backtest_


def test_four_shards_by_id_hash_give_the_rows_of_one_run(fitted: ChurnPredictor, frames: tuple) -> None:
    score = frames[1]
    whole = fitted.score(score, SNAPSHOT)
    shard = customer_hash(score["customer_id_nat"]) % np.uint64(4)
    parts = [fitted.score(score[shard == k], SNAPSHOT) for k in range(4)]
    assert all(len(p) for p in parts)
    joined = pd.concat(parts, ignore_index=True).sort_values("customer_id_nat", ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole.sort_values("customer_id_nat", ignore_index=True))


def test_output_has_the_fact_columns_in_input_order(fitted: ChurnPredictor, frames: tuple) -> None:
    score = frames[1].iloc[::-1].head(200)
    out = fitted.score(score, SNAPSHOT)
    assert list(out.columns) == OUTPUT_COLUMNS
    assert out["customer_id_nat"].tolist() == score["customer_id_nat"].tolist()
    assert (out["snapshot_date"] == SNAPSHOT).all() and (out["scored_by"] == "model").all()
    assert (out["model_version"] == "churn-logreg-1").all()
    assert set(out["churn_risk_category"]) <= {"Low", "Medium", "High", "Critical"}
    assert out["intervention_priority"].between(1, 5).all()
    assert out["probability_alive"].between(0.0, 1.0).all()


def test_missing_columns_are_named(fitted: ChurnPredictor, frames: tuple) -> None:
    train, score = frames
    with pytest.raises(ValueError, match="training frame is missing required columns: churned"):
        ChurnPredictor().fit(train.drop(columns=["churned"]))
    with pytest.raises(ValueError, match="missing required columns: orders_prev_90d, returns_90d"):
        fitted.score(score.drop(columns=["returns_90d", "orders_prev_90d"]), SNAPSHOT)


def test_bad_input_is_rejected(fitted: ChurnPredictor, frames: tuple) -> None:
    train, score = frames
    with pytest.raises(ValueError, match="duplicate customer_id_nat"):
        fitted.score(pd.concat([score.head(3), score.head(1)]), SNAPSHOT)
    with pytest.raises(ValueError, match="churned must be 0/1"):
        ChurnPredictor().fit(train.assign(churned=2))
    with pytest.raises(ValueError, match="features are as of"):
        fitted.score(score, SNAPSHOT + pd.Timedelta(days=1))
    future = score.head(5).copy()
    future.loc[future.index[0], "last_order_date"] = SNAPSHOT + pd.Timedelta(days=3)
    with pytest.raises(ValueError, match="features from the future"):
        fitted.score(future, SNAPSHOT)
    with pytest.raises(RuntimeError, match="not fitted"):
        ChurnPredictor().score(score, SNAPSHOT)


def test_scoring_a_day_whose_outcome_the_model_learnt_is_refused(fitted: ChurnPredictor, frames: tuple) -> None:
    early = fitted.training_cutoff_ + pd.Timedelta(days=30)
    features = frames[0].drop(columns=["churned"]).assign(snapshot_date=early)
    with pytest.raises(ValueError, match="learnt outcomes up to 2025-10-31"):
        fitted.score(features, early)


def test_no_repeat_buyer_leaves_probability_alive_null(rules_only: ChurnPredictor) -> None:
    predictor = ChurnPredictor().fit(_rows(_one_time(churned=1), _one_time(churned=0, days_since_last_order=5)))
    assert predictor.bet_geo_ is None
    out = predictor.score(_rows(_one_time()), SNAPSHOT)
    assert out["probability_alive"].isna().all() and (out["scored_by"] == "rules").all()
    assert rules_only.bet_geo_ is not None


def test_an_empty_training_set_scores_everyone_by_the_rules(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, score_frame = frames
    predictor = ChurnPredictor().fit(train.iloc[0:0])
    scored = predictor.score(score_frame, score_frame["snapshot_date"].iloc[0])
    assert not predictor.uses_model_ and (scored["scored_by"] == "rules").all()
    assert scored["probability_alive"].isna().all() and scored["churn_risk_score"].between(0, 100).all()
    assert predictor.diagnostics()["training_cutoff"] is None
