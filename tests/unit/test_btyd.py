"""Tests of the BG/NBD and Gamma-Gamma models and their helpers (analytics/scorers/btyd.py).

The correctness bar is the CDNOW 2,357-customer sample with a 39-week calibration period, read from the
files the ``lifetimes`` package ships (a dev dependency; the data is not copied into this repository).
Fader, Hardie & Lee (2005) report BG/NBD r=0.243, alpha=4.414, a=0.793, b=2.426 (LL -9582.4) on it;
Fader & Hardie (2013) report Gamma-Gamma p=6.25, q=3.74, gamma=15.44 on its 946 repeat customers.
"""

from __future__ import annotations

import importlib.metadata
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from analytics.scorers.btyd import (
    DAYS_PER_MONTH,
    BetaGeoModel,
    GammaGammaModel,
    compress_rows,
    discount_increments,
    discounted_clv,
    discounted_transactions,
    monthly_discount_rate,
    summary_from_orders,
)
from analytics.scorers.simulate import simulate_bgnbd, simulate_gamma_gamma

CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """ID, x (repeat purchases), t_x, T (weeks) and zbar (mean repeat spend, USD) per customer."""
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("the CDNOW data comes from the 'lifetimes' package: install the dev extra (pip install -e .[dev])")
    path = Path(str(dist.locate_file("lifetimes/datasets/cdnow_customers_summary_with_transactions.csv")))
    frame = pd.read_csv(path)
    assert len(frame) == 2357
    return frame


def test_bgnbd_reproduces_published_cdnow_estimates(cdnow: pd.DataFrame) -> None:
    model = BetaGeoModel(time_unit="weeks").fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert model.converged_
    assert model.n_customers_ == 2357
    for name, published in CDNOW_BGNBD.items():
        assert model.params_[name] == pytest.approx(published, rel=0.01), name
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_reproduces_published_cdnow_estimates(cdnow: pd.DataFrame) -> None:
    model = GammaGammaModel().fit(cdnow["x"], cdnow["zbar"])
    assert model.converged_
    assert model.n_customers_ == 946
    assert model.n_excluded_ == 0
    for name, published in CDNOW_GAMMA_GAMMA.items():
        assert model.params_[name] == pytest.approx(published, rel=0.01), name
    # the independence check the model relies on: weak on CDNOW
    assert abs(model.frequency_monetary_correlation_) < 0.2


def test_models_agree_with_lifetimes_on_cdnow(cdnow: pd.DataFrame) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    ours = BetaGeoModel(time_unit="weeks").fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    theirs = lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    for name in CDNOW_BGNBD:
        assert ours.params_[name] == pytest.approx(theirs.params_[name], rel=1e-3), name
    theirs.params_ = pd.Series(ours.params_)  # same parameters: the formulas must agree to rounding
    x, t_x, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    np.testing.assert_allclose(
        ours.conditional_expected_transactions(39, x, t_x, T),
        theirs.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T), rtol=1e-9,
    )
    np.testing.assert_allclose(ours.probability_alive(x, t_x, T), theirs.conditional_probability_alive(x, t_x, T),
                               rtol=1e-9)
    np.testing.assert_allclose(ours.expected_transactions([13, 39, 78]),
                               theirs.expected_number_of_purchases_up_to_time(np.array([13, 39, 78])), rtol=1e-9)

    spend = GammaGammaModel().fit(x, cdnow["zbar"])
    repeat = cdnow[cdnow["x"] > 0]
    their_spend = lifetimes.GammaGammaFitter().fit(repeat["x"], repeat["zbar"])
    for name, their_name in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert spend.params_[name] == pytest.approx(their_spend.params_[their_name], rel=1e-3), name
    their_spend.params_ = pd.Series({"p": spend.params_["p"], "q": spend.params_["q"], "v": spend.params_["gamma"]})
    np.testing.assert_allclose(
        spend.conditional_expected_average_value(x, cdnow["zbar"]),
        their_spend.conditional_expected_average_profit(x, cdnow["zbar"]), rtol=1e-9,
    )


def test_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(20260101)
    T = rng.uniform(26.0, 104.0, 20_000)  # weeks since first purchase
    truth = {"r": 0.5, "alpha": 8.0, "a": 0.8, "b": 2.5}
    frequency, recency = simulate_bgnbd(**truth, T=T, rng=rng)
    model = BetaGeoModel(time_unit="weeks").fit(frequency, recency, T)
    assert model.converged_
    # about 3 standard errors at 20,000 customers: a and b (dropout) are the loosely identified pair
    tolerance = {"r": 0.05, "alpha": 0.05, "a": 0.15, "b": 0.15}
    for name, value in truth.items():
        assert model.params_[name] == pytest.approx(value, rel=tolerance[name]), name

    spend_truth = {"p": 6.0, "q": 4.0, "gamma": 20.0}
    monetary = simulate_gamma_gamma(**spend_truth, frequency=frequency, rng=rng)
    spend = GammaGammaModel().fit(frequency, monetary)
    assert spend.converged_
    assert spend.n_customers_ == int(np.count_nonzero(frequency))
    for name, value in spend_truth.items():
        assert spend.params_[name] == pytest.approx(value, rel=0.15), name
    # p and gamma trade off; the mean spend they imply is pinned much tighter
    assert spend.expected_average_value() == pytest.approx(6.0 * 20.0 / 3.0, rel=0.03)
    assert abs(spend.frequency_monetary_correlation_) < 0.05  # simulated independent


