"""ChurnPredictor: calibrated churn probability, risk score and its reasons, from the shared feature extract.

Churn means no qualified order in the next ``horizon_days`` (90 by default). The model is trained on a past
cut-off whose outcome is already known (DESIGN §6): **the caller supplies the features computed as of a
cut-off C and the label ``churned`` from orders in (C, C + horizon]**. The class only ever uses the frame it
is given, so it cannot see past C unless the caller's extract does; ``fit`` checks that no feature row has
a last order after its snapshot date, and ``score`` refuses a snapshot earlier than C + horizon (the labels
would then be the future of the day scored). No database or Airflow here.

Conventions (the choices the tests pin down):

- **Model.** An sklearn ``Pipeline``: a ``ColumnTransformer`` (``StandardScaler`` on the engineered numeric
  features; one-hot then ``StandardScaler`` on loyalty tier, region, acquisition channel) and a
  ``LogisticRegression`` wrapped in ``CalibratedClassifierCV`` (Platt "sigmoid" by default, ``ensemble=False``:
  the calibrator is fitted on 3-fold cross-validated predictions, one logistic regression is refitted on the
  whole training part). Folds and the held-out part come from a hash of ``customer_id_nat``, and rows are
  put in hash order first, so the fit does not depend on row order.
- **Features** (``churn_features.engineer_features``): log recency, capped recency, recency relative to
  the customer's own average interval, log order and spend windows, quarter-over-quarter and
  month-vs-quarter trends, average interval and its variability, return rate and return value share,
  tenure, one-time buyer, BG/NBD P(alive), VIP, and the three categoricals. Interval features of customers
  without one (too few purchase days) are set to the reference customers' mean (see Top factors), so they
  contribute nothing; the one-time-buyer flag carries that difference.
- **P(alive).** A ``BetaGeoModel`` fitted in ``fit`` on the training frame (frequency = purchase_days_total -
  1, recency = recency_days, T = T_days, in weeks) and **reused at scoring time**: refitting on the scoring
  frame would make a shard's scores depend on the shard, and the classifier learnt its coefficient for this
  fit's P(alive). The population's BG/NBD parameters move little in one horizon.
- **Held-out backtest.** Customers whose id hash falls below ``holdout_fraction`` are held out of the fit; on
  them, ROC AUC, PR AUC (average precision), Brier score, base rate and n for the model, the rule score and
  plain recency (``days_since_last_order``). The deployed model is the one these metrics describe (it is not
  refitted on the held-out part). When the model is not trained, rules and recency are evaluated on everyone.
- **Rule score (fallback)** from REFERENCE §B, risk points out of 100:
  recency min(days_since_last_order, 90) / 90 * 30;
  frequency on orders_90d: 0 -> 30, 1 -> 20, 2 -> 15, 3 or more -> 0;
  spend on spend_90d_aed: 0 or less -> 25, below ``rule_spend_bands_aed[0]`` (500) -> 15, below
  ``rule_spend_bands_aed[1]`` (1,500) -> 10, else 0;
  trend on orders_90d vs orders_prev_90d: below half -> 15, below -> 10, else 0.
  The model is not trained, and everyone is scored by these rules (``scored_by='rules'``, churn_probability =
  points / 100, not calibrated), when the training frame has fewer than ``min_training_customers`` customers,
  ``min_positive`` churners or ``min_negative`` non-churners.
- **Score and category.** churn_risk_score = round(100 * churn_probability), halves up; Low <= 25,
  Medium <= 50, High <= 75, else Critical (``category_thresholds``, each inclusive in the lower category).
- **Trends** (REFERENCE §B): order_frequency_trend and spend_trend compare the last 30 days with the 90-day
  monthly average (the 90-day value / 3): 'decreasing' strictly below half of it, 'increasing' strictly above
  1.5 times it, else 'stable' (so nothing in 90 days is 'stable'). engagement_trend is quarter over quarter
  on orders: orders_90d vs orders_prev_90d, 'decreasing' below half, 'increasing' above 1.5 times (any order
  after an empty previous quarter), else 'stable'. The extract has no windowed purchase days, so orders it is.
- **Flags.** avg_order_interval_change_pct = 100 * (days_since_last_order / avg_days_between_orders - 1): the
  open gap against the customer's usual one (NULL without an interval). is_one_time_buyer = one purchase day.
  has_high_returns = at least one return in 90 days and returns_90d >= ``high_return_rate`` (0.3) *
  max(orders_90d, 1).
- **Predicted churn date** = last_order_date + max(horizon_days, ``churn_gap_multiple`` (2) * average
  interval) days, rounded up: when a customer who has not ordered by then counts as lapsed. For customers
  already past it, the snapshot date (days_until_predicted_churn 0): never a date before the snapshot.
- **Top factors** (``churn_factors.FACTOR_WORDS``, ``CATEGORY_WORDS``): the model's per-customer
  contribution of each business factor is the sum of coef * (standardised value - reference) over the
  factor's columns, the reference being the mean over the training customers who did not churn. Exact for
  logistic regression: the contributions add up to the customer's log-odds minus the reference's; the
  calibration is increasing, so the order carries over; ``contributions`` returns them. "Why is this
  customer riskier than a typical retained one" reads better than against the all-customer mean, which is
  a lapsed customer in most shops. P(alive) counts in the recency factor (it is BG/NBD's reading of the
  same silence). The three largest contributions above ``min_factor_logodds`` are named, among the factors
  whose value lies on the factor's risky side (no "orders up" as a churn reason, which correlated inputs
  can otherwise produce). Scored by rules, the factors are the rule components with the most points
  (``RULE_FACTOR_WORDS``), ties in the order recency, frequency, spend, trend.
- **Priority** 1 (act first) to 5: Critical 2, High 3, Medium 4, Low 5, one step more urgent for high-value
  customers (spend_365d_aed at or above the training frame's ``high_value_quantile``, 0.8, and positive).

Fit globally, score in shards: every fitted quantity (scaler, coefficients, calibrator, BG/NBD parameters,
fill values, reference, value cut-off) comes from ``fit``; ``score`` is row by row, so shards concatenate to
the whole; ``churn_features.customer_hash`` is the id hash to split them by.

Inputs, engineered features and the rule score live in ``churn_features``; factor words in ``churn_factors``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from analytics.scorers.btyd import BetaGeoModel
from analytics.scorers.churn_factors import CATEGORY_WORDS, FACTOR_WORDS, RULE_FACTOR_WORDS, factor_fields, top_factors
from analytics.scorers.churn_features import (
    CATEGORICAL_FEATURES,
    LABEL_COLUMN,
    NULLABLE_COLUMNS,
    NUMERIC_FEATURES,
    REQUIRED_COLUMNS,
    bgnbd_inputs,
    customer_hash,
    day_column,
    engineer_features,
    float_column,
    hash_fraction,
    rule_points,
)

__all__ = ["ACTIONS", "CATEGORIES", "OUTPUT_COLUMNS", "ChurnPredictor"]

OUTPUT_COLUMNS = [
    "customer_id_nat", "snapshot_date", "days_since_last_order", "orders_last_30_days", "orders_last_90_days",
    "spend_last_30_days", "spend_last_90_days", "order_frequency_trend", "spend_trend", "engagement_trend",
    "avg_order_interval_change_pct", "returns_count_90_days", "is_one_time_buyer", "has_high_returns",
    "probability_alive", "churn_probability", "churn_risk_score", "churn_risk_category", "predicted_churn_date",
    "days_until_predicted_churn", "top_churn_factor_1", "top_churn_factor_2", "top_churn_factor_3", "scored_by",
    "model_version", "intervention_priority", "recommended_action",
]
CATEGORIES = ("Low", "Medium", "High", "Critical")
ACTIONS = {
    "Critical": "Immediate personal outreach",
    "High": "Win-back campaign",
    "Medium": "Retention program",
    "Low": "Monitor",
}
_BASE_PRIORITY = {"Critical": 2, "High": 3, "Medium": 4, "Low": 5}

_TINY = 1e-9  # standardised differences smaller than this are "at the reference"


def _trend(recent: np.ndarray, window: np.ndarray, low: float, high: float) -> np.ndarray:
    """'decreasing' when recent < low * window, 'increasing' when recent > high * window, else 'stable'."""
    return np.select([recent < low * window, recent > high * window], ["decreasing", "increasing"], "stable").astype(
        object
    )


def _metrics(y: np.ndarray, score: np.ndarray, is_probability: bool) -> dict[str, Any]:
    """ROC AUC, PR AUC, Brier (probabilities only), base rate, n; AUCs are None with one class only."""
    n, positives = len(y), int(y.sum())
    both = 0 < positives < n
    return {
        "n": n,
        "positives": positives,
        "base_rate": float(positives / n) if n else None,
        "roc_auc": float(roc_auc_score(y, score)) if both else None,
        "pr_auc": float(average_precision_score(y, score)) if both else None,
        "brier": float(brier_score_loss(y, score)) if is_probability and n else None,
        "mean_score": float(np.mean(score)) if n else None,
    }


class ChurnPredictor:
    """Churn scorer: ``fit(train)`` on features at a past cut-off with ``churned``, then ``score(features,
    snapshot_date)``; conventions in the module docstring.

    Required columns: ``REQUIRED_COLUMNS`` (nullable: ``NULLABLE_COLUMNS``), one row per unique
    ``customer_id_nat``, one ``snapshot_date`` per frame; ``fit`` also needs ``churned`` (0/1 or bool).

    Settings (keyword only): ``horizon_days`` (90), ``min_training_customers`` (500), ``min_positive`` and
    ``min_negative`` (50 each), ``model_version``, ``random_state`` (0; the fit is deterministic, it is kept
    for the estimator contract), ``holdout_fraction`` (0.25), ``calibration`` ('sigmoid', 'isotonic' or
    'temperature'), ``calibration_folds`` (3), ``C`` (inverse L2 strength of the logistic regression),
    ``category_thresholds`` ((25, 50, 75)), ``trend_thresholds`` ((0.5, 1.5)), ``rule_spend_bands_aed``
    ((500, 1500)), ``churn_gap_multiple`` (2.0), ``high_return_rate`` (0.3), ``high_value_quantile`` (0.8),
    ``min_category_frequency`` (0.01: rarer categories are pooled by the one-hot encoder),
    ``min_factor_logodds`` (0.1: a smaller contribution is not named as a factor).

    Fitted attributes: ``uses_model_``, ``fallback_reason_``, ``pipeline_`` (None when not used),
    ``bet_geo_`` (None when BG/NBD could not be fitted: no repeat buyer), ``feature_fills_``,
    ``value_cutoff_aed_``, ``training_cutoff_``, ``n_customers_``, ``n_positive_``, ``n_train_``,
    ``n_holdout_``, ``backtest_``, ``coefficients_``, ``reference_`` (standardised mean of the retained
    training customers) and ``reference_logit_``, ``fit_seconds_``.
    """

    def __init__(
        self,
        *,
        horizon_days: int = 90,
        min_training_customers: int = 500,
        min_positive: int = 50,
        min_negative: int = 50,
        model_version: str = "churn-logreg-1",
        random_state: int = 0,
        holdout_fraction: float = 0.25,
        calibration: str = "sigmoid",
        calibration_folds: int = 3,
        C: float = 1.0,
        category_thresholds: tuple[float, float, float] = (25, 50, 75),
        trend_thresholds: tuple[float, float] = (0.5, 1.5),
        rule_spend_bands_aed: tuple[float, float] = (500.0, 1500.0),
        churn_gap_multiple: float = 2.0,
        high_return_rate: float = 0.3,
        high_value_quantile: float = 0.8,
        min_category_frequency: float = 0.01,
        min_factor_logodds: float = 0.1,
    ) -> None:
        self.horizon_days = horizon_days
        self.min_training_customers = min_training_customers
        self.min_positive = min_positive
        self.min_negative = min_negative
        self.model_version = model_version
        self.random_state = random_state
        self.holdout_fraction = holdout_fraction
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.C = C
        self.category_thresholds = category_thresholds
        self.trend_thresholds = trend_thresholds
        self.rule_spend_bands_aed = rule_spend_bands_aed
        self.churn_gap_multiple = churn_gap_multiple
        self.high_return_rate = high_return_rate
        self.high_value_quantile = high_value_quantile
        self.min_category_frequency = min_category_frequency
        self.min_factor_logodds = min_factor_logodds

    # -- checks -------------------------------------------------------------------------------------

    def _check_settings(self) -> None:
        if int(self.horizon_days) < 1:
            raise ValueError("horizon_days must be >= 1")
        if not 0.0 < self.holdout_fraction < 0.9:
            raise ValueError("holdout_fraction must be within (0, 0.9)")
        if self.calibration not in ("sigmoid", "isotonic", "temperature"):
            raise ValueError(f"calibration must be 'sigmoid', 'isotonic' or 'temperature', not {self.calibration!r}")
        if int(self.calibration_folds) < 2:
            raise ValueError("calibration_folds must be >= 2")
        thresholds = [float(t) for t in self.category_thresholds]
        increasing = len(thresholds) == 3 and thresholds == sorted(set(thresholds))
        if not increasing or not 0 <= thresholds[0] < thresholds[2] < 100:
            raise ValueError(f"category_thresholds must be three increasing scores within 0..100, not {thresholds}")
        low, high = (float(t) for t in self.trend_thresholds)
        if not 0 < low < 1 < high:
            raise ValueError("trend_thresholds must be (low, high) with 0 < low < 1 < high")
        bands = [float(b) for b in self.rule_spend_bands_aed]
        if len(bands) != 2 or not 0 < bands[0] < bands[1]:
            raise ValueError("rule_spend_bands_aed must be two increasing positive amounts")
        if not 0 < self.high_value_quantile < 1:
            raise ValueError("high_value_quantile must be within (0, 1)")

    @staticmethod
    def _check_features(features: pd.DataFrame, what: str, extra: Sequence[str] = (), allow_empty: bool = False
                        ) -> None:
        needed = [*REQUIRED_COLUMNS, *extra]
        missing = [c for c in needed if c not in features.columns]
        if missing:
            raise ValueError(f"churn {what} is missing required columns: {', '.join(missing)}")
        if features.empty:
            if allow_empty:
                return
            raise ValueError(f"churn {what}: no customers")
        nulls = [c for c in needed if c not in NULLABLE_COLUMNS and features[c].isna().any()]
        if nulls:
            raise ValueError(f"churn {what}: null values in {', '.join(nulls)}")
        ids = features["customer_id_nat"]
        if ids.duplicated().any():
            raise ValueError(f"churn {what}: duplicate customer_id_nat, e.g. {ids[ids.duplicated()].iloc[:5].tolist()}")
        if (features["orders_total"] < 1).any() or (features["purchase_days_total"] < 1).any():
            raise ValueError(f"churn {what}: every customer needs orders_total >= 1 and purchase_days_total >= 1")
        if (features["days_since_last_order"] < 0).any():
            raise ValueError(f"churn {what}: negative days_since_last_order")
        snapshots = pd.to_datetime(features["snapshot_date"]).dt.normalize().unique()
        if len(snapshots) != 1:
            raise ValueError(f"churn {what}: expected one snapshot_date, found {len(snapshots)}")
        if (day_column(features["last_order_date"]) > np.datetime64(pd.Timestamp(snapshots[0]).date(), "D")).any():
            raise ValueError(f"churn {what}: last_order_date after snapshot_date (features from the future)")

    def _check_fitted(self) -> None:
        if not hasattr(self, "uses_model_"):
            raise RuntimeError("ChurnPredictor is not fitted: call fit() first")

    # -- estimator ----------------------------------------------------------------------------------

    def _probability_alive(self, features: pd.DataFrame) -> np.ndarray:
        if self.bet_geo_ is None:
            return np.full(len(features), np.nan)
        return self.bet_geo_.probability_alive(*bgnbd_inputs(features))

    def fit(self, train: pd.DataFrame) -> Self:
        """Fit on features at cut-off C with ``churned`` from (C, C + horizon]; returns self.

        Fits BG/NBD on every training customer (it uses no label), then, data permitting, the calibrated
        pipeline on the customers outside the held-out part, and backtests model, rules and recency.
        """
        started = time.perf_counter()
        self._check_settings()
        self._check_features(train, "training frame", (LABEL_COLUMN,), allow_empty=True)
        if train.empty:  # history too short to reach back a horizon: the rules score everyone
            return self._fit_rules_only("no customer had ordered by the training cut-off", started)
        label = train[LABEL_COLUMN]
        if not label.isin([0, 1, True, False]).all():
            raise ValueError("churn training frame: churned must be 0/1 or boolean")
        hashes = customer_hash(train["customer_id_nat"])
        order = np.lexsort((train["customer_id_nat"].astype(str).to_numpy(), hashes))  # row order never matters
        train, hashes = train.iloc[order].reset_index(drop=True), hashes[order]
        y = train[LABEL_COLUMN].to_numpy().astype(np.int64)
        self.training_cutoff_ = pd.Timestamp(train["snapshot_date"].iloc[0]).normalize()
        self.n_customers_, self.n_positive_ = len(train), int(y.sum())

        with threadpool_limits(limits=1, user_api="blas"):  # a busy 2-core box: BLAS threads only contend
            try:
                self.bet_geo_: BetaGeoModel | None = BetaGeoModel(time_unit="weeks").fit(*bgnbd_inputs(train))
            except ValueError:  # no repeat buyer at all: P(alive) is undefined (NULL) and not a feature
                self.bet_geo_ = None
            p_alive = self._probability_alive(train)
            held_out = hash_fraction(hashes) < self.holdout_fraction
            fit_part = ~held_out
            raw = engineer_features(train, np.nan_to_num(p_alive, nan=1.0))
            # the means over the reference customers (retained, in the fit part), so that a filled value sits
            # exactly at the reference and contributes nothing
            reference = fit_part & (y == 0)
            self.feature_fills_ = {
                c: float(np.nanmean(raw.loc[reference, c])) if np.isfinite(raw.loc[reference, c]).any() else 0.0
                for c in ("recency_vs_own_interval", "log_avg_interval", "interval_cv")
            }
            engineered = raw.fillna(self.feature_fills_)
            spend_365 = float_column(train, "spend_365d_aed")
            self.value_cutoff_aed_ = float(np.quantile(spend_365, self.high_value_quantile))

            reasons = []
            if self.n_customers_ < self.min_training_customers:
                reasons.append(f"{self.n_customers_} customers < {self.min_training_customers}")
            if self.n_positive_ < self.min_positive:
                reasons.append(f"{self.n_positive_} churners < {self.min_positive}")
            if self.n_customers_ - self.n_positive_ < self.min_negative:
                reasons.append(f"{self.n_customers_ - self.n_positive_} non-churners < {self.min_negative}")
            folds = (hashes % np.uint64(self.calibration_folds)).astype(np.int64)
            if not reasons and not held_out.any():
                reasons.append("no held-out customer")
            if not reasons:
                for fold in range(int(self.calibration_folds)):
                    fold_y = y[fit_part & (folds != fold)]
                    if fold_y.size == 0 or fold_y.min() == fold_y.max():
                        reasons.append("a calibration fold has one class only")
                        break
            self.uses_model_ = not reasons
            self.fallback_reason_ = "; ".join(reasons) or None

            rules = rule_points(train, self.rule_spend_bands_aed).sum(axis=1).to_numpy() / 100.0
            recency = float_column(train, "days_since_last_order")
            if self.uses_model_:
                self.pipeline_: Pipeline | None = self._pipeline(folds[fit_part])
                self.pipeline_.fit(engineered[fit_part], y[fit_part])
                self.reference_ = np.asarray(self.pipeline_["prepare"].transform(engineered[reference])).mean(axis=0)
                logistic = self._logistic()
                self.reference_logit_ = float(logistic.intercept_[0] + self.reference_ @ logistic.coef_[0])
                model = self.pipeline_.predict_proba(engineered[held_out])[:, 1]
                on = held_out
                self.coefficients_ = self._coefficients()
            else:
                self.pipeline_, model, on, self.coefficients_ = None, None, np.ones(len(y), dtype=bool), None
                self.reference_, self.reference_logit_ = None, None
        y_on = y[on]
        self.backtest_ = {
            "evaluated_on": "holdout" if self.uses_model_ else "all",
            "model": _metrics(y_on, model, True) if model is not None else None,
            "rules": _metrics(y_on, rules[on], True),
            "recency": _metrics(y_on, recency[on], False),
        }
        if y_on.size:
            base = y_on.mean()
            self.backtest_["brier_base_rate"] = float(base * (1.0 - base))  # a constant at the base rate
        self.n_train_, self.n_holdout_ = int(fit_part.sum()), int(held_out.sum())
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _fit_rules_only(self, reason: str, started: float) -> Self:
        """Fitted state of a predictor that has nothing to learn from: rules only, no P(alive), no backtest."""
        self.training_cutoff_, self.n_customers_, self.n_positive_ = None, 0, 0
        self.bet_geo_, self.pipeline_, self.coefficients_ = None, None, None
        self.reference_, self.reference_logit_, self.feature_fills_ = None, None, {}
        self.value_cutoff_aed_ = float("inf")
        self.uses_model_, self.fallback_reason_ = False, reason
        self.backtest_ = {"evaluated_on": "none", "model": None, "rules": None, "recency": None}
        self.n_train_, self.n_holdout_ = 0, 0
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _pipeline(self, folds: np.ndarray) -> Pipeline:
        categorical = Pipeline(
            [
                ("onehot", OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=self.min_category_frequency, sparse_output=False
                )),
                ("scale", StandardScaler()),
            ]
        )
        prepare = ColumnTransformer(
            [
                ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
                ("categorical", categorical, list(CATEGORICAL_FEATURES)),
            ],
            verbose_feature_names_out=False,
        )
        classifier = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        calibrated = CalibratedClassifierCV(
            classifier, method=self.calibration, cv=PredefinedSplit(folds), ensemble=False
        )
        return Pipeline([("prepare", prepare), ("classify", calibrated)])

    def _logistic(self) -> LogisticRegression:
        return self.pipeline_["classify"].calibrated_classifiers_[0].estimator

    def _factor_of_columns(self) -> tuple[list[str], np.ndarray]:
        """(factor names, factor index of each prepared column)."""
        factors = list(dict.fromkeys([*NUMERIC_FEATURES.values(), *CATEGORICAL_FEATURES]))
        index = {f: i for i, f in enumerate(factors)}
        columns = self.pipeline_["prepare"].get_feature_names_out()
        of_column = []
        for name in columns:
            if name in NUMERIC_FEATURES:
                of_column.append(index[NUMERIC_FEATURES[name]])
            else:
                of_column.append(index[next(c for c in CATEGORICAL_FEATURES if name.startswith(f"{c}_"))])
        return factors, np.asarray(of_column)

    def _coefficients(self) -> dict[str, float]:
        names = self.pipeline_["prepare"].get_feature_names_out()
        model = self._logistic()
        out = {"intercept": float(model.intercept_[0])}
        out.update({str(n): float(c) for n, c in zip(names, model.coef_[0], strict=True)})
        return out

    def diagnostics(self) -> dict[str, Any]:
        """Summary for an ``audit.model_run`` row: JSON-friendly values only."""
        self._check_fitted()
        calibrator = None
        if self.uses_model_:
            fitted = self.pipeline_["classify"].calibrated_classifiers_[0].calibrators[0]
            calibrator: dict[str, Any] = {"method": self.calibration}
            for name, value in vars(fitted).items():  # sigmoid: a_, b_; temperature: its scalar; isotonic: none
                if name.endswith("_") and isinstance(value, (float, np.floating, np.ndarray)) and np.size(value) == 1:
                    calibrator[name] = float(np.ravel(value)[0])
        cutoff = self.training_cutoff_
        return {
            "model": "churn_logistic_regression" if self.uses_model_ else "churn_rules",
            "model_version": self.model_version,
            "scored_by": "model" if self.uses_model_ else "rules",
            "fallback_reason": self.fallback_reason_,
            "training_cutoff": None if cutoff is None else cutoff.date().isoformat(),
            "outcome_end": None if cutoff is None else (cutoff + pd.Timedelta(days=int(self.horizon_days))).date()
            .isoformat(),
            "horizon_days": int(self.horizon_days),
            "n_customers": self.n_customers_,
            "n_positive": self.n_positive_,
            "n_train": self.n_train_,
            "n_holdout": self.n_holdout_,
            "params": {
                "C": self.C, "calibration": self.calibration, "calibration_folds": int(self.calibration_folds),
                "holdout_fraction": self.holdout_fraction, "rule_spend_bands_aed": list(self.rule_spend_bands_aed),
                "category_thresholds": list(self.category_thresholds),
            },
            "coefficients": self.coefficients_,
            "calibrator": calibrator,
            "bg_nbd": self.bet_geo_.diagnostics() if self.bet_geo_ is not None else None,
            "feature_fills": dict(self.feature_fills_),
            "reference_logit": self.reference_logit_,
            "value_cutoff_aed": self.value_cutoff_aed_,
            "metrics": self.backtest_,
            "seconds": self.fit_seconds_,
        }

    metrics = diagnostics

    # -- scoring ------------------------------------------------------------------------------------

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Per-customer log-odds contribution of each business factor (coef * (standardised value -
        reference), summed over the factor's columns); a row adds up to the customer's log-odds minus the
        reference customer's (``reference_logit_``)."""
        self._check_fitted()
        if not self.uses_model_:
            raise RuntimeError("ChurnPredictor: no model was trained (rule fallback), so no contributions")
        prepared = self._prepared(features)
        return pd.DataFrame(self._factor_contributions(prepared)[0], index=features.index,
                            columns=self._factor_of_columns()[0])

    def _prepared(self, features: pd.DataFrame) -> pd.DataFrame:
        return engineer_features(features, np.nan_to_num(self._probability_alive(features), nan=1.0),
                                 self.feature_fills_)

    def _factor_contributions(self, engineered: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(contributions, eligible, first wording), each n x factors; see ``FACTOR_WORDS``."""
        factors, of_column = self._factor_of_columns()
        standardised = np.asarray(self.pipeline_["prepare"].transform(engineered), dtype=np.float64)
        standardised -= self.reference_  # relative to the typical retained customer
        per_column = standardised * self._logistic().coef_[0]
        membership = np.zeros((len(of_column), len(factors)))
        membership[np.arange(len(of_column)), of_column] = 1.0
        contributions = per_column @ membership
        eligible = np.ones(contributions.shape, dtype=bool)
        first = np.ones(contributions.shape, dtype=bool)
        columns = list(self.pipeline_["prepare"].get_feature_names_out())
        for g, factor in enumerate(factors):
            if factor in FACTOR_WORDS:
                _, feature, side = FACTOR_WORDS[factor]
                z = standardised[:, columns.index(feature)]
                raw = engineered[feature].to_numpy(dtype=np.float64)
                eligible[:, g] = {
                    "above_mean": z > _TINY, "below_mean": z < -_TINY,
                    "above_zero": raw > 0, "below_zero": raw < 0,
                }[side]
            else:
                first[:, g] = (engineered[factor] != "unknown").to_numpy()
        return contributions, eligible, first

    def score(self, features: pd.DataFrame, snapshot_date: Any) -> pd.DataFrame:
        """One row per customer (``OUTPUT_COLUMNS``), in the input's row order, for features as of
        ``snapshot_date`` (all customers or a shard)."""
        self._check_fitted()
        self._check_settings()
        self._check_features(features, "features")
        snapshot = pd.Timestamp(snapshot_date).normalize()
        if pd.Timestamp(features["snapshot_date"].iloc[0]).normalize() != snapshot:
            raise ValueError(f"churn features are as of {features['snapshot_date'].iloc[0]}, not {snapshot.date()}")
        outcome_end = None if self.training_cutoff_ is None else self.training_cutoff_ + pd.Timedelta(
            days=int(self.horizon_days))
        if self.uses_model_ and snapshot < outcome_end:
            raise ValueError(
                f"the model learnt outcomes up to {outcome_end.date()}, after the snapshot {snapshot.date()}: "
                "train on a cut-off at least horizon_days before the snapshot"
            )
        n = len(features)
        frame = features.reset_index(drop=True)
        with threadpool_limits(limits=1, user_api="blas"):
            p_alive = self._probability_alive(frame)
            fields = factor_fields(frame)
            if self.uses_model_:
                engineered = engineer_features(frame, np.nan_to_num(p_alive, nan=1.0), self.feature_fills_)
                probability = self.pipeline_.predict_proba(engineered)[:, 1]
                contributions, eligible, first = self._factor_contributions(engineered)
                words = [
                    (FACTOR_WORDS[f][0],) * 2 if f in FACTOR_WORDS else CATEGORY_WORDS[f]
                    for f in self._factor_of_columns()[0]
                ]
            else:
                points = rule_points(frame, self.rule_spend_bands_aed)
                probability = points.sum(axis=1).to_numpy() / 100.0
                contributions = points.to_numpy()
                eligible = first = np.ones(points.shape, dtype=bool)
                words = [(RULE_FACTOR_WORDS[c],) * 2 for c in points.columns]
            minimum = float(self.min_factor_logodds) if self.uses_model_ else 0.0
        top = top_factors(contributions, eligible, words, first, fields, minimum)

        score = np.floor(100.0 * probability + 0.5).astype(np.int64)
        low_t, mid_t, high_t = (float(t) for t in self.category_thresholds)
        category = np.select([score <= low_t, score <= mid_t, score <= high_t], list(CATEGORIES[:3]),
                             CATEGORIES[3]).astype(object)
        spend_365 = float_column(frame, "spend_365d_aed")
        high_value = (spend_365 >= self.value_cutoff_aed_) & (spend_365 > 0)
        priority = pd.Series(category).map(_BASE_PRIORITY).to_numpy(dtype=np.int64) - high_value.astype(np.int64)

        days = float_column(frame, "days_since_last_order")
        avg_gap = float_column(frame, "avg_days_between_orders")
        gap = np.fmax(float(self.horizon_days), self.churn_gap_multiple * avg_gap)  # fmax: NaN gap -> horizon
        last = day_column(frame["last_order_date"])
        churn_day = last + np.ceil(gap).astype(np.int64).astype("timedelta64[D]")
        churn_day = np.maximum(churn_day, np.datetime64(snapshot.date(), "D"))
        until = (churn_day - np.datetime64(snapshot.date(), "D")).astype(np.int64)

        orders = {k: float_column(frame, f"orders_{k}") for k in ("30d", "90d", "prev_90d")}
        spend = {k: float_column(frame, f"spend_{k}_aed") for k in ("30d", "90d")}
        returns = float_column(frame, "returns_90d")
        low, high_ratio = (float(t) for t in self.trend_thresholds)
        with np.errstate(divide="ignore", invalid="ignore"):
            interval_change = np.round(100.0 * (days / avg_gap - 1.0), 2)
        out = pd.DataFrame(
            {
                "customer_id_nat": frame["customer_id_nat"].to_numpy(),
                "snapshot_date": np.full(n, np.datetime64(snapshot.date(), "D")).astype("datetime64[ns]"),
                "days_since_last_order": days.astype(np.int64),
                "orders_last_30_days": orders["30d"].astype(np.int64),
                "orders_last_90_days": orders["90d"].astype(np.int64),
                "spend_last_30_days": np.round(spend["30d"], 2),
                "spend_last_90_days": np.round(spend["90d"], 2),
                "order_frequency_trend": _trend(orders["30d"], orders["90d"] / 3.0, low, high_ratio),
                "spend_trend": _trend(spend["30d"], spend["90d"] / 3.0, low, high_ratio),
                "engagement_trend": _trend(orders["90d"], orders["prev_90d"], low, high_ratio),
                "avg_order_interval_change_pct": np.where(np.isfinite(interval_change), interval_change, np.nan),
                "returns_count_90_days": returns.astype(np.int64),
                "is_one_time_buyer": float_column(frame, "purchase_days_total") <= 1,
                "has_high_returns": (returns >= 1) & (returns >= self.high_return_rate * np.maximum(orders["90d"], 1)),
                "probability_alive": np.round(p_alive, 4),
                "churn_probability": np.round(probability, 6),
                "churn_risk_score": score,
                "churn_risk_category": category,
                "predicted_churn_date": churn_day.astype("datetime64[ns]"),
                "days_until_predicted_churn": until,
                "top_churn_factor_1": top[0],
                "top_churn_factor_2": top[1],
                "top_churn_factor_3": top[2],
                "scored_by": "model" if self.uses_model_ else "rules",
                "model_version": self.model_version,
                "intervention_priority": priority,
                "recommended_action": pd.Series(category).map(ACTIONS).to_numpy(dtype=object),
            }
        )
        text = [c for c in OUTPUT_COLUMNS if out[c].dtype == object and c != "customer_id_nat"]
        return out[OUTPUT_COLUMNS].astype(dict.fromkeys(text, "str"))  # one dtype whatever a shard holds
