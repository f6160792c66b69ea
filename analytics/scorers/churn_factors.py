"""Churn factors in business words: the wording table, and the vectorised choice and rendering of each
customer's top three factors from a contribution matrix. Conventions: ``analytics.scorers.churn``."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from analytics.scorers.churn_features import CATEGORICAL_FEATURES, float_column

__all__ = ["CATEGORY_WORDS", "FACTOR_WORDS", "RULE_FACTOR_WORDS", "factor_fields", "render", "top_factors"]

# Business words per factor, and when a factor may be named: (words, feature, side). A factor is named only
# when the customer's value of ``feature`` lies on the risky side: 'above_mean' / 'below_mean' of the
# reference (retained) customers, 'below_zero' / 'above_zero' (a real fall, any return, ...).
# Correlated inputs can give a factor a positive contribution on its harmless side (e.g. "orders up" after
# the order windows already priced the level); such a factor is not named. Fields in braces are filled per
# customer (``factor_fields``).
FACTOR_WORDS: dict[str, tuple[str, str, str]] = {
    "recency": ("No order for {days} days{overdue}", "log_days_since_last_order", "above_mean"),
    "frequency": ("Few orders lately ({orders_90d} in 90 days, {orders_365d} in a year)", "log_orders_90d",
                  "below_mean"),
    "order_trend": ("Orders down vs previous quarter ({orders_prev_90d} -> {orders_90d})", "order_trend_qoq",
                    "below_zero"),
    "recent_pace": ("Quieter this month than the quarter's pace ({orders_30d} orders in 30 days, {orders_90d} in 90)",
                    "order_pace_month", "below_zero"),
    "spend_trend": ("Spend down vs previous quarter ({spend_prev_90d} -> {spend_90d} AED)", "spend_trend_qoq",
                    "below_zero"),
    "spend_level": ("Low spend in the last year ({spend_365d} AED)", "log_spend_365d", "below_mean"),
    "interval": ("Long gaps between orders (every {avg_gap} days on average)", "log_avg_interval", "above_mean"),
    "irregular": ("Irregular gaps between orders", "interval_cv", "above_mean"),
    "returns": ("High return rate ({returns_90d} returns in 90 days)", "return_rate_90d", "above_zero"),
    "tenure": ("New customer ({tenure} days)", "log_tenure_days", "below_mean"),
    "one_time": ("One-time buyer", "is_one_time_buyer", "above_zero"),
    "vip": ("Not a VIP", "is_vip_flag", "below_mean"),
}
# Categorical factors are named whatever their value: (words when known, words when missing).
CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "loyalty_tier": ("Loyalty tier {loyalty_tier}", "No loyalty tier"),
    "region": ("Region {region}", "Region unknown"),
    "acquisition_channel": ("Acquired via {acquisition_channel}", "Acquisition channel unknown"),
}
# Rule components (fallback) and their words, in tie-break order.
RULE_FACTOR_WORDS: dict[str, str] = {
    "recency": "No order for {days} days",
    "frequency": "Few orders in the last 90 days ({orders_90d})",
    "spend": "Low spend in the last 90 days ({spend_90d} AED)",
    "trend": "Orders down vs previous quarter ({orders_prev_90d} -> {orders_90d})",
}


def render(template: str, fields: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """``template`` filled for the positions ``rows``: numeric fields as whole numbers (halves up), text fields
    as they are. Only the rows named are formatted, with vectorised string operations."""
    out = pd.Series("", index=np.arange(len(rows)), dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        out = out + literal
        if name:
            values = fields[name][rows]
            if values.dtype.kind == "f":
                values = np.floor(np.nan_to_num(values) + 0.5).astype(np.int64).astype(str).astype(object)
            out = out + values
    return out.to_numpy(dtype=object)


def factor_fields(features: pd.DataFrame) -> dict[str, np.ndarray]:
    """The numbers (float arrays, shown as whole numbers) and labels (object arrays) the factor words quote."""
    days = float_column(features, "days_since_last_order")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = days / float_column(features, "avg_days_between_orders")
    shown = np.isfinite(ratio) & (ratio >= 1.5)
    overdue = np.full(len(days), "", dtype=object)
    overdue[shown] = " (" + np.round(ratio[shown], 1).astype(str).astype(object) + "x their usual gap)"
    fields = {
        "days": days,
        "overdue": overdue,
        "avg_gap": float_column(features, "avg_days_between_orders"),
        "tenure": float_column(features, "tenure_days"),
        **{f"orders_{k}": float_column(features, f"orders_{k}") for k in ("30d", "90d", "365d", "prev_90d")},
        **{f"spend_{k}": float_column(features, f"spend_{k}_aed") for k in ("90d", "365d", "prev_90d")},
        "returns_90d": float_column(features, "returns_90d"),
    }
    for column in CATEGORICAL_FEATURES:
        fields[column] = features[column].astype(object).fillna("").astype(str).to_numpy(dtype=object)
    return fields


def top_factors(
    contributions: np.ndarray, eligible: np.ndarray, words: list[tuple[str, str]], first: np.ndarray,
    fields: dict[str, np.ndarray], minimum: float,
) -> list[np.ndarray]:
    """The three largest contributions above ``minimum`` per row among its eligible factors, as words: one
    array per rank, None where a row has fewer. ``words[g]`` is factor g's pair of wordings, ``first[:, g]``
    picks the first of the pair. Ties go to the earlier factor."""
    n, k = contributions.shape[0], min(3, contributions.shape[1])
    masked = np.where(eligible, contributions, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    value = np.take_along_axis(masked, order, axis=1)
    picked_first = np.take_along_axis(first, order, axis=1)
    out = [np.full(n, None, dtype=object) for _ in range(3)]
    for rank in range(k):
        named = value[:, rank] > minimum
        for g, pair in enumerate(words):
            for use_first, template in ((True, pair[0]), (False, pair[1])):
                rows = np.flatnonzero(named & (order[:, rank] == g) & (picked_first[:, rank] == use_first))
                if len(rows):
                    out[rank][rows] = render(template, fields, rows)
    return out