def test_compressed_fit_equals_weighted_fit() -> None:
    # seven customers pin nothing down: a small penalizer keeps the optimum finite
    frequency, recency, T = [0, 0, 2, 2, 1, 3, 0], [0, 0, 5, 5, 2, 9, 0], [10, 10, 12, 12, 8, 11, 7]
    duplicated = BetaGeoModel(penalizer=0.01).fit(frequency, recency, T)
    weighted = BetaGeoModel(penalizer=0.01).fit([0, 2, 1, 3, 0], [0, 5, 2, 9, 0], [10, 12, 8, 11, 7],
                                                weights=[2, 2, 1, 1, 1])
    assert duplicated.converged_
    assert duplicated.n_compressed_ == 5
    assert duplicated.n_customers_ == weighted.n_customers_ == 7
    for name in duplicated.params_:
        assert duplicated.params_[name] == pytest.approx(weighted.params_[name], rel=1e-6)


def test_bgnbd_needs_a_repeat_buyer() -> None:
    # with one-time buyers only the likelihood rises as r -> 0: there is nothing to estimate
    with pytest.raises(ValueError, match="at least one customer with a repeat purchase"):
        BetaGeoModel().fit([0, 0, 0, 0], [0, 0, 0, 0], [10, 12, 8, 11])


def test_compress_rows_round_trips() -> None:
    a, b = np.array([3.0, 1.0, 3.0, 1.0, 2.0]), np.array([0.5, 0.5, 0.5, 0.25, 0.5])
    (ua, ub), inverse, counts = compress_rows(a, b)
    np.testing.assert_array_equal(ua[inverse], a)
    np.testing.assert_array_equal(ub[inverse], b)
    assert counts.sum() == 5 and len(ua) == 4


def test_probability_alive_is_one_without_repeat_purchases() -> None:
    model = BetaGeoModel.from_params(CDNOW_BGNBD)
    np.testing.assert_array_equal(model.probability_alive([0, 0], [0, 0], [1, 50]), [1.0, 1.0])
    assert model.probability_alive([5], [10], [38])[0] < model.probability_alive([5], [37], [38])[0] < 1.0


