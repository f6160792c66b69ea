"""Inputs of the churn scorer: the feature extract's columns, engineered model features, the rule score
(the fallback) and the customer-id hash that splits customers. Conventions: ``analytics.scorers.churn``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORICAL_FEATURES",
    "LABEL_COLUMN",
    "NULLABLE_COLUMNS",
    "NUMERIC_FEATURES",
    "REQUIRED_COLUMNS",
    "bgnbd_inputs",
    "customer_hash",
    "day_column",
    "engineer_features",
    "float_column",
    "hash_fraction",
    "rule_points",
]

REQUIRED_COLUMNS = (
    "customer_id_nat", "snapshot_date", "last_order_date", "orders_total", "purchase_days_total", "orders_30d",
    "orders_90d", "orders_180d", "orders_365d", "orders_prev_90d", "spend_total_aed", "spend_30d_aed",
    "spend_90d_aed", "spend_365d_aed", "spend_prev_90d_aed", "recency_days", "T_days", "days_since_last_order",
    "tenure_days", "avg_days_between_orders", "std_days_between_orders", "returns_90d", "returns_90d_aed",
    "loyalty_tier", "is_vip_flag", "region", "acquisition_channel",
)
NULLABLE_COLUMNS = (
    "avg_days_between_orders", "std_days_between_orders", "loyalty_tier", "region", "acquisition_channel",
)
LABEL_COLUMN = "churned"

# Engineered numeric feature -> the business factor it belongs to (contributions add up per factor).
NUMERIC_FEATURES = {
    "log_days_since_last_order": "recency",
    "days_since_last_order_capped": "recency",
    "recency_vs_own_interval": "recency",
    "log_orders_30d": "frequency",
    "log_orders_90d": "frequency",
    "log_orders_180d": "frequency",
    "log_orders_365d": "frequency",
    "log_orders_total": "frequency",
    "order_trend_qoq": "order_trend",
    "order_pace_month": "recent_pace",
    "spend_pace_month": "recent_pace",
    "spend_trend_qoq": "spend_trend",
    "log_spend_90d": "spend_level",
    "log_spend_365d": "spend_level",
    "log_spend_total": "spend_level",
    "log_avg_order_value": "spend_level",
    "log_avg_interval": "interval",
    "interval_cv": "irregular",
    "return_rate_90d": "returns",
    "return_value_share_90d": "returns",
    "log_tenure_days": "tenure",
    "is_one_time_buyer": "one_time",
    "probability_alive": "recency",  # BG/NBD's reading of the same silence, given the customer's own pace
    "is_vip_flag": "vip",
}
CATEGORICAL_FEATURES = ("loyalty_tier", "region", "acquisition_channel")

_DAYS_PER_WEEK = 7.0


def customer_hash(ids: Any) -> np.ndarray:
    """A stable 64-bit hash per customer id (pandas' fixed-key SipHash of the id as text), the same on every
    machine and run: the held-out split, the calibration folds and scoring shards use it."""
    text = pd.Series(np.asarray(ids)).astype(str)
    return pd.util.hash_pandas_object(text, index=False).to_numpy()


def hash_fraction(hashes: np.ndarray) -> np.ndarray:
    """The hash's top 53 bits as a number in [0, 1)."""
    return (hashes >> np.uint64(11)).astype(np.float64) * 2.0**-53


def float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=np.float64, na_value=np.nan)


def day_column(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column).to_numpy().astype("datetime64[D]")


def rule_points(features: pd.DataFrame, spend_bands_aed: Sequence[float] = (500.0, 1500.0)) -> pd.DataFrame:
    """The fallback's risk points per component (recency, frequency, spend, trend); the sum is 0..100.
    Bands in the module docstring."""
    days = float_column(features, "days_since_last_order")
    orders_90 = float_column(features, "orders_90d")
    orders_prev = float_column(features, "orders_prev_90d")
    spend_90 = float_column(features, "spend_90d_aed")
    low, high = (float(b) for b in spend_bands_aed)
    return pd.DataFrame(
        {
            "recency": np.minimum(days, 90.0) / 90.0 * 30.0,
            "frequency": np.select([orders_90 <= 0, orders_90 <= 1, orders_90 <= 2], [30.0, 20.0, 15.0], 0.0),
            "spend": np.select([spend_90 <= 0, spend_90 < low, spend_90 < high], [25.0, 15.0, 10.0], 0.0),
            "trend": np.select([orders_90 < 0.5 * orders_prev, orders_90 < orders_prev], [15.0, 10.0], 0.0),
        },
        index=features.index,
    )


