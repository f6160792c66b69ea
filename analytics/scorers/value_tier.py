"""ValueTierScorer: each customer's 0–100 LTV score, VIP tier and promotion category (REFERENCE §D).

Input: one row per customer with the day's RFM scores (``recency_score``, ``frequency_score``,
``monetary_score`` 1–5, ``monetary_percentile`` 0–100), the behaviour score (``BehaviorSegmenter``), the
lifetime-value outputs (``predicted_clv_lifetime_aed``, ``historical_clv_aed``, ``probability_alive``) and
``days_since_last_order``. Output: ``OUTPUT_COLUMNS``. Pure pandas/numpy, no database or Airflow import.

Conventions (the choices the tests pin down):

- **RFM component** = 100 · (R + F + M − 3) / 12: the sum of the three quintile scores mapped onto 0–100
  (111 → 0, 555 → 100). The composite 100·R + 10·F + M orders customers but is not a scale to weight.
- **Value component** = the midpoint percentile (0–100, equal values share it) of predicted lifetime CLV
  among all customers of the fit; where the CLV model gave no prediction (too little history to fit it),
  historical CLV stands in. A rank, so a few very large values do not squash everyone else towards 0.
- **LTV score** = w_rfm · RFM + w_behaviour · behaviour + w_value · value, ``weights`` default
  (0.4, 0.3, 0.3), summing to 1; rounded to 2 decimals.
- **VIP tier**: the first tier, best first, whose ``min_score`` the rounded LTV score reaches (``tiers``:
  rows of ``core.dim_customer_tier`` with ``tier_type = 'ltv_score'``: Diamond VIP >= 90, Gold VIP >= 75,
  Silver VIP >= 60, Standard >= 0), each with its promotion category.
- **Promotion category**: a tier whose category is 'Eligible for VIP Promotions' (Diamond and Gold) keeps
  it. Otherwise a customer of high past value — ``monetary_percentile`` >= ``reengage_min_value_percentile``
  (60) — who is slipping away — ``probability_alive`` below ``reengage_max_p_alive`` (0.5), or more than
  ``reengage_after_days`` (90) days since the last order — is 'Eligible for Re-engagement'; everyone else
  gets the tier's category ('Standard Marketing').

Fit globally, score in shards: ``fit`` keeps the distribution of predicted value over all customers; every
other quantity is per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from analytics.scorers.ranks import distribution, midpoint_percentile

__all__ = ["DEFAULT_TIERS", "OUTPUT_COLUMNS", "PROMOTION_CATEGORIES", "REQUIRED_COLUMNS", "ValueTierScorer"]

REQUIRED_COLUMNS = [
    "customer_id_nat", "recency_score", "frequency_score", "monetary_score", "monetary_percentile",
    "behaviour_score", "predicted_clv_lifetime_aed", "historical_clv_aed", "probability_alive",
    "days_since_last_order",
]
_FIT_COLUMNS = ["customer_id_nat", "predicted_clv_lifetime_aed", "historical_clv_aed"]
_NULLABLE = ("predicted_clv_lifetime_aed", "probability_alive")
OUTPUT_COLUMNS = [
    "customer_id_nat", "rfm_component", "value_component", "ltv_score", "tier_code", "vip_tier",
    "promotion_category",
]
VIP, REENGAGE, STANDARD = "Eligible for VIP Promotions", "Eligible for Re-engagement", "Standard Marketing"
PROMOTION_CATEGORIES = (VIP, REENGAGE, STANDARD)
# (tier_code, tier_name, min_score, promotion_category), best first; the shipped rows of core.dim_customer_tier
DEFAULT_TIERS: tuple[tuple[str, str, float, str], ...] = (
    ("DIAMOND_VIP", "Diamond VIP", 90.0, VIP),
    ("GOLD_VIP", "Gold VIP", 75.0, VIP),
    ("SILVER_VIP", "Silver VIP", 60.0, STANDARD),
    ("STANDARD", "Standard", 0.0, STANDARD),
)


class ValueTierScorer:
    """LTV score 0–100 from RFM, behaviour and predicted value; VIP tier and promotion category.

    Settings (keyword only): ``weights`` ((rfm, behaviour, value), summing to 1), ``tiers`` (rows
    (tier_code, tier_name, min_score, promotion_category), best first, the last at 0),
    ``reengage_min_value_percentile``, ``reengage_max_p_alive``, ``reengage_after_days``.

    Required input columns: ``REQUIRED_COLUMNS`` (only the two CLV predictions may be null).

    Fitted attributes: ``value_reference_`` (distribution of the ranked value over all customers),
    ``n_customers_``.
    """

    def __init__(
        self,
        *,
        weights: tuple[float, float, float] = (0.4, 0.3, 0.3),
        tiers: Sequence[tuple[str, str, float, str]] = DEFAULT_TIERS,
        reengage_min_value_percentile: float = 60.0,
        reengage_max_p_alive: float = 0.5,
        reengage_after_days: int = 90,
    ) -> None:
        self.weights = weights
        self.tiers = tiers
        self.reengage_min_value_percentile = reengage_min_value_percentile
        self.reengage_max_p_alive = reengage_max_p_alive
        self.reengage_after_days = reengage_after_days

    def _check_settings(self) -> None:
        weights = [float(w) for w in self.weights]
        if len(weights) != 3 or min(weights) < 0 or not np.isclose(sum(weights), 1.0):
            raise ValueError(f"weights must be three non-negative numbers summing to 1, got {self.weights}")
        minimums = [float(tier[2]) for tier in self.tiers]
        if not minimums or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0.0 or minimums[0] > 100:
            raise ValueError(f"tiers must be ordered by min_score within 0..100, highest first, the last at 0: "
                             f"{minimums}")
        unknown = sorted({tier[3] for tier in self.tiers} - set(PROMOTION_CATEGORIES))
        if unknown:
            raise ValueError(f"tiers: unknown promotion categories {unknown}; expected {PROMOTION_CATEGORIES}")

    @staticmethod
    def _check(frame: pd.DataFrame, columns: Sequence[str]) -> None:
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"value-tier inputs: missing required columns {missing}")
        nulls = [column for column in columns if column not in _NULLABLE and frame[column].isna().any()]
        if nulls:
            raise ValueError(f"value-tier inputs: null values in {nulls}")
        if frame["customer_id_nat"].duplicated().any():
            raise ValueError("value-tier inputs: duplicate customer_id_nat")

    @staticmethod
    def _ranked_value(frame: pd.DataFrame) -> np.ndarray:
        """Predicted lifetime CLV, historical CLV where there is no prediction."""
        predicted = frame["predicted_clv_lifetime_aed"].to_numpy(dtype=np.float64, na_value=np.nan)
        historical = frame["historical_clv_aed"].to_numpy(dtype=np.float64)
        return np.where(np.isnan(predicted), historical, predicted)

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn the distribution of predicted value over all customers (the value component's population).
        Needs only ``_FIT_COLUMNS``."""
        self._check_settings()
        self._check(frame, _FIT_COLUMNS)
        if frame.empty:
            raise ValueError("value-tier inputs: no customers")
        self.value_reference_ = distribution(self._ranked_value(frame))
        self.n_customers_ = len(frame)
        return self

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """LTV score, tier and promotion category of each customer (all, or a shard); one row per input row."""
        if not hasattr(self, "value_reference_"):
            raise RuntimeError("ValueTierScorer.score: call fit first")
        self._check_settings()
        self._check(frame, REQUIRED_COLUMNS)
        scores = frame[["recency_score", "frequency_score", "monetary_score"]].to_numpy(dtype=np.float64)
        rfm = 100.0 * (scores.sum(axis=1) - 3.0) / 12.0
        value = midpoint_percentile(self.value_reference_, self._ranked_value(frame))
        behaviour = frame["behaviour_score"].to_numpy(dtype=np.float64)
        w_rfm, w_behaviour, w_value = (float(w) for w in self.weights)
        ltv = np.round(w_rfm * rfm + w_behaviour * behaviour + w_value * value, 2)

        minimums = np.array([float(tier[2]) for tier in self.tiers])
        tier = np.argmax(ltv[:, None] >= minimums[None, :], axis=1)  # first tier reached; the last is at 0
        codes, names, categories = (np.array([t[i] for t in self.tiers], dtype=object) for i in (0, 1, 3))
        p_alive = frame["probability_alive"].to_numpy(dtype=np.float64, na_value=np.nan)
        slipping = (p_alive < self.reengage_max_p_alive) | (
            frame["days_since_last_order"].to_numpy() > self.reengage_after_days)
        valued = frame["monetary_percentile"].to_numpy(dtype=np.float64) >= self.reengage_min_value_percentile
        category = categories[tier]
        promotion = np.where(category == VIP, VIP, np.where(valued & slipping, REENGAGE, category))
        return pd.DataFrame({
            "customer_id_nat": frame["customer_id_nat"].to_numpy(),
            "rfm_component": np.round(rfm, 2),
            "value_component": np.round(value, 2),
            "ltv_score": ltv,
            "tier_code": codes[tier],
            "vip_tier": names[tier],
            "promotion_category": promotion.astype(object),
        })[OUTPUT_COLUMNS]
