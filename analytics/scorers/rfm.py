"""RFM scoring of customers at a snapshot date: quintile scores, segments, and dbt-style value and churn flags.

Input: the shared customer-feature extract (one row per customer with at least one qualified order up to
the snapshot date). Output: one row per input customer with the columns of ``core.fact_customer_rfm``
(REFERENCE §B) plus the historical metrics of the POS-log model (REFERENCE §C): AOV, CLTV and its group,
churn flag and churn-risk group. Pure pandas/numpy, no database or Airflow import (DESIGN §6).

Conventions (the choices the tests pin down):

- **Measures.** Recency = days from ``last_order_date`` to the snapshot date (fewer is better).
  Frequency = ``orders_total`` and monetary = ``spend_total_aed``, both over the customer's whole history,
  as REFERENCE §C defines them (distinct invoices, sum of amounts). A 365-day window would give every
  customer silent for over a year F = M = 0, so "Can't Lose Them" and "At Risk" (bought often and much,
  long ago) could never hold anyone. The window columns remain settings (``frequency_column``,
  ``monetary_column``) and are published as the fact's 365/180/90-day columns either way.
- **Scores and ties.** Each measure's score is its quintile by *midpoint rank*: with ``less`` customers
  strictly worse and ``equal`` customers with the same value (itself included) among ``n``,
  percentile = 100 · (less + equal / 2) / n and score = 1 + floor(percentile / 20), so 5 is best.
  Equal values always get the same score and percentile, whatever their customer ids; with distinct
  values the five groups have equal counts (n divisible by 5). One customer, or all-identical values,
  score 3 (the middle). Ties make groups uneven and may leave a score unused.
- **Composite.** ``rfm_composite_score`` = 100·R + 10·F + M (REFERENCE §B), i.e. ``rfm_score`` read as a
  number: it orders customers by R, then F, then M.
- **Change.** ``rfm_score_change`` is 'old->new' (e.g. '444->432') when the previous snapshot scored the
  customer differently, and null when it scored them the same or did not score them. ``segment_changed``
  is true only when the previous snapshot had the customer in another segment (false for new customers).
- **AOV.** ``avg_order_value`` = 365-day spend / 365-day orders (null without an order in 365 days);
  ``customer_aov`` = ``spend_total_aed`` / ``orders_total``; ``overall_aov_`` = total spend / total orders
  over all customers.
- **CLTV** (REFERENCE §C, historical): ``customer_aov`` × purchase frequency (orders per month of tenure)
  × tenure (months) × ``gross_margin``, with a month of 365.25/12 days and tenure = ``tenure_days``
  floored at 1 day. The product telescopes to ``spend_total_aed`` × ``gross_margin``; predictive CLV is
  the CLVCalculator's job. ``cltv_group``: Low up to the 33rd percentile of CLTV, Medium up to the 66th,
  High above (numpy's linear-interpolated percentiles; a value equal to a cut-off takes the lower group).
- **Churn.** ``is_churned`` = days_since_last_order > ``churn_window_days`` (90: day 90 is not churned,
  day 91 is). ``churn_risk_group``: Low ≤ 30 days, Medium ≤ 60, High ≤ 90, else Churned; each threshold
  is inclusive in the lower group, and the last threshold must equal the churn window.

Fit globally, score in shards (DESIGN §6): ``fit`` keeps each measure's distribution over all customers,
the CLTV cut-offs and the rule lookup; ``score`` ranks any subset against them, so scoring shards and
concatenating gives the same rows as scoring everyone at once.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.scorers.ranks import distribution, midpoint_rank
from analytics.scorers.rfm_segments import cell_index, load_segment_rules, segment_lookup, validate_segment_rules

__all__ = ["REQUIRED_COLUMNS", "OUTPUT_COLUMNS", "RFMCalculator"]

REQUIRED_COLUMNS = [
    "customer_id_nat", "last_order_date", "orders_total", "orders_90d", "orders_180d", "orders_365d",
    "spend_total_aed", "spend_90d_aed", "spend_180d_aed", "spend_365d_aed", "avg_days_between_orders",
    "tenure_days",
]
OUTPUT_COLUMNS = [
    "customer_id_nat", "snapshot_date", "days_since_last_order", "last_order_date", "recency_score",
    "order_count_365_days", "order_count_180_days", "order_count_90_days", "avg_days_between_orders",
    "frequency_score", "total_spend_365_days", "total_spend_180_days", "total_spend_90_days", "avg_order_value",
    "monetary_score", "rfm_score", "rfm_composite_score", "recency_percentile", "frequency_percentile",
    "monetary_percentile", "segment_code", "segment_name", "rfm_score_change", "segment_changed",
    "customer_aov", "cltv", "cltv_group", "is_churned", "churn_risk_group",
]
_FREQUENCY_CHOICES = ("orders_total", "purchase_days_total", "orders_365d", "orders_180d", "orders_90d")
_MONETARY_CHOICES = ("spend_total_aed", "spend_365d_aed", "spend_180d_aed", "spend_90d_aed")
_PREVIOUS_COLUMNS = ["customer_id_nat", "rfm_score", "segment_code"]
_DAYS_PER_MONTH = 365.25 / 12
_CLTV_PERCENTILES = (0.33, 0.66)
_CLTV_GROUPS = ["Low", "Medium", "High"]
_CHURN_GROUPS = ["Low", "Medium", "High", "Churned"]
_MEASURES = ("recency", "frequency", "monetary")


def _day(value: dt.date | str | pd.Timestamp) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def _days(column: pd.Series) -> np.ndarray:
    """A date or datetime column as datetime64[D] (times of day dropped)."""
    return pd.to_datetime(column).to_numpy().astype("datetime64[D]")


def _quintile(rank2: np.ndarray, n: int) -> np.ndarray:
    # floor(5 · (less + equal/2) / n) in integers, so a boundary is never lost to rounding.
    return np.minimum(1 + (5 * rank2) // (2 * n), 5)


class RFMCalculator:
    """Quintile RFM scores, rule-table segments, change vs the previous snapshot, AOV, CLTV and churn flags.

    Settings (keyword only): ``frequency_column`` and ``monetary_column`` (the measures behind F and M),
    ``gross_margin`` (CLTV, default 0.30), ``churn_window_days`` (default 90), ``churn_risk_thresholds``
    (default (30, 60, 90)), ``segment_rules`` (a rule table; default the shipped seed CSV).

    Required input columns: ``REQUIRED_COLUMNS`` plus the two measure columns. Dates may be datetime64
    or python dates; amounts are AED.

    Fitted attributes: ``snapshot_date_``, ``n_customers_``, ``reference_`` (per measure, its distinct
    values with the customers below and at each; oriented so larger is better: recency is minus the days),
    ``quantile_edges_`` (per score 2–5, the most days / least orders / least spend that still reaches it;
    NaN when no customer does), ``cltv_edges_`` (the 33rd and 66th percentiles), ``overall_aov_``,
    ``segment_rules_`` (validated, in priority order) and ``cell_segment_`` (rule position per (R, F, M)
    cell, see ``rfm_segments.cell_index``).
    """

    def __init__(
        self,
        *,
        frequency_column: str = "orders_total",
        monetary_column: str = "spend_total_aed",
        gross_margin: float = 0.30,
        churn_window_days: int = 90,
        churn_risk_thresholds: tuple[int, int, int] = (30, 60, 90),
        segment_rules: pd.DataFrame | None = None,
    ) -> None:
        self.frequency_column = frequency_column
        self.monetary_column = monetary_column
        self.gross_margin = gross_margin
        self.churn_window_days = churn_window_days
        self.churn_risk_thresholds = churn_risk_thresholds
        self.segment_rules = segment_rules

    # -- input checks -------------------------------------------------------------------------------

    def _check_settings(self) -> None:
        if self.frequency_column not in _FREQUENCY_CHOICES:
            raise ValueError(f"frequency_column must be one of {_FREQUENCY_CHOICES}, not {self.frequency_column!r}")
        if self.monetary_column not in _MONETARY_CHOICES:
            raise ValueError(f"monetary_column must be one of {_MONETARY_CHOICES}, not {self.monetary_column!r}")
        if not 0 <= self.gross_margin <= 1:
            raise ValueError(f"gross_margin must be within 0..1, not {self.gross_margin}")
        thresholds = list(self.churn_risk_thresholds)
        if len(thresholds) != 3 or thresholds != sorted(set(thresholds)) or thresholds[0] < 0:
            raise ValueError(f"churn_risk_thresholds must be three increasing day counts, not {thresholds}")
        if thresholds[-1] != self.churn_window_days:
            raise ValueError("the last churn_risk_threshold must equal churn_window_days, so 'Churned' means churned")

    def _days_since_last_order(self, features: pd.DataFrame, snapshot: np.datetime64) -> np.ndarray:
        """Check the features (ValueError naming what is wrong) and return each customer's days since last order."""
        needed = list(dict.fromkeys([*REQUIRED_COLUMNS, self.frequency_column, self.monetary_column]))
        missing = [column for column in needed if column not in features.columns]
        if missing:
            raise ValueError(f"RFM features: missing required columns {missing}")
        if features.empty:
            raise ValueError("RFM features: no customers")
        not_null = [column for column in needed if column != "avg_days_between_orders"]
        nulls = [column for column in not_null if features[column].isna().any()]
        if nulls:
            raise ValueError(f"RFM features: null values in {nulls}")
        ids = features["customer_id_nat"]
        if ids.duplicated().any():
            shown = ids[ids.duplicated()].unique()[:5].tolist()
            raise ValueError(f"RFM features: duplicate customer_id_nat, e.g. {shown}")
        if (features["orders_total"] < 1).any():
            raise ValueError("RFM features: every customer needs orders_total >= 1 (a qualified order)")
        days = (snapshot - _days(features["last_order_date"])).astype(np.int64)
        if (days < 0).any():
            raise ValueError(f"RFM features: {(days < 0).sum()} customers have a last_order_date after the snapshot")
        return days

    # -- estimator ----------------------------------------------------------------------------------

    def _measures(self, features: pd.DataFrame, days: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "recency": -days.astype(np.float64),
            "frequency": features[self.frequency_column].to_numpy(dtype=np.float64),
            "monetary": features[self.monetary_column].to_numpy(dtype=np.float64),
        }

    @staticmethod
    def _cltv(features: pd.DataFrame, gross_margin: float) -> tuple[np.ndarray, np.ndarray]:
        """(customer_aov, cltv) per customer; see the module docstring for the definition."""
        orders = features["orders_total"].to_numpy(dtype=np.float64)
        customer_aov = features["spend_total_aed"].to_numpy(dtype=np.float64) / orders
        tenure_months = np.maximum(features["tenure_days"].to_numpy(dtype=np.float64), 1.0) / _DAYS_PER_MONTH
        orders_per_month = orders / tenure_months
        return customer_aov, customer_aov * orders_per_month * tenure_months * gross_margin

    def fit(self, features: pd.DataFrame, snapshot_date: dt.date | str | pd.Timestamp) -> RFMCalculator:
        """Learn the score distributions, CLTV cut-offs, overall AOV and segment lookup from all customers."""
        self._check_settings()
        snapshot = _day(snapshot_date)
        days = self._days_since_last_order(features, snapshot)
        n = len(features)
        self.reference_ = {name: distribution(values) for name, values in self._measures(features, days).items()}

        edges = {}
        for name, reference in self.reference_.items():
            values = reference["value"].to_numpy()
            scores = _quintile(2 * reference["below"].to_numpy() + reference["equal"].to_numpy(), n)
            first = np.searchsorted(scores, [2, 3, 4, 5], side="left")
            edge = np.where(first < len(values), values[np.minimum(first, len(values) - 1)], np.nan)
            edges[name] = -edge if name == "recency" else edge
        self.quantile_edges_ = pd.DataFrame(edges, index=pd.Index([2, 3, 4, 5], name="score"))

        _, cltv = self._cltv(features, self.gross_margin)
        self.cltv_edges_ = np.quantile(cltv, _CLTV_PERCENTILES)
        self.overall_aov_ = float(features["spend_total_aed"].sum() / features["orders_total"].sum())

        rules = self.segment_rules
        self.segment_rules_ = load_segment_rules() if rules is None else validate_segment_rules(rules)
        self.cell_segment_ = segment_lookup(self.segment_rules_)
        self.snapshot_date_ = snapshot
        self.n_customers_ = n
        return self

    def score(self, features: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
        """Score customers (all, or a shard) against the fitted distributions; one row per input row.

        ``previous``: the previous snapshot's output (at least customer_id_nat, rfm_score, segment_code),
        for ``rfm_score_change`` and ``segment_changed``; None when there is no previous snapshot.
        """
        if not hasattr(self, "reference_"):
            raise RuntimeError("RFMCalculator.score: call fit first")
        days = self._days_since_last_order(features, self.snapshot_date_)
        n = self.n_customers_
        scores, percentiles = {}, {}
        for name, values in self._measures(features, days).items():
            rank2 = midpoint_rank(self.reference_[name], values)
            scores[name] = _quintile(rank2, n)
            percentiles[name] = np.round(50.0 * rank2 / n, 2)  # 100 · (less + equal/2) / n
        r, f, m = (scores[name] for name in _MEASURES)
        composite = 100 * r + 10 * f + m
        rfm_score = pd.Series(composite, index=features.index).astype("str")

        rules = self.segment_rules_
        rule_position = self.cell_segment_[cell_index(r, f, m)]
        segment_code = pd.Categorical.from_codes(rule_position, categories=rules["segment_code"])
        segment_name = pd.Categorical.from_codes(rule_position, categories=rules["segment_name"])
        score_change, segment_changed = _changes(features, rfm_score, rule_position, rules, previous)

        orders_365 = features["orders_365d"].to_numpy(dtype=np.float64)
        spend_365 = features["spend_365d_aed"].to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            avg_order_value = np.where(orders_365 > 0, spend_365 / orders_365, np.nan)
        customer_aov, cltv = self._cltv(features, self.gross_margin)
        cltv_group = np.searchsorted(self.cltv_edges_, cltv, side="left")  # equal to a cut-off: lower group
        churn_group = np.searchsorted(np.asarray(self.churn_risk_thresholds), days, side="left")

        columns = {
            "customer_id_nat": features["customer_id_nat"],
            "snapshot_date": np.full(len(features), self.snapshot_date_).astype("datetime64[ns]"),
            "days_since_last_order": days,
            "last_order_date": (self.snapshot_date_ - days.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "recency_score": scores["recency"],
            "order_count_365_days": features["orders_365d"],
            "order_count_180_days": features["orders_180d"],
            "order_count_90_days": features["orders_90d"],
            "avg_days_between_orders": features["avg_days_between_orders"],
            "frequency_score": scores["frequency"],
            "total_spend_365_days": features["spend_365d_aed"],
            "total_spend_180_days": features["spend_180d_aed"],
            "total_spend_90_days": features["spend_90d_aed"],
            "avg_order_value": avg_order_value,
            "monetary_score": scores["monetary"],
            "rfm_score": rfm_score,
            "rfm_composite_score": composite,
            "recency_percentile": percentiles["recency"],
            "frequency_percentile": percentiles["frequency"],
            "monetary_percentile": percentiles["monetary"],
            "segment_code": segment_code,
            "segment_name": segment_name,
            "rfm_score_change": score_change,
            "segment_changed": segment_changed,
            "customer_aov": customer_aov,
            "cltv": cltv,
            "cltv_group": pd.Categorical.from_codes(cltv_group, categories=_CLTV_GROUPS),
            "is_churned": days > self.churn_window_days,
            "churn_risk_group": pd.Categorical.from_codes(churn_group, categories=_CHURN_GROUPS),
        }
        return pd.DataFrame(columns, index=features.index)[OUTPUT_COLUMNS].reset_index(drop=True)

    def fit_score(
        self,
        features: pd.DataFrame,
        snapshot_date: dt.date | str | pd.Timestamp,
        previous: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Fit on all customers and score them: the daily run on one worker."""
        return self.fit(features, snapshot_date).score(features, previous)


def _changes(
    features: pd.DataFrame,
    rfm_score: pd.Series,
    rule_position: np.ndarray,
    rules: pd.DataFrame,
    previous: pd.DataFrame | None,
) -> tuple[pd.Series, np.ndarray]:
    """(rfm_score_change, segment_changed) against the previous snapshot's rows, matched on customer_id_nat."""
    if previous is not None:
        missing = [column for column in _PREVIOUS_COLUMNS if column not in previous.columns]
        if missing:
            raise ValueError(f"previous RFM snapshot: missing columns {missing}")
    if previous is None or previous.empty:
        return pd.Series(pd.NA, index=features.index, dtype="str"), np.zeros(len(features), dtype=bool)
    if previous["customer_id_nat"].duplicated().any():
        raise ValueError("previous RFM snapshot: duplicate customer_id_nat")
    at = pd.Index(previous["customer_id_nat"]).get_indexer(features["customer_id_nat"])
    known = at >= 0
    take = np.where(known, at, 0)
    previous_score = pd.Series(previous["rfm_score"].astype("str").to_numpy()[take], index=features.index)
    change = (previous_score + "->" + rfm_score).where(known & (previous_score != rfm_score).to_numpy())
    # A previous code absent from today's table (a retired segment) counts as a change.
    previous_position = pd.Categorical(previous["segment_code"], categories=rules["segment_code"]).codes[take]
    return change, known & (previous_position != rule_position)
