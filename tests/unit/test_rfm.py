"""Tests of the RFM segment rule table and of RFMCalculator, on small hand-built frames (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.scorers.rfm import OUTPUT_COLUMNS, RFMCalculator
from analytics.scorers.rfm_segments import (
    SEGMENT_RULES_PATH,
    cell_index,
    load_segment_rules,
    segment_lookup,
    unreachable_segments,
)

SNAPSHOT = dt.date(2025, 10, 31)
SEGMENT_NAMES = [
    "Champions", "Loyal Customers", "Potential Loyalists", "Recent Customers", "Promising", "Needs Attention",
    "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
]


def _features(days: list[int], orders: list[int], spend: list[float], **columns: list) -> pd.DataFrame:
    """A feature extract: days since last order, lifetime orders and spend per customer; windows derived."""
    n = len(days)
    days_since = np.asarray(days)
    frame = {
        "customer_id_nat": [f"C{i:02d}" for i in range(n)],
        "first_order_date": [SNAPSHOT - dt.timedelta(days=400)] * n,
        "last_order_date": [SNAPSHOT - dt.timedelta(days=int(d)) for d in days],
        "orders_total": orders,
        "purchase_days_total": orders,
        "avg_days_between_orders": [np.nan if o < 2 else 30.0 for o in orders],
        "tenure_days": [400] * n,
        "spend_total_aed": spend,
    }
    for window in (30, 90, 180, 365):
        inside = days_since <= window
        frame[f"orders_{window}d"] = np.where(inside, orders, 0)
        frame[f"spend_{window}d_aed"] = np.where(inside, spend, 0.0)
    frame.update(columns)
    return pd.DataFrame(frame)


def _ranked(r: int, f: int, m: int) -> pd.DataFrame:
    """Five customers with distinct values, so each measure's scores are exactly 1..5; C00 gets (r, f, m)."""
    def ranks(first: int) -> list[int]:
        return [first] + [k for k in range(1, 6) if k != first]

    return _features(
        days=[(5 - k) * 10 for k in ranks(r)], orders=ranks(f), spend=[100.0 * k for k in ranks(m)]
    )


def _score(features: pd.DataFrame, previous: pd.DataFrame | None = None, **settings: object) -> pd.DataFrame:
    return RFMCalculator(**settings).fit(features, SNAPSHOT).score(features, previous)


