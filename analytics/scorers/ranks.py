"""Midpoint percentile ranks against a fitted population: equal values always rank equally.

Several scorers rank a customer's value among all customers of the fit (RFM quintiles, the behaviour score,
the predicted-value component of the LTV score). The population is summarised once, in ``fit``, as its
distinct values with how many customers lie below and at each; ``score`` places any subset against it, so
scoring in shards gives the same ranks as scoring everyone at once (DESIGN §6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["distribution", "midpoint_rank", "midpoint_percentile"]


def distribution(values: np.ndarray) -> pd.DataFrame:
    """Distinct values (ascending) with how many customers lie strictly below and exactly at each."""
    distinct, equal = np.unique(values, return_counts=True)
    return pd.DataFrame({"value": distinct, "below": np.cumsum(equal) - equal, "equal": equal})


def midpoint_rank(reference: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """2·(customers strictly below) + (customers equal) for each value; larger is better.

    A value the reference does not hold counts the customers below it and none equal.
    """
    distinct = reference["value"].to_numpy()
    at = np.searchsorted(distinct, values, side="left")
    inside = at < len(distinct)
    at_clipped = np.minimum(at, len(distinct) - 1)
    below = np.where(inside, reference["below"].to_numpy()[at_clipped], reference["equal"].sum())
    exact = inside & (distinct[at_clipped] == values)
    return 2 * below + np.where(exact, reference["equal"].to_numpy()[at_clipped], 0)


def midpoint_percentile(reference: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """100 · (below + equal / 2) / n: 0–100, higher is better, ties share one percentile (unrounded)."""
    n = int(reference["equal"].sum())
    return 50.0 * midpoint_rank(reference, values) / n