@pytest.mark.parametrize("params", [{"r": 0.6, "alpha": 5.0, "a": 1.3, "b": 3.0}, CDNOW_BGNBD])
def test_expected_transactions_match_direct_integration(params: dict[str, float]) -> None:
    """Eq. 9 and 10 against the individual-level model integrated numerically over lambda and p."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x, t_x, T, t = 3, 20.0, 30.0, 15.0
    log_norm = r * math.log(alpha) - math.lgamma(r) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)

    def prior(lam: float, p: float) -> float:
        return math.exp(log_norm + (r - 1) * math.log(lam) - alpha * lam + (a - 1) * math.log(p)
                        + (b - 1) * math.log1p(-p))

    def alive(lam: float, p: float) -> float:  # x purchases by T and still alive
        return (1 - p) ** x * lam**x * math.exp(-lam * T)

    def gone(lam: float, p: float) -> float:  # x purchases, dropped out right after the last at t_x
        return p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * t_x)

    def buys(lam: float, p: float) -> float:  # E[purchases in the next t | lambda, p, alive]
        return -math.expm1(-lam * p * t) / p

    def integral(fn) -> float:
        return integrate.dblquad(lambda lam, p: fn(lam, p) * prior(lam, p), 0, 1, 0, math.inf, epsrel=1e-8)[0]

    conditional = integral(lambda lam, p: alive(lam, p) * buys(lam, p)) / integral(lambda lam, p: alive(lam, p)
                                                                                   + gone(lam, p))
    model = BetaGeoModel.from_params(params)
    assert model.conditional_expected_transactions(t, [x], [t_x], [T])[0] == pytest.approx(conditional, rel=1e-6)
    assert model.expected_transactions([t])[0] == pytest.approx(integral(buys), rel=1e-6)


def test_discounting_matches_a_hand_computed_two_month_example() -> None:
    # 2 expected purchases a month at 100 AED and 30% margin: 60 AED of profit each month.
    # i = 1.10 ** (1/12) - 1 = 0.0079741404; month 1: 60 / 1.0079741404 = 59.5253;
    # month 2: 60 / 1.0079741404^2 = 59.0545; two months: 118.5798
    assert monthly_discount_rate(0.10) == pytest.approx(0.0079741404, abs=1e-10)
    clv = discount_increments(lambda m: np.array([2.0 * m * 100.0 * 0.3]), (1, 2), annual_discount_rate=0.10)
    np.testing.assert_allclose(clv, [[59.5253, 118.5798]], atol=1e-4)
    # undiscounted, the increments add back up to the cumulative value
    np.testing.assert_allclose(discount_increments(lambda m: np.array([3.0 * m]), (2,), 0.0), [[6.0]])


def test_discounted_transactions_are_the_discounted_monthly_increments() -> None:
    model = BetaGeoModel.from_params(CDNOW_BGNBD, time_unit="weeks")
    x, t_x, T = np.array([0, 2, 7]), np.array([0.0, 30.43, 35.0]), np.array([38.86, 38.86, 38.86])
    month = DAYS_PER_MONTH / 7
    e1 = model.conditional_expected_transactions(month, x, t_x, T)
    e2 = model.conditional_expected_transactions(2 * month, x, t_x, T)
    i = monthly_discount_rate(0.10)
    got = discounted_transactions(model, x, t_x, T, horizons_months=(1, 2), annual_discount_rate=0.10)
    np.testing.assert_allclose(got[:, 0], e1 / (1 + i), rtol=1e-12)
    np.testing.assert_allclose(got[:, 1], e1 / (1 + i) + (e2 - e1) / (1 + i) ** 2, rtol=1e-12)
    undiscounted = discounted_transactions(model, x, t_x, T, horizons_months=(24,), annual_discount_rate=0.0)
    np.testing.assert_allclose(undiscounted[:, 0], model.conditional_expected_transactions(24 * month, x, t_x, T))
    value = discounted_clv(model, x, t_x, T, value_per_transaction=[50.0, 80.0, 20.0], margin=0.25,
                           horizons_months=(1, 2))
    np.testing.assert_allclose(value, got * np.array([50.0, 80.0, 20.0])[:, None] * 0.25)


def test_predictions_do_not_depend_on_the_time_unit(cdnow: pd.DataFrame) -> None:
    weeks = BetaGeoModel(time_unit="weeks").fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    days = BetaGeoModel(time_unit="days").fit(cdnow["x"], cdnow["t_x"] * 7, cdnow["T"] * 7)
    assert days.params_["alpha"] == pytest.approx(7 * weeks.params_["alpha"], rel=1e-4)
    args = ([1, 4], [10.0, 30.0], [38.0, 38.0])
    clv_weeks = discounted_transactions(weeks, *args, horizons_months=(12,))
    clv_days = discounted_transactions(days, args[0], np.multiply(args[1], 7), np.multiply(args[2], 7), (12,))
    np.testing.assert_allclose(clv_weeks, clv_days, rtol=1e-4)


def test_summary_from_orders_collapses_same_day_orders() -> None:
    orders = pd.DataFrame(
        {
            "customer": ["A", "A", "A", "B", "A"],
            "placed_at": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 18:30", "2025-01-11 12:00",
                                         "2025-01-21 08:00", "2025-02-15 10:00"]),
            "amount": [10.0, 5.0, 30.0, 7.0, 99.0],
        }
    )
    summary = summary_from_orders(orders, "customer", "placed_at", "amount", observation_end="2025-01-31")
    assert summary.index.name == "customer"
    a, b = summary.loc["A"], summary.loc["B"]
    # A: purchase days Jan 1 (two orders, 15.00) and Jan 11 (30.00); the Feb 15 order is after the end
    assert (a["frequency"], a["recency"], a["T"], a["monetary_value"]) == (1, 10.0, 30.0, 30.0)
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 10.0, 0.0)
    weekly = summary_from_orders(orders, "customer", "placed_at", "amount", "2025-01-31", time_unit="weeks")
    assert weekly.loc["A", "recency"] == pytest.approx(10 / 7) and weekly.loc["A", "T"] == pytest.approx(30 / 7)


def test_summary_from_orders_names_missing_columns() -> None:
    with pytest.raises(ValueError, match="missing required columns: placed_at, amount"):
        summary_from_orders(pd.DataFrame({"customer": [1]}), "customer", "placed_at", "amount", "2025-01-31")


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [([1.5], [1], [2], "whole numbers"), ([1], [3], [2], "recency <= T"), ([0], [1], [2], "recency must be 0")],
)
def test_bgnbd_rejects_inconsistent_input(frequency, recency, T, message) -> None:
    with pytest.raises(ValueError, match=message):
        BetaGeoModel().fit(frequency, recency, T)


def test_gamma_gamma_ignores_customers_without_positive_repeat_spend() -> None:
    rng = np.random.default_rng(7)
    frequency = rng.integers(1, 6, 500)
    monetary = simulate_gamma_gamma(6.0, 4.0, 20.0, frequency, rng)
    model = GammaGammaModel().fit(np.r_[frequency, 0, 3], np.r_[monetary, 0.0, 0.0])
    assert model.n_customers_ == 500 and model.n_excluded_ == 1
    # no repeat purchase: the population mean; negative own mean (net returns) counts as 0
    population = model.expected_average_value()
    assert model.conditional_expected_average_value([0], [0.0])[0] == pytest.approx(population)
    weight = model.data_weight([2])[0]
    assert model.conditional_expected_average_value([2], [-5.0])[0] == pytest.approx((1 - weight) * population)


def test_unfitted_model_refuses_to_predict() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeoModel().probability_alive([1], [1], [2])