def _write(rules: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "rules.csv"
    rules.to_csv(path, index=False)
    return path


# -- segment rule table ---------------------------------------------------------------------------------


def test_shipped_rules_name_the_eleven_segments_and_none_is_unreachable() -> None:
    rules = load_segment_rules()
    assert sorted(rules["segment_name"]) == sorted(SEGMENT_NAMES)
    assert rules["priority"].is_monotonic_increasing
    assert unreachable_segments(rules) == []
    assert (segment_lookup(rules) >= 0).all()


def test_naive_rule_order_makes_cant_lose_them_and_lost_unreachable(tmp_path: Path) -> None:
    # Same ranges, listed in the order segments are usually named: the wide "At Risk" and "Hibernating"
    # rules now come first and swallow every cell of "Can't Lose Them" and "Lost".
    naive = load_segment_rules().set_index("segment_name").loc[SEGMENT_NAMES].reset_index()
    naive["priority"] = range(1, len(naive) + 1)
    assert unreachable_segments(naive) == ["Can't Lose Them", "Lost"]
    with pytest.raises(ValueError, match=r"shadowed .*Can't Lose Them.*Lost"):
        load_segment_rules(_write(naive, tmp_path))


def test_first_matching_rule_wins_where_ranges_overlap() -> None:
    rules = load_segment_rules()
    names = rules["segment_name"].to_numpy()[segment_lookup(rules)]
    # (1,5,5) lies in both "Can't Lose Them" and the wider "At Risk"; the earlier priority wins.
    assert names[cell_index(1, 5, 5)] == "Can't Lose Them"
    assert names[cell_index(1, 5, 3)] == "At Risk"
    assert names[cell_index(1, 1, 1)] == "Lost"
    assert names[cell_index(1, 1, 3)] == "Hibernating"


def test_duplicate_code_and_priority_are_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules.loc[1, "segment_code"] = rules.loc[0, "segment_code"]
    rules.loc[2, "priority"] = rules.loc[3, "priority"]
    with pytest.raises(ValueError, match=r"duplicate segment_code: \['CHAMPIONS'\].*duplicate priority"):
        load_segment_rules(_write(rules, tmp_path))


def test_gap_in_coverage_is_rejected_naming_the_cells(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules = rules[rules["segment_name"] != "Hibernating"]  # leaves R=1,F=2 and R=1,F=1,M>=3 uncovered
    with pytest.raises(ValueError, match=r"8 \(R,F,M\) cells match no rule: 113, 114, 115, 121"):
        load_segment_rules(_write(rules, tmp_path))


def test_ranges_outside_1_to_5_or_inverted_are_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules.loc[0, "r_max"] = 6
    rules.loc[1, "f_min"], rules.loc[1, "f_max"] = 5, 4
    with pytest.raises(ValueError, match=r"r_max not a whole number in 1..5 for \['CHAMPIONS'\].*f_min > f_max"):
        load_segment_rules(_write(rules, tmp_path))


def test_missing_rule_column_is_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules().drop(columns=["m_min"])
    with pytest.raises(ValueError, match=r"missing columns \['m_min'\]"):
        load_segment_rules(_write(rules, tmp_path))


def test_shipped_rule_file_is_the_seed_csv() -> None:
    assert SEGMENT_RULES_PATH.parts[-3:] == ("sql", "seed", "dim_customer_segment.csv")


# -- scores -----------------------------------------------------------------------------------------------


def test_ten_distinct_customers_fall_two_per_quintile() -> None:
    out = _score(_features(days=list(range(10)), orders=list(range(1, 11)), spend=[10.0 * k for k in range(10)]))
    assert list(out.columns) == OUTPUT_COLUMNS
    assert out["frequency_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out["monetary_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out["frequency_percentile"].tolist() == [5.0, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0, 95.0]


def test_more_recent_customers_get_higher_recency_scores_and_percentiles() -> None:
    out = _score(_features(days=[0, 7, 45, 200, 900], orders=[1] * 5, spend=[50.0] * 5))
    assert out["days_since_last_order"].tolist() == [0, 7, 45, 200, 900]
    assert out["recency_score"].tolist() == [5, 4, 3, 2, 1]
    assert out["recency_percentile"].tolist() == [90.0, 70.0, 50.0, 30.0, 10.0]


def test_quantile_edges_give_the_threshold_of_each_score() -> None:
    calculator = RFMCalculator().fit(
        _features(days=list(range(10)), orders=list(range(1, 11)), spend=[10.0 * k for k in range(10)]), SNAPSHOT
    )
    edges = calculator.quantile_edges_
    assert edges["recency"].tolist() == [7, 5, 3, 1]  # at most 7 days for R >= 2, ..., at most 1 day for R = 5
    assert edges["frequency"].tolist() == [3, 5, 7, 9]
    assert edges["monetary"].tolist() == [20.0, 40.0, 60.0, 80.0]


def test_equal_values_share_a_score_whatever_their_ids_or_row_order() -> None:
    features = _features(days=[10] * 5, orders=[1, 1, 2, 3, 3], spend=[100.0] * 5)
    out = _score(features)
    # Midpoint ranks: the two 1s sit at percentile 20 -> score 2; 2 at 50 -> 3; the two 3s at 80 -> 5.
    assert out["frequency_score"].tolist() == [2, 2, 3, 5, 5]
    assert out["frequency_percentile"].tolist() == [20.0, 20.0, 50.0, 80.0, 80.0]
    reordered = features.iloc[::-1].assign(customer_id_nat=["Z", "A", "M", "B", "Y"])
    again = _score(reordered)
    assert again["frequency_score"].tolist() == [5, 5, 3, 2, 2]


def test_rfm_score_is_r_f_m_text_and_composite_is_100r_10f_m() -> None:
    out = _score(_ranked(5, 4, 3))
    first = out.iloc[0]
    assert (first["recency_score"], first["frequency_score"], first["monetary_score"]) == (5, 4, 3)
    assert first["rfm_score"] == "543"
    assert first["rfm_composite_score"] == 543
    composite = 100 * out["recency_score"] + 10 * out["frequency_score"] + out["monetary_score"]
    assert (out["rfm_composite_score"] == composite).all()
    assert (out["rfm_score"] == composite.astype(str)).all()


def test_one_customer_scores_the_middle() -> None:
    out = _score(_features(days=[12], orders=[3], spend=[300.0]))
    row = out.iloc[0]
    assert row["rfm_score"] == "333"
    assert (row["recency_percentile"], row["frequency_percentile"], row["monetary_percentile"]) == (50, 50, 50)
    assert row["segment_name"] == "Needs Attention"


def test_all_identical_customers_score_the_same_middle() -> None:
    out = _score(_features(days=[20] * 6, orders=[2] * 6, spend=[80.0] * 6))
    assert set(out["rfm_score"]) == {"333"}
    assert set(out["cltv_group"]) == {"Low"}  # every value equals both cut-offs: the lower group


def test_zero_spend_customers_tie_at_the_bottom_and_have_zero_value() -> None:
    out = _score(_features(days=[5, 5, 5, 5, 5], orders=[1, 1, 2, 1, 1], spend=[0.0, 0.0, 40.0, 70.0, 90.0]))
    # The two zeros fill the bottom 40%: midpoint percentile 20 -> score 2, and no customer scores 1.
    assert out["monetary_score"].tolist() == [2, 2, 3, 4, 5]
    assert out["monetary_percentile"].tolist()[:2] == [20.0, 20.0]
    assert out["customer_aov"].tolist()[:2] == [0.0, 0.0]
    assert out["cltv"].tolist()[:2] == [0.0, 0.0]


def test_frequency_and_monetary_measures_are_settings() -> None:
    # C00 ordered most over its lifetime but not at all in the last 365 days.
    features = _features(days=[400, 10, 20, 30, 40], orders=[9, 1, 2, 3, 4], spend=[900.0, 10, 20, 30, 40])
    lifetime = _score(features)
    window = _score(features, frequency_column="orders_365d", monetary_column="spend_365d_aed")
    assert (lifetime.loc[0, "frequency_score"], lifetime.loc[0, "monetary_score"]) == (5, 5)
    assert (window.loc[0, "frequency_score"], window.loc[0, "monetary_score"]) == (1, 1)
    assert lifetime.loc[0, "segment_name"] == "Can't Lose Them"
    with pytest.raises(ValueError, match="frequency_column must be one of"):
        _score(features, frequency_column="orders_7d")


# -- segments and change vs the previous snapshot ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "segment"),
    [
        ("555", "Champions"), ("541", "Loyal Customers"), ("155", "Can't Lose Them"), ("231", "At Risk"),
        ("515", "Recent Customers"), ("413", "Promising"), ("522", "Potential Loyalists"),
        ("323", "Needs Attention"), ("211", "About to Sleep"), ("111", "Lost"), ("121", "Hibernating"),
    ],
)
def test_each_segment_is_assigned_from_its_scores(cell: str, segment: str) -> None:
    out = _score(_ranked(*(int(digit) for digit in cell)))
    assert out.loc[0, "rfm_score"] == cell
    assert out.loc[0, "segment_name"] == segment
    rules = load_segment_rules().set_index("segment_name")
    assert out.loc[0, "segment_code"] == rules.loc[segment, "segment_code"]


def test_change_against_the_previous_snapshot() -> None:
    features = _ranked(4, 3, 2)
    today = _score(features)
    previous = today[["customer_id_nat", "rfm_score", "segment_code"]].iloc[:4].copy()  # C04 is new today
    previous.loc[0, ["rfm_score", "segment_code"]] = ["444", "CHAMPIONS"]
    out = _score(features, previous)
    assert out.loc[0, "rfm_score"] == "432" and out.loc[0, "segment_code"] == "POTENTIAL_LOYALISTS"
    assert out.loc[0, "rfm_score_change"] == "444->432"
    assert out["rfm_score_change"].iloc[1:].isna().all()  # unchanged (C01..C03) or new (C04): null
    assert out["segment_changed"].tolist() == [True, False, False, False, False]
    assert _score(features)["segment_changed"].tolist() == [False] * 5  # no previous snapshot at all


def test_same_score_but_a_segment_from_another_rule_version_counts_as_changed() -> None:
    features = _ranked(5, 5, 5)
    previous = pd.DataFrame({"customer_id_nat": ["C00"], "rfm_score": [555], "segment_code": ["VIP_RETIRED"]})
    out = _score(features, previous)
    assert pd.isna(out.loc[0, "rfm_score_change"])  # an integer 555 from the database equals '555'
    assert bool(out.loc[0, "segment_changed"])


# -- AOV, CLTV, churn ---------------------------------------------------------------------------------------


def test_aov_and_cltv_follow_their_definitions() -> None:
    features = _features(days=[10, 400, 3], orders=[4, 2, 1], spend=[400.0, 300.0, 90.0], tenure_days=[700, 500, 0])
    calculator = RFMCalculator(gross_margin=0.25).fit(features, SNAPSHOT)
    out = calculator.score(features)
    assert out["customer_aov"].tolist() == [100.0, 150.0, 90.0]
    # AOV x (orders per month of tenure) x (tenure in months) x margin = spend x margin, even at tenure 0.
    assert out["cltv"].tolist() == pytest.approx([100.0, 75.0, 22.5])
    assert calculator.overall_aov_ == pytest.approx(790.0 / 7)
    assert out["avg_order_value"].iloc[[0, 2]].tolist() == [100.0, 90.0]  # 365-day spend / 365-day orders
    assert np.isnan(out.loc[1, "avg_order_value"])  # no order in the last 365 days


def test_cltv_groups_split_at_the_33rd_and_66th_percentiles_with_cutoff_values_in_the_lower_group() -> None:
    spend = [10.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0, 30.0, 30.0, 30.0]
    calculator = RFMCalculator(gross_margin=0.5).fit(_features(days=[1] * 10, orders=[1] * 10, spend=spend), SNAPSHOT)
    assert calculator.cltv_edges_.tolist() == [5.0, 10.0]  # the 33rd and 66th percentiles of cltv = spend / 2
    out = calculator.score(_features(days=[1] * 10, orders=[1] * 10, spend=spend))
    assert out["cltv_group"].tolist() == ["Low"] * 4 + ["Medium"] * 3 + ["High"] * 3


def test_churn_flag_and_risk_groups_at_the_30_60_90_day_boundaries() -> None:
    days = [0, 30, 31, 60, 61, 90, 91, 365]
    out = _score(_features(days=days, orders=[1] * 8, spend=[10.0] * 8))
    assert out["churn_risk_group"].tolist() == ["Low", "Low", "Medium", "Medium", "High", "High", "Churned", "Churned"]
    assert out["is_churned"].tolist() == [False] * 6 + [True, True]


def test_churn_thresholds_are_settings_and_must_end_at_the_churn_window() -> None:
    features = _features(days=[14, 15, 120, 121], orders=[1] * 4, spend=[10.0] * 4)
    out = _score(features, churn_window_days=120, churn_risk_thresholds=(14, 45, 120))
    assert out["churn_risk_group"].tolist() == ["Low", "Medium", "High", "Churned"]
    assert out["is_churned"].tolist() == [False, False, False, True]
    with pytest.raises(ValueError, match="must equal churn_window_days"):
        _score(features, churn_window_days=120)


# -- input checks, dates, shards ----------------------------------------------------------------------------


def test_missing_columns_are_named() -> None:
    features = _features(days=[1, 2], orders=[1, 1], spend=[1.0, 2.0]).drop(columns=["orders_365d", "tenure_days"])
    with pytest.raises(ValueError, match=r"missing required columns \['orders_365d', 'tenure_days'\]"):
        RFMCalculator().fit(features, SNAPSHOT)


def test_duplicate_customer_ids_are_rejected() -> None:
    features = _features(days=[1, 2, 3], orders=[1, 1, 1], spend=[1.0, 2.0, 3.0], customer_id_nat=["A", "B", "A"])
    with pytest.raises(ValueError, match=r"duplicate customer_id_nat, e.g. \['A'\]"):
        RFMCalculator().fit(features, SNAPSHOT)


def test_customers_without_an_order_or_with_a_future_order_are_rejected() -> None:
    with pytest.raises(ValueError, match="orders_total >= 1"):
        RFMCalculator().fit(_features(days=[1, 2], orders=[0, 1], spend=[0.0, 1.0]), SNAPSHOT)
    with pytest.raises(ValueError, match="last_order_date after the snapshot"):
        RFMCalculator().fit(_features(days=[-1, 2], orders=[1, 1], spend=[1.0, 1.0]), SNAPSHOT)


def test_previous_snapshot_with_duplicate_ids_is_rejected() -> None:
    features = _ranked(3, 3, 3)
    previous = pd.DataFrame({"customer_id_nat": ["C00", "C00"], "rfm_score": ["111", "222"], "segment_code": "LOST"})
    with pytest.raises(ValueError, match="previous RFM snapshot: duplicate customer_id_nat"):
        _score(features, previous)


def test_score_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="call fit first"):
        RFMCalculator().score(_ranked(3, 3, 3))


def test_datetime64_and_python_dates_give_the_same_rows() -> None:
    features = _features(days=[0, 3, 40, 100], orders=[1, 2, 3, 4], spend=[5.0, 6.0, 7.0, 8.0])
    as_datetime = features.assign(last_order_date=pd.to_datetime(features["last_order_date"]).astype("datetime64[ns]"))
    pd.testing.assert_frame_equal(_score(features), _score(as_datetime))
    assert _score(features)["last_order_date"].tolist() == list(pd.to_datetime(features["last_order_date"]))


def test_scoring_shards_against_one_fit_equals_scoring_everyone() -> None:
    features = _features(
        days=[0, 3, 3, 40, 100, 7, 250, 90], orders=[1, 2, 2, 3, 4, 1, 9, 2], spend=[5.0, 6, 6, 7, 80, 1, 99, 0]
    )
    calculator = RFMCalculator().fit(features, SNAPSHOT)
    whole = calculator.score(features)
    shards = pd.concat([calculator.score(features.iloc[[0, 2, 4, 6]]), calculator.score(features.iloc[[1, 3, 5, 7]])])
    shards = shards.set_index("customer_id_nat").loc[whole["customer_id_nat"]].reset_index()
    pd.testing.assert_frame_equal(whole, shards, check_categorical=False)
