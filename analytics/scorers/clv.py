"""CLVCalculator: historical and predicted customer lifetime value from the shared feature extract.

Historical value is arithmetic on the features. Predicted value multiplies three model outputs, all fitted
globally on every customer in ``fit`` and applied per customer in ``score``, so scoring can be split into
shards without changing a result (DESIGN.md section 6):

- expected purchase days per future month from BG/NBD, given the customer's (frequency, recency, T);
- expected value of a purchase day from Gamma-Gamma, given the customer's repeat purchases;
- the customer's margin (from item cost where known, else ``default_margin``),

discounted monthly at the rate that compounds to ``annual_discount_rate`` (see ``btyd.discounted_transactions``).
Amounts are AED; money is rounded to cents at the end. No database or Airflow here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from analytics.scorers.btyd import DAYS_PER_MONTH, DAYS_PER_UNIT, BetaGeoModel, GammaGammaModel, discounted_transactions

__all__ = ["DEFAULT_TIERS", "FEATURE_COLUMNS", "SCORE_COLUMNS", "CLVCalculator"]

FEATURE_COLUMNS = (
    "customer_id_nat", "first_order_date", "last_order_date", "orders_total", "purchase_days_total",
    "spend_total_aed", "repeat_spend_aed", "recency_days", "T_days", "revenue_with_cost_aed", "cost_aed",
)
SCORE_COLUMNS = (
    "customer_id_nat", "tenure_days", "tenure_months", "historical_revenue_aed", "historical_orders",
    "historical_profit_aed", "avg_order_value_aed", "orders_per_month", "margin_pct", "historical_clv_aed",
    "expected_transactions_1y", "probability_alive", "expected_avg_order_value_aed", "predicted_clv_1y_aed",
    "predicted_clv_3y_aed", "predicted_clv_lifetime_aed", "clv_confidence_score", "value_percentile",
    "value_tier", "clv_change_30d_aed", "clv_trend_30d",
)
# (tier_code, min value_percentile), best first: a customer gets the first tier whose minimum they reach
DEFAULT_TIERS: tuple[tuple[str, float], ...] = (("Platinum", 95.0), ("Gold", 80.0), ("Silver", 50.0), ("Bronze", 0.0))


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing required columns: {', '.join(missing)}")


class CLVCalculator:
    """Customer lifetime value scorer: ``fit(features)`` then ``score(features, snapshot_date, previous)``.

    Required feature columns (one row per customer, unique ``customer_id_nat``): see ``FEATURE_COLUMNS``.
    The models use frequency = purchase_days_total - 1, recency = recency_days, T = T_days (converted to
    ``time_unit``, weeks by default, for the fit's conditioning) and monetary_value = repeat_spend_aed /
    frequency (0 when frequency is 0). A "transaction" in the predictions is a purchase day.

    Settings: ``annual_discount_rate``, ``default_margin`` (used where no item cost is known),
    ``lifetime_months`` (the "lifetime" horizon), ``time_unit``, ``penalizer`` (L2 on both models'
    parameters), ``tiers`` (ordered (tier_code, min_percentile) rows, the last at 0), ``trend_tolerance``
    (relative change in lifetime CLV below which the 30-day trend is FLAT), ``min_customers`` and
    ``min_repeat_customers`` (below them the predictive models are not fitted, see ``fit``).
    """

    def __init__(
        self,
        *,
        annual_discount_rate: float = 0.10,
        default_margin: float = 0.30,
        lifetime_months: int = 120,
        time_unit: str = "weeks",
        penalizer: float = 0.0,
        tiers: Sequence[tuple[str, float]] = DEFAULT_TIERS,
        trend_tolerance: float = 0.01,
        min_customers: int = 100,
        min_repeat_customers: int = 20,
    ) -> None:
        self.annual_discount_rate = annual_discount_rate
        self.default_margin = default_margin
        self.lifetime_months = lifetime_months
        self.time_unit = time_unit
        self.penalizer = penalizer
        self.tiers = tiers
        self.trend_tolerance = trend_tolerance
        self.min_customers = min_customers
        self.min_repeat_customers = min_repeat_customers

    def _check_settings(self) -> None:
        if self.time_unit not in DAYS_PER_UNIT:
            raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, got {self.time_unit!r}")
        if not 0.0 <= self.default_margin <= 1.0:
            raise ValueError("default_margin must be within [0, 1]")
        if int(self.lifetime_months) < 36:
            raise ValueError("lifetime_months must be >= 36 (the 3-year horizon)")
        minimums = [float(m) for _, m in self.tiers]
        if not minimums or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0.0:
            raise ValueError("tiers must be ordered by min_percentile, highest first, the last at 0")

    def _model_inputs(self, features: pd.DataFrame) -> dict[str, np.ndarray]:
        """frequency, recency, T (in time_unit) and monetary_value from the feature columns, checked."""
        _require(features, FEATURE_COLUMNS, "features")
        ids = features["customer_id_nat"]
        if ids.isna().any() or ids.duplicated().any():
            raise ValueError("features must have one row per customer_id_nat (no duplicates, no nulls)")
        days = features["purchase_days_total"].to_numpy(dtype=float)
        if np.any(days < 1):
            raise ValueError("purchase_days_total must be >= 1 for every customer")
        frequency = days - 1.0
        per_unit = DAYS_PER_UNIT[self.time_unit]
        repeat_spend = features["repeat_spend_aed"].to_numpy(dtype=float)
        monetary = np.divide(repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0)
        return {
            "frequency": frequency,
            "recency": features["recency_days"].to_numpy(dtype=float) / per_unit,
            "T": features["T_days"].to_numpy(dtype=float) / per_unit,
            "monetary_value": monetary,
        }

    def fit(self, features: pd.DataFrame) -> Self:
        """Fit BG/NBD on every customer and Gamma-Gamma on those with repeat purchases; returns self.

        With fewer than ``min_customers`` customers or ``min_repeat_customers`` repeat buyers (a new shop,
        a test warehouse) the models are not fitted, and when a fit does not converge or its predictions are
        not finite (too short a history leaves the dropout process unidentified: a and b run off to infinity)
        its parameters are not used;
        ``skipped_reason_`` says why. The predictive columns are then NULL, confidence 0, and customers are
        ranked by historical CLV instead (``predictive_`` is False).
        """
        self._check_settings()
        data = self._model_inputs(features)
        repeat = int((data["frequency"] > 0).sum())
        self.bgnbd_ = self.gamma_gamma_ = None
        self.skipped_reason_ = None
        if len(features) < self.min_customers or repeat < self.min_repeat_customers:
            self.skipped_reason_ = (f"{len(features)} customers ({repeat} with a repeat purchase): need "
                                    f"{self.min_customers} ({self.min_repeat_customers})")
        else:
            settings = {"penalizer": self.penalizer, "time_unit": self.time_unit}
            self.bgnbd_ = BetaGeoModel(**settings).fit(data["frequency"], data["recency"], data["T"])
            self.gamma_gamma_ = GammaGammaModel(**settings).fit(data["frequency"], data["monetary_value"])
            failed = [m.model_name for m in self._models() if not m.converged_]
            if failed:
                self.skipped_reason_ = f"{' and '.join(failed)} did not converge: {self.params_of(failed)}"
        self.predictive_ = self.skipped_reason_ is None
        if self.predictive_:
            with np.errstate(invalid="ignore", over="ignore"):
                lifetime = self._predicted_clv(features, data)[2][:, 2]
            unusable = int((~np.isfinite(lifetime)).sum())
            if unusable:  # e.g. a and b of BG/NBD far out on the likelihood's flat ridge: 2F1 overflows
                self.skipped_reason_ = (f"predicted CLV is not finite for {unusable} customers with "
                                        f"{self.params_of(['bg_nbd'])}")
                self.predictive_ = False
        self.params_ = {m.model_name: dict(m.params_) for m in self._models()}
        self.n_customers_ = len(features)
        return self.fit_value_ranks(features)

    def params_of(self, names: list[str]) -> dict[str, dict[str, float]]:
        return {m.model_name: {k: round(v, 6) for k, v in m.params_.items()} for m in self._models()
                if m.model_name in names}

    def _models(self) -> list[Any]:
        return [m for m in (self.bgnbd_, self.gamma_gamma_) if m is not None]

    def fit_value_ranks(self, features: pd.DataFrame) -> Self:
        """Rank the customers' lifetime CLV (``value_rank_``, ``value_reference_``): the population that
        ``value_percentile`` is measured in, whatever subset ``score`` is given. ``fit`` ranks every
        customer it was fitted on."""
        data = self._model_inputs(features)
        margin, _, clv = self._predicted_clv(features, data)
        value = self._ranked_value(features, margin, clv)
        ids = features["customer_id_nat"].to_numpy()
        self.value_rank_ = pd.Series(_percentile(value, ids), index=ids)
        self.value_reference_ = np.sort(value)
        return self

    def diagnostics(self) -> dict[str, dict[str, Any]]:
        """Fit diagnostics per model, keyed by model name, one ``audit.model_run`` row each."""
        if not hasattr(self, "bgnbd_"):
            raise RuntimeError("CLVCalculator is not fitted: call fit() first")
        return {m.model_name: m.diagnostics() for m in self._models()}

    def score(
        self, features: pd.DataFrame, snapshot_date: Any, previous: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """One row per customer with the columns in ``SCORE_COLUMNS``, in the features' row order.

        ``previous``: (customer_id_nat, predicted_clv_lifetime_aed) of the snapshot 30 days earlier;
        customers absent from it (or no ``previous`` at all) get NULL change and trend.
        """
        if not hasattr(self, "bgnbd_"):
            raise RuntimeError("CLVCalculator is not fitted: call fit() first")
        self._check_settings()
        data = self._model_inputs(features)
        frequency = data["frequency"]
        snapshot = pd.Timestamp(snapshot_date).normalize()

        tenure_days = (snapshot - pd.to_datetime(features["first_order_date"]).dt.normalize()).dt.days.to_numpy()
        tenure_months = tenure_days / DAYS_PER_MONTH
        revenue = features["spend_total_aed"].to_numpy(dtype=float)
        orders = features["orders_total"].to_numpy(dtype=np.int64)
        margin, value, clv = self._predicted_clv(features, data)
        profit = revenue * margin
        month = DAYS_PER_MONTH / DAYS_PER_UNIT[self.time_unit]
        if not self.predictive_:
            expected_1y = p_alive = np.full(len(features), np.nan)
        else:
            expected_1y = self.bgnbd_.conditional_expected_transactions(12 * month, frequency, data["recency"],
                                                                         data["T"])
            p_alive = self.bgnbd_.probability_alive(frequency, data["recency"], data["T"])
        # confidence: how much the customer's own history (Gamma-Gamma's weight on it, 0 with no repeat
        # purchase, growing with purchase days) times how decided P(alive) is (0.5 at P = 0.5, 1 at 0 or 1)
        confidence = (np.zeros(len(features)) if not self.predictive_ else
                      self.gamma_gamma_.data_weight(frequency) * (0.5 + 0.5 * np.abs(2.0 * p_alive - 1.0)))

        lifetime = np.round(clv[:, 2], 2)
        percentile = self._value_percentile(self._ranked_value(features, margin, clv), features["customer_id_nat"])
        out = pd.DataFrame(
            {
                "customer_id_nat": features["customer_id_nat"].to_numpy(),
                "tenure_days": tenure_days.astype(np.int64),
                "tenure_months": np.round(tenure_months, 2),
                "historical_revenue_aed": np.round(revenue, 2),
                "historical_orders": orders,
                "historical_profit_aed": np.round(profit, 2),
                "avg_order_value_aed": np.round(np.divide(revenue, orders, out=np.zeros_like(revenue),
                                                          where=orders > 0), 2),
                # tenure under a month counts as one month, so first-month customers are not inflated
                "orders_per_month": np.round(orders / np.maximum(tenure_months, 1.0), 4),
                "margin_pct": np.round(margin, 4),
                "historical_clv_aed": np.round(profit, 2),
                "expected_transactions_1y": np.round(expected_1y, 4),
                "probability_alive": np.round(p_alive, 4),
                "expected_avg_order_value_aed": np.round(value, 2),
                "predicted_clv_1y_aed": np.round(clv[:, 0], 2),
                "predicted_clv_3y_aed": np.round(clv[:, 1], 2),
                "predicted_clv_lifetime_aed": lifetime,
                "clv_confidence_score": np.round(confidence, 4),
                "value_percentile": percentile,
                "value_tier": self._tier(percentile),
            },
            index=features.index,
        )
        change, trend = self._trend(out, previous)
        return out.assign(clv_change_30d_aed=change, clv_trend_30d=trend)[list(SCORE_COLUMNS)]

    def _predicted_clv(self, features: pd.DataFrame, data: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """(margin, expected order value, discounted CLV at 12 / 36 / lifetime months) per customer."""
        costed = features["revenue_with_cost_aed"].to_numpy(dtype=float)
        cost = features["cost_aed"].to_numpy(dtype=float)
        has_cost = np.nan_to_num(costed) > 0
        margin = np.full(len(features), float(self.default_margin))
        margin[has_cost] = (costed[has_cost] - cost[has_cost]) / costed[has_cost]
        if not self.predictive_:
            return margin, np.full(len(features), np.nan), np.full((len(features), 3), np.nan)
        horizons = (12, 36, int(self.lifetime_months))
        transactions = discounted_transactions(
            self.bgnbd_, data["frequency"], data["recency"], data["T"], horizons, self.annual_discount_rate
        )
        value = self.gamma_gamma_.conditional_expected_average_value(data["frequency"], data["monetary_value"])
        return margin, value, transactions * (value * margin)[:, None]

    def _ranked_value(self, features: pd.DataFrame, margin: np.ndarray, clv: np.ndarray) -> np.ndarray:
        """What ``value_percentile`` ranks: predicted lifetime CLV, or historical profit without models."""
        if not self.predictive_:
            return np.round(features["spend_total_aed"].to_numpy(dtype=float) * margin, 2)
        return np.round(clv[:, 2], 2)

    def _value_percentile(self, lifetime: np.ndarray, ids: pd.Series) -> np.ndarray:
        """Percentile of each customer's lifetime CLV among all customers of the fit (``value_rank_``), so
        a shard scores exactly as it would among everyone; a customer the fit did not see is placed by
        value alone."""
        known = self.value_rank_.reindex(ids.to_numpy()).to_numpy(dtype=float, copy=True)
        unseen = np.isnan(known)
        if unseen.any():
            position = np.searchsorted(self.value_reference_, lifetime[unseen], side="left")
            known[unseen] = np.round(100.0 * position / max(len(self.value_reference_) - 1, 1), 2)
        return np.minimum(known, 100.0)

    def _tier(self, percentile: np.ndarray) -> np.ndarray:
        codes = [code for code, _ in self.tiers]
        minimums = [float(m) for _, m in self.tiers]
        return np.select([percentile >= m for m in minimums], codes, default=codes[-1]).astype(object)

    def _trend(self, scores: pd.DataFrame, previous: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series]:
        n = len(scores)
        if previous is None:
            return np.full(n, np.nan), pd.Series([None] * n, index=scores.index, dtype=object)
        _require(previous, ("customer_id_nat", "predicted_clv_lifetime_aed"), "previous")
        if previous["customer_id_nat"].duplicated().any():
            raise ValueError("previous must have one row per customer_id_nat")
        before = (
            scores[["customer_id_nat"]]
            .merge(previous[["customer_id_nat", "predicted_clv_lifetime_aed"]], on="customer_id_nat", how="left")
            ["predicted_clv_lifetime_aed"].to_numpy(dtype=float)
        )
        change = np.round(scores["predicted_clv_lifetime_aed"].to_numpy(dtype=float) - before, 2)
        flat = np.abs(change) <= self.trend_tolerance * np.abs(before)
        trend = np.where(np.isnan(change), None, np.where(flat, "FLAT", np.where(change > 0, "UP", "DOWN")))
        return change, pd.Series(trend, index=scores.index, dtype=object)


def _percentile(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """0-100 rank of ``values`` (0 = lowest, 100 = highest); equal values are ordered by customer id, the
    lower id ranking higher, so the result never depends on row order."""
    n = len(values)
    if n == 0:
        return np.zeros(0)
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(n)
    order = np.lexsort((-id_rank, values))  # ascending value, then descending id
    rank = np.empty(n, dtype=float)
    rank[order] = np.arange(n)
    return np.round(100.0 * rank / max(n - 1, 1), 2) if n > 1 else np.full(1, 100.0)
