"""Buy-till-you-die models by maximum likelihood: BG/NBD for repeat purchases, Gamma-Gamma for spend.

Why here and not a library: the scorer needs two small, well-known likelihoods fitted on up to millions of
customers in seconds, on the project's numpy/pandas/scipy pins; ``lifetimes`` has had no release since
2020 and pymc-marketing pulls in a whole probabilistic-programming stack. The tests hold these models to the
published CDNOW estimates and to ``lifetimes`` on the same input.

Vocabulary (the literature's): per customer, ``frequency`` x is the number of repeat purchase days after
the first one, ``recency`` t_x the time from the first to the last purchase day, ``T`` the time from the
first purchase day to the end of observation, ``monetary_value`` the mean value of the repeat purchase
days. Times are in whatever unit the caller passes (``time_unit`` names it, "days" or "weeks"); parameters
and predictions are in that unit.

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)):
  while alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each repeat
  purchase they drop out with probability p ~ Beta(a, b); lambda and p are independent across customers.
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4); Fader &
  Hardie 2013, "The Gamma-Gamma model of monetary value"): a customer's purchase values are
  Gamma(p, nu) with nu ~ Gamma(q, gamma); spend is independent of the purchase process.

Fitting works on sufficient statistics: identical rows are compressed to one row with a weight, so the
cost scales with the number of distinct (x, t_x, T) rows, not with customers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_UNIT",
    "BetaGeoModel",
    "GammaGammaModel",
    "compress_rows",
    "discount_increments",
    "discounted_clv",
    "discounted_transactions",
    "monthly_discount_rate",
    "summary_from_orders",
]

DAYS_PER_MONTH = 365.25 / 12
DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0}  # the time units the models accept
_LOG_BOUNDS = (-np.log(1e8), np.log(1e8))  # every parameter within [1e-8, 1e8]


def _days_per_unit(time_unit: str) -> float:
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, got {time_unit!r}")
    return DAYS_PER_UNIT[time_unit]


def compress_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the stacked columns: (one array per column, inverse index, count per row).

    ``columns[k][i] == distinct[k][inverse[i]]``. A lexsort plus a change mask, about 4x faster than
    ``np.unique(axis=0)`` on a million rows; rows are equal when every value is bitwise equal.
    """
    n = len(columns[0])
    if n == 0:
        return [np.asarray(c, dtype=float) for c in columns], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cols = [np.asarray(c, dtype=float) for c in columns]
    order = np.lexsort(cols[::-1])
    ordered = [c[order] for c in cols]
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    group = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    return [c[new] for c in ordered], inverse, np.bincount(group)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of a*b without BLAS: OpenBLAS threads on a busy machine made ``a @ b`` 100x slower here."""
    return float(np.einsum("i,i->", a, b))


def _as_float(name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has missing or infinite values")
    return arr


class _MaximumLikelihoodModel:
    """Shared fitting machinery: L-BFGS-B on log-parameters with an analytic gradient and an L2 penalty.

    The objective is the mean negative log-likelihood plus ``penalizer * sum(params**2)`` on the natural
    parameters (the ``lifetimes`` convention, so penalised fits are comparable); penalizer 0 is plain ML.
    Parameters are kept within [1e-8, 1e8]; a fit that ends on that bound (data with no interior optimum,
    e.g. no repeat buyers) is reported as not converged.
    """

    _param_names: tuple[str, ...] = ()
    model_name = ""

    def __init__(self, *, penalizer: float = 0.0, time_unit: str = "days", max_iter: int = 2000) -> None:
        self.penalizer = penalizer
        self.time_unit = time_unit
        self.max_iter = max_iter

    @classmethod
    def from_params(cls, params: dict[str, float], **settings: Any) -> Self:
        """A model with known parameters (e.g. read back from ``audit.model_run``), ready to predict."""
        model = cls(**settings)
        missing = set(cls._param_names) - set(params)
        if missing:
            raise ValueError(f"{cls.__name__} parameters missing: {sorted(missing)}")
        model.params_ = {k: float(params[k]) for k in cls._param_names}
        return model

    def _check_settings(self) -> None:
        _days_per_unit(self.time_unit)
        if self.penalizer < 0:
            raise ValueError("penalizer must be >= 0")

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit() first")

    def _optimise(self, objective: Any, start: np.ndarray, total_weight: float) -> None:
        def penalised(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            neg_ll, grad = objective(log_params)
            params = np.exp(log_params)
            value = neg_ll / total_weight + self.penalizer * float(np.sum(params**2))
            return value, grad / total_weight + self.penalizer * 2.0 * params**2

        started = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # trial points far out are fine
            result = minimize(
                penalised, np.log(start), jac=True, method="L-BFGS-B", bounds=[_LOG_BOUNDS] * len(start),
                options={"maxiter": self.max_iter, "ftol": 1e-13, "gtol": 1e-9},
            )
        self.fit_seconds_ = time.perf_counter() - started
        self.params_ = dict(zip(self._param_names, np.exp(result.x).tolist(), strict=True))
        self.log_likelihood_ = -float(objective(result.x)[0])
        # first-order check rather than the optimiser's flag: L-BFGS-B can stop "abnormally" in its line
        # search once it is at the optimum to machine precision; a point on the bound is no optimum
        on_bound = np.abs(result.x) > _LOG_BOUNDS[1] - 1e-6
        gradient = penalised(result.x)[1]
        self.gradient_norm_ = float(np.max(np.abs(gradient)))
        self.converged_ = bool(np.all(np.isfinite(gradient)) and self.gradient_norm_ < 1e-5 and not on_bound.any())
        self.iterations_ = int(result.nit)
        self.optimizer_message_ = str(result.message)

    def diagnostics(self) -> dict[str, Any]:
        """Fit summary for ``audit.model_run``: JSON-friendly scalars only."""
        self._check_fitted()
        return {
            "model": self.model_name,
            "params": dict(self.params_),
            "log_likelihood": getattr(self, "log_likelihood_", None),
            "time_unit": self.time_unit,
            "penalizer": self.penalizer,
            "n_customers": getattr(self, "n_customers_", None),
            "n_compressed": getattr(self, "n_compressed_", None),
            "converged": getattr(self, "converged_", None),
            "iterations": getattr(self, "iterations_", None),
            "gradient_norm": getattr(self, "gradient_norm_", None),
            "seconds": getattr(self, "fit_seconds_", None),
            "optimizer_message": getattr(self, "optimizer_message_", None),
        }


class BetaGeoModel(_MaximumLikelihoodModel):
    """BG/NBD purchase model (Fader, Hardie & Lee 2005). Parameters r, alpha, a, b.

    ``fit(frequency, recency, T, weights=None)``: frequency whole numbers >= 0, 0 <= recency <= T, recency
    0 where frequency is 0. ``weights`` counts customers per row (for pre-aggregated input).
    """

    _param_names = ("r", "alpha", "a", "b")
    model_name = "bg_nbd"

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> Self:
        self._check_settings()
        x, t_x, t_obs = _check_rft(frequency, recency, T)
        w = np.ones_like(x) if weights is None else _as_float("weights", weights)
        if len(w) != len(x) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("weights must be one non-negative number per customer, not all zero")
        if not np.any((x > 0) & (w > 0)):
            raise ValueError("BG/NBD needs at least one customer with a repeat purchase")
        (x, t_x, t_obs), inverse, _ = compress_rows(x, t_x, t_obs)
        w = np.bincount(inverse, weights=w)
        total = float(w.sum())
        # the gamma-function terms depend on x alone: summed once per distinct frequency
        levels, level_of = np.unique(x, return_inverse=True)
        level_w = np.bincount(level_of, weights=w)
        once = x == 0  # one-time buyers: only "alive at T", a function of T
        t_once, w_once = t_obs[once], w[once]
        x_rep, tx_rep, t_rep, w_rep = x[~once], t_x[~once], t_obs[~once], w[~once]
        rep_levels, rep_level_of = np.unique(x_rep, return_inverse=True)

        def neg_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            r, alpha, a, b = np.exp(log_params)
            log_alpha = np.log(alpha)
            # eq. 6, factors in x only: Gamma(r+x) alpha^r / Gamma(r) and B(a, b+x) / B(a, b)
            ll = (_dot(level_w, gammaln(r + levels) + gammaln(b + levels) - gammaln(a + b + levels))
                  + total * (r * log_alpha - gammaln(r) + gammaln(a + b) - gammaln(b)))
            d_r = _dot(level_w, digamma(r + levels)) + total * (log_alpha - digamma(r))
            d_alpha = total * r / alpha
            d_a = _dot(level_w, digamma(a + b) - digamma(a + b + levels))
            d_b = _dot(level_w, digamma(a + b) + digamma(b + levels) - digamma(b) - digamma(a + b + levels))
            # x = 0: (alpha + T)^-r
            log_at0 = np.log(alpha + t_once)
            ll -= r * _dot(w_once, log_at0)
            d_r -= _dot(w_once, log_at0)
            d_alpha -= r * _dot(w_once, 1.0 / (alpha + t_once))
            # x > 0: alive at T, (alpha+T)^-(r+x), or gone after the last purchase, a/(b+x-1) (alpha+t_x)^-(r+x)
            rx = r + x_rep
            log_at, log_atx = np.log(alpha + t_rep), np.log(alpha + tx_rep)
            log_odds_gone = np.log(a) - np.log(b + rep_levels - 1.0)[rep_level_of] + rx * (log_at - log_atx)
            ll += _dot(w_rep, np.logaddexp(0.0, log_odds_gone) - rx * log_at)
            p_gone = expit(log_odds_gone)  # share of the likelihood from "gone"
            d_r -= _dot(w_rep, log_at - p_gone * (log_at - log_atx))
            d_alpha -= _dot(w_rep * rx, (1.0 - p_gone) / (alpha + t_rep) + p_gone / (alpha + tx_rep))
            d_a += _dot(w_rep, p_gone) / a
            d_b -= _dot(w_rep, p_gone / (b + rep_levels - 1.0)[rep_level_of])
            return -float(ll), -np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])

        # start from r = 1 and the pooled purchase rate, a = b = 1
        rate = max(_dot(w_rep, x_rep), 1.0) / max(_dot(w, t_obs), 1e-9)
        self._optimise(neg_ll, np.array([1.0, 1.0 / rate, 1.0, 1.0]), total)
        self.n_customers_ = int(round(w.sum()))
        self.n_compressed_ = int(len(x))
        return self

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008, "Computing P(alive) using the BG/NBD
        model"); 1 where frequency is 0 (in BG/NBD nobody drops out before a repeat purchase)."""
        return self._probability_alive(*_check_rft(frequency, recency, T))

    def _probability_alive(self, x: np.ndarray, t_x: np.ndarray, t_obs: np.ndarray) -> np.ndarray:
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self._param_names)
        log_odds_gone = np.full_like(x, -np.inf)
        rep = x > 0
        log_odds_gone[rep] = (np.log(a) - np.log(b + x[rep] - 1.0)
                              + (r + x[rep]) * (np.log(alpha + t_obs[rep]) - np.log(alpha + t_x[rep])))
        return expit(-log_odds_gone)

    def conditional_expected_transactions(self, t: float, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] given the customer's history, eq. 10."""
        x, t_x, t_obs = _check_rft(frequency, recency, T)
        return self._conditional_expected(t, x, t_x, t_obs)

    def expected_transactions(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t], eq. 9 (eq. 10 at x = t_x = T = 0)."""
        t = _as_float("t", t)
        if np.any(t < 0):
            raise ValueError("t must be >= 0")
        self._check_fitted()
        return self._growth(t, np.zeros_like(t), np.zeros_like(t))

    def _conditional_expected(self, t: float, x: np.ndarray, t_x: np.ndarray, t_obs: np.ndarray) -> np.ndarray:
        if t < 0:
            raise ValueError("t must be >= 0")
        return self._growth(t, x, t_obs) * self._probability_alive(x, t_x, t_obs)

    def _growth(self, t: Any, x: np.ndarray, t_obs: np.ndarray) -> np.ndarray:
        """The part of eq. 10 before the P(alive) factor.

        The 2F1 term is rewritten with Euler's transformation,
        ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)
        with z = t/(alpha+T+t), so nothing overflows for frequent buyers or long horizons.
        """
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self._param_names)
        if abs(a - 1.0) < 1e-9:  # removable singularity of eq. 10 at a == 1
            a = 1.0 + 1e-9
        z = t / (alpha + t_obs + t)
        hyp_term = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        return (a + b + x - 1.0) / (a - 1.0) * (1.0 - hyp_term)


class GammaGammaModel(_MaximumLikelihoodModel):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie 2013). Parameters p, q, gamma.

    ``fit(frequency, monetary_value, weights=None)`` uses the customers with a repeat purchase and a
    positive mean repeat value; the others carry no spend information (zero-value repeat days cannot be
    Gamma) and are counted in ``n_excluded_``. The model assumes spend is independent of purchase
    frequency: ``frequency_monetary_correlation_`` (Pearson, over the fitted customers) is there to check
    it, and a large value is a warning sign, not an error.
    """

    _param_names = ("p", "q", "gamma")
    model_name = "gamma_gamma"

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> Self:
        self._check_settings()
        x, m = _as_float("frequency", frequency), _as_float("monetary_value", monetary_value)
        w = np.ones_like(x) if weights is None else _as_float("weights", weights)
        if not len(x) == len(m) == len(w):
            raise ValueError("frequency, monetary_value and weights must have the same length")
        if np.any(x < 0) or np.any(x != np.round(x)) or np.any(w < 0):
            raise ValueError("frequency must be whole numbers >= 0 and weights >= 0")
        used = (x > 0) & (m > 0) & (w > 0)
        if np.count_nonzero(used) < 2:
            raise ValueError("Gamma-Gamma needs at least two customers with a repeat purchase and positive spend")
        self.n_excluded_ = int(round(w[(x > 0) & ~used].sum()))
        self.frequency_monetary_correlation_ = _weighted_correlation(x[used], m[used], w[used])
        (x, m), inverse, _ = compress_rows(x[used], m[used])
        w = np.bincount(inverse, weights=w[used])
        total = float(w.sum())
        levels, level_of = np.unique(x, return_inverse=True)  # gamma-function terms: once per frequency
        level_w = np.bincount(level_of, weights=w)
        wx, xm = w * x, x * m
        sum_x_log_xm, sum_log_m = _dot(wx, np.log(x) + np.log(m)), _dot(w, np.log(m))

        def neg_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            p, q, gamma = np.exp(log_params)
            # density of the mean z of x Gamma(p, nu) values with nu ~ Gamma(q, gamma) integrated out:
            # Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q x^(px) z^(px-1) / (gamma + x z)^(px+q)
            px = p * levels
            log_gxm, inv_gxm = np.log(gamma + xm), 1.0 / (gamma + xm)
            sum_log_gxm, sum_x_log_gxm = _dot(w, log_gxm), _dot(wx, log_gxm)
            ll = (_dot(level_w, gammaln(px + q) - gammaln(px)) + total * (q * np.log(gamma) - gammaln(q))
                  + p * sum_x_log_xm - sum_log_m - p * sum_x_log_gxm - q * sum_log_gxm)
            d_p = _dot(level_w, levels * (digamma(px + q) - digamma(px))) + sum_x_log_xm - sum_x_log_gxm
            d_q = _dot(level_w, digamma(px + q)) + total * (np.log(gamma) - digamma(q)) - sum_log_gxm
            d_gamma = total * q / gamma - p * _dot(wx, inv_gxm) - q * _dot(w, inv_gxm)
            return -float(ll), -np.array([d_p * p, d_q * q, d_gamma * gamma])

        # start where the population mean spend p*gamma/(q-1) equals the observed mean
        self._optimise(neg_ll, np.array([1.0, 2.0, _dot(w, m) / total]), total)
        self.n_customers_ = int(round(w.sum()))
        self.n_compressed_ = int(len(x))
        return self

    def expected_average_value(self) -> float:
        """E[Z] = p*gamma/(q-1): mean transaction value of a customer with no spend history."""
        self._check_fitted()
        p, q, gamma = (self.params_[k] for k in self._param_names)
        if q <= 1:
            raise ValueError(f"Gamma-Gamma q = {q:.4g} <= 1: the mean transaction value is unbounded")
        return p * gamma / (q - 1.0)

    def data_weight(self, frequency: Any) -> np.ndarray:
        """p*x/(p*x+q-1): the weight of a customer's own mean in their expected value (0 with no repeat)."""
        self._check_fitted()
        x = _as_float("frequency", frequency)
        p, q = self.params_["p"], self.params_["q"]
        return p * x / (p * x + q - 1.0)

    def conditional_expected_average_value(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """E[Z | x, z_bar] = (q-1)/(px+q-1) * p*gamma/(q-1) + px/(px+q-1) * z_bar (Fader, Hardie & Lee 2005,
        JMR): a credibility-weighted mean of the population mean and the customer's own mean repeat value.
        Negative own means (net returns) count as 0."""
        population = self.expected_average_value()
        weight = self.data_weight(frequency)
        own = np.clip(_as_float("monetary_value", monetary_value), 0.0, None)
        if len(own) != len(weight):
            raise ValueError("frequency and monetary_value must have the same length")
        return (1.0 - weight) * population + weight * own

    def diagnostics(self) -> dict[str, Any]:
        out = super().diagnostics()
        out["n_excluded"] = getattr(self, "n_excluded_", None)
        corr = getattr(self, "frequency_monetary_correlation_", None)
        out["frequency_monetary_correlation"] = None if corr is None or np.isnan(corr) else corr
        return out


def _weighted_correlation(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    da, db = a - np.average(a, weights=w), b - np.average(b, weights=w)
    var = np.average(da * da, weights=w) * np.average(db * db, weights=w)
    return float(np.average(da * db, weights=w) / np.sqrt(var)) if var > 0 else float("nan")


def monthly_discount_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over 12 months."""
    if annual_rate <= -1:
        raise ValueError("annual discount rate must be > -1")
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def discount_increments(
    cumulative: Callable[[int], np.ndarray], horizons_months: Sequence[int], annual_discount_rate: float
) -> np.ndarray:
    """Present value of monthly increments up to each horizon: shape (rows, horizons).

    ``cumulative(m)`` is the cumulative expected quantity after m months (one value per row; 0 at m = 0).
    Horizon H gets sum over m = 1..H of (cumulative(m) - cumulative(m-1)) / (1 + i)^m, with i the monthly
    rate compounding to ``annual_discount_rate``: what is expected in month m is discounted m months.
    """
    horizons = [int(h) for h in horizons_months]
    if not horizons or min(horizons) < 1:
        raise ValueError("horizons must be whole months >= 1")
    rate = monthly_discount_rate(annual_discount_rate)
    at_horizon: dict[int, np.ndarray] = {}
    total, previous = 0.0, 0.0
    for m in range(1, max(horizons) + 1):
        current = np.asarray(cumulative(m), dtype=float)
        total = total + (current - previous) / (1.0 + rate) ** m
        previous = current
        if m in horizons:
            at_horizon[m] = total
    return np.column_stack([at_horizon[h] for h in horizons])


def discounted_transactions(
    model: BetaGeoModel,
    frequency: Any,
    recency: Any,
    T: Any,
    horizons_months: Sequence[int] = (12, 36, 120),
    annual_discount_rate: float = 0.10,
) -> np.ndarray:
    """Discounted expected purchases per customer up to each horizon: shape (customers, horizons).

    ``discount_increments`` of E[Y(t_m) | x, t_x, T], t_m being m months (365.25/12 days each, in the
    model's time unit) after T. Times spend per purchase and margin, this is discounted CLV. Eq. 10 is
    P(alive), computed once per distinct (x, t_x, T), times a 2F1 part that depends on (x, T) only,
    computed per month once per distinct (x, T) (25,767 pairs for the benchmark's million customers).
    """
    model._check_fitted()
    (x, t_x, t_obs), inverse, _ = compress_rows(*_check_rft(frequency, recency, T))
    (pair_x, pair_t), pair_of, _ = compress_rows(x, t_obs)
    p_alive = model._probability_alive(x, t_x, t_obs)
    month = DAYS_PER_MONTH / _days_per_unit(model.time_unit)

    def cumulative(m: int) -> np.ndarray:
        return model._growth(m * month, pair_x, pair_t)[pair_of] * p_alive

    return discount_increments(cumulative, horizons_months, annual_discount_rate)[inverse]


def discounted_clv(
    model: BetaGeoModel,
    frequency: Any,
    recency: Any,
    T: Any,
    value_per_transaction: Any,
    margin: Any = 1.0,
    horizons_months: Sequence[int] = (12, 36, 120),
    annual_discount_rate: float = 0.10,
) -> np.ndarray:
    """Discounted CLV per customer up to each horizon, shape (customers, horizons):
    ``discounted_transactions(...) * value_per_transaction * margin`` (value and margin per customer or
    scalar; the value is usually Gamma-Gamma's conditional expected value)."""
    transactions = discounted_transactions(model, frequency, recency, T, horizons_months, annual_discount_rate)
    value = np.broadcast_to(np.asarray(value_per_transaction, dtype=float) * np.asarray(margin, dtype=float),
                            (transactions.shape[0],))
    return transactions * value[:, None]


def summary_from_orders(
    orders: pd.DataFrame,
    customer_col: str,
    date_col: str,
    value_col: str,
    observation_end: Any,
    time_unit: str = "days",
) -> pd.DataFrame:
    """Orders -> one row per customer with ``frequency``, ``recency``, ``T``, ``monetary_value``.

    Purchases are counted in days: orders on the same calendar day are one purchase with their values
    summed. frequency = purchase days after the first; recency = first to last purchase day; T = first
    purchase day to ``observation_end`` (both in ``time_unit``, "days" or "weeks"); monetary_value = mean
    value of the repeat purchase days (the first is left out, as in the literature), 0 when frequency is 0.
    Orders after ``observation_end`` are ignored. Index: the customer ids, named ``customer_col``.
    """
    missing = [c for c in (customer_col, date_col, value_col) if c not in orders.columns]
    if missing:
        raise ValueError(f"orders is missing required columns: {', '.join(missing)}")
    per_unit = _days_per_unit(time_unit)
    day = pd.to_datetime(orders[date_col])
    end = pd.Timestamp(observation_end)
    if day.dt.tz is not None:  # the calendar day where the order was placed
        day = day.dt.tz_localize(None)
    if end.tz is not None:
        end = end.tz_localize(None)
    day, end = day.dt.normalize(), end.normalize()
    value = pd.to_numeric(orders[value_col])
    if day.isna().any() or value.isna().any() or orders[customer_col].isna().any():
        raise ValueError(f"orders has missing {customer_col}, {date_col} or {value_col} values")
    keep = (day <= end).to_numpy()
    daily = (
        pd.DataFrame({"customer": orders[customer_col].to_numpy()[keep], "day": day[keep], "value": value[keep]})
        .groupby(["customer", "day"], sort=True)["value"].sum()
        .reset_index()
    )
    per = daily.groupby("customer", sort=True).agg(
        first=("day", "min"), last=("day", "max"), days=("day", "size"),
        total=("value", "sum"), first_value=("value", "first"),
    )
    frequency = per["days"].to_numpy() - 1
    repeat_value = (per["total"] - per["first_value"]).to_numpy(dtype=float)
    summary = pd.DataFrame(
        {
            "frequency": frequency.astype(np.int64),
            "recency": (per["last"] - per["first"]).dt.days.to_numpy(dtype=float) / per_unit,
            "T": (end - per["first"]).dt.days.to_numpy(dtype=float) / per_unit,
            "monetary_value": np.where(frequency > 0, repeat_value / np.maximum(frequency, 1), 0.0),
        },
        index=per.index.rename(customer_col),
    )
    return summary


def _check_rft(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, t_obs = _as_float("frequency", frequency), _as_float("recency", recency), _as_float("T", T)
    if not len(x) == len(t_x) == len(t_obs):
        raise ValueError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers >= 0")
    if np.any(t_x < 0) or np.any(t_x > t_obs * (1 + 1e-12) + 1e-12):
        raise ValueError("recency must satisfy 0 <= recency <= T")
    if np.any(t_x[x == 0] != 0):
        raise ValueError("recency must be 0 where frequency is 0")
    return x, t_x, t_obs