def bgnbd_inputs(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) in weeks. Recency is clipped into [0, T] and set to 0 without a repeat
    purchase day, so small inconsistencies of an extract do not stop the model."""
    frequency = np.maximum(float_column(features, "purchase_days_total") - 1.0, 0.0)
    t_obs = np.maximum(float_column(features, "T_days"), 0.0) / _DAYS_PER_WEEK
    recency = np.clip(float_column(features, "recency_days") / _DAYS_PER_WEEK, 0.0, t_obs)
    return frequency, np.where(frequency > 0, recency, 0.0), t_obs


def engineer_features(
    features: pd.DataFrame, probability_alive: np.ndarray, fills: dict[str, float] | None = None
) -> pd.DataFrame:
    """The classifier's input: the engineered numeric features (``NUMERIC_FEATURES``) and the categoricals
    (missing -> 'unknown'), one row per input row. ``fills``: the training means that replace interval
    features where the customer has no interval (None: leave NaN, as ``fit`` does before computing them)."""
    days = float_column(features, "days_since_last_order")
    avg_gap = float_column(features, "avg_days_between_orders")
    std_gap = float_column(features, "std_days_between_orders")
    orders = {k: float_column(features, f"orders_{k}") for k in ("30d", "90d", "180d", "365d", "prev_90d", "total")}
    spend = {k: np.clip(float_column(features, f"spend_{k}_aed"), 0.0, None)
             for k in ("30d", "90d", "365d", "prev_90d", "total")}
    returns = float_column(features, "returns_90d")
    has_gap = np.isfinite(avg_gap) & (avg_gap > 0)
    gap = np.where(has_gap, np.maximum(avg_gap, 1.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        engineered = {
            "log_days_since_last_order": np.log1p(days),
            "days_since_last_order_capped": np.minimum(days, 365.0) / 365.0,
            "recency_vs_own_interval": np.log1p(days / gap),
            **{f"log_orders_{k}": np.log1p(orders[k]) for k in ("30d", "90d", "180d", "365d", "total")},
            "order_trend_qoq": np.log1p(orders["90d"]) - np.log1p(orders["prev_90d"]),
            "order_pace_month": np.log1p(orders["30d"]) - np.log1p(orders["90d"] / 3.0),
            "spend_pace_month": np.log1p(spend["30d"]) - np.log1p(spend["90d"] / 3.0),
            "spend_trend_qoq": np.log1p(spend["90d"]) - np.log1p(spend["prev_90d"]),
            "log_spend_90d": np.log1p(spend["90d"]),
            "log_spend_365d": np.log1p(spend["365d"]),
            "log_spend_total": np.log1p(spend["total"]),
            "log_avg_order_value": np.log1p(spend["total"] / np.maximum(orders["total"], 1.0)),
            "log_avg_interval": np.log(gap),
            "interval_cv": np.where(has_gap & np.isfinite(std_gap), std_gap / gap, np.nan),
            "return_rate_90d": np.minimum(returns / np.maximum(orders["90d"], 1.0), 3.0),
            "return_value_share_90d": np.minimum(
                np.clip(float_column(features, "returns_90d_aed"), 0.0, None) / np.maximum(spend["90d"], 1.0), 3.0
            ),
            "log_tenure_days": np.log1p(np.maximum(float_column(features, "tenure_days"), 0.0)),
            "is_one_time_buyer": (float_column(features, "purchase_days_total") <= 1).astype(np.float64),
            "probability_alive": np.asarray(probability_alive, dtype=np.float64),
            "is_vip_flag": (np.nan_to_num(float_column(features, "is_vip_flag")) > 0).astype(np.float64),
        }
    out = pd.DataFrame(engineered, index=features.index)[list(NUMERIC_FEATURES)]
    if fills is not None:
        out = out.fillna(fills)
    for column in CATEGORICAL_FEATURES:
        out[column] = features[column].astype(object).where(features[column].notna(), "unknown").astype(str)
    return out
