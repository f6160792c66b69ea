"""BehaviorSegmenter: behavioural clusters of customers, named in plain words, and a 0–100 behaviour score.

Input: the shared customer-feature extract (one row per customer with a qualified order). Output: one row
per customer with its cluster, the cluster's behavioural segment and the customer's behaviour score. Pure
pandas/numpy/scikit-learn, no database or Airflow import (DESIGN §6).

Conventions (the choices the tests pin down):

- **Behaviour features** (``BEHAVIOR_FEATURES``), skewed counts and amounts on a log scale:
  ``recency`` = log(1 + days_since_last_order); ``frequency`` = log(orders_total);
  ``avg_order_value`` = log(1 + spend_total_aed / orders_total) (spend floored at 0);
  ``tenure`` = log(1 + tenure_days); ``momentum`` = log(1 + orders_90d) − log(1 + orders_prev_90d)
  (this quarter against the one before); ``return_rate`` = returns_90d / (orders_90d + returns_90d), 0
  without either. Each is standardised with the mean and standard deviation over all customers of the fit
  (a constant feature keeps standard deviation 1). The extract has no channel mix per customer.
- **Clusters.** scikit-learn ``KMeans`` (Lloyd, ``n_init`` starts, ``random_state``) for each k in
  [``k_min``, ``k_max``] on a fit sample of at most ``fit_sample_size`` customers; the k with the highest
  silhouette on a sample of at most ``silhouette_sample_size`` of them wins (ties: the smaller k). Samples
  are the first customers in the order of a hash of their id, so they do not depend on row order. With
  few distinct feature rows the range shrinks to at most their number minus one (fewer clusters than
  ``k_min`` rather than none). Cluster ids 0.. are ordered by size over all customers
  (largest first, ties by centroid). Fitting runs on one thread: KMeans' multi-threaded sums are not
  bit-for-bit repeatable, and a rerun of a date must give identical rows.
- **Names from centroids.** On three axes — recency, frequency, avg_order_value — a centroid's standardised
  coordinate z gives a level: 1 when z ≤ −``level_band``, 3 when z ≥ ``level_band``, else 2 (recency is
  turned round: level 3 = most recent). The (recency, frequency, spend) levels pick the segment from an
  ordered rule table of ``segment_type = 'behavioral'`` (27 cells, first matching priority wins, every cell
  covered and every rule reachable: ``rfm_segments.validate_segment_rules(levels=3)``), so the set of names
  is finite and lives in ``core.dim_customer_segment``. Clusters that land on the same segment are merged
  into it (``cluster_id`` still tells them apart).
- **One cluster.** With fewer than ``min_customers`` customers, or fewer than three distinct feature rows,
  every customer is in cluster 0 of the ``fallback_segment`` ('All customers'); no k-means is fitted.
- **Behaviour score** 0–100: the midpoint percentile, among all customers of the fit, of the engagement
  index Σ wᵢ·zᵢ with ``score_weights`` (default recency −1, frequency +1, tenure +0.5, momentum +0.5,
  return_rate −0.5, avg_order_value 0: basket value counts in the other parts of the LTV score). Equal
  indexes share a score.

Fit globally, score in shards: ``fit`` keeps the scaler, the centroids, the cluster → segment map and the
index distribution; ``score`` assigns each row to its nearest centroid (a per-row computation) and ranks its
index against the fitted distribution, so shards concatenate to the whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from analytics.config import SQL_DIR
from analytics.scorers.churn_features import customer_hash
from analytics.scorers.ranks import distribution, midpoint_percentile
from analytics.scorers.rfm_segments import cell_index, load_segment_rules, segment_lookup, validate_segment_rules

__all__ = [
    "BEHAVIOR_FEATURES", "BEHAVIOR_SEGMENTS_PATH", "LEVELS", "OUTPUT_COLUMNS", "REQUIRED_COLUMNS",
    "BehaviorSegmenter", "behavior_features",
]

REQUIRED_COLUMNS = [
    "customer_id_nat", "days_since_last_order", "orders_total", "spend_total_aed", "tenure_days", "orders_90d",
    "orders_prev_90d", "returns_90d",
]
BEHAVIOR_FEATURES = ["recency", "frequency", "avg_order_value", "tenure", "momentum", "return_rate"]
OUTPUT_COLUMNS = ["customer_id_nat", "cluster_id", "segment_code", "segment_name", "behaviour_score"]
BEHAVIOR_SEGMENTS_PATH = SQL_DIR / "seed" / "dim_customer_segment_behavioral.csv"
LEVELS = 3
# The axes that name a cluster, in rule-table order (r, f, m), and the sign that makes "higher = level 3".
_NAMING_AXES = (("recency", -1.0), ("frequency", 1.0), ("avg_order_value", 1.0))
_DEFAULT_WEIGHTS = {"recency": -1.0, "frequency": 1.0, "avg_order_value": 0.0, "tenure": 0.5, "momentum": 0.5,
                    "return_rate": -0.5}
_FALLBACK = ("ALL_CUSTOMERS", "All customers")


def behavior_features(features: pd.DataFrame) -> pd.DataFrame:
    """The behaviour features (``BEHAVIOR_FEATURES``) in business-free log units, one row per input row."""
    missing = [column for column in REQUIRED_COLUMNS if column not in features.columns]
    if missing:
        raise ValueError(f"behaviour features: missing required columns {missing}")
    nulls = [column for column in REQUIRED_COLUMNS if features[column].isna().any()]
    if nulls:
        raise ValueError(f"behaviour features: null values in {nulls}")

    def column(name: str) -> np.ndarray:
        return features[name].to_numpy(dtype=np.float64)

    orders = column("orders_total")
    if (orders < 1).any():
        raise ValueError("behaviour features: every customer needs orders_total >= 1 (a qualified order)")
    orders_90, returns_90 = column("orders_90d"), column("returns_90d")
    handled = orders_90 + returns_90
    return pd.DataFrame({
        "recency": np.log1p(np.maximum(column("days_since_last_order"), 0.0)),
        "frequency": np.log(orders),
        "avg_order_value": np.log1p(np.maximum(column("spend_total_aed"), 0.0) / orders),
        "tenure": np.log1p(np.maximum(column("tenure_days"), 0.0)),
        "momentum": np.log1p(orders_90) - np.log1p(column("orders_prev_90d")),
        "return_rate": np.divide(returns_90, handled, out=np.zeros_like(handled), where=handled > 0),
    }, index=features.index)


def _nearest(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid of each row; ties go to the lower index. Element-wise arithmetic only,
    so a row's answer never depends on which other rows it is scored with."""
    distances = np.zeros((len(points), len(centroids)))
    for j in range(points.shape[1]):
        distances += (points[:, j, None] - centroids[None, :, j]) ** 2
    return distances.argmin(axis=1)


class BehaviorSegmenter:
    """k-means behavioural clusters with segment names from their centroids, and a behaviour score.

    Settings (keyword only): ``k_min``, ``k_max`` (the silhouette search range, 2 <= k_min <= k_max),
    ``random_state``, ``n_init``, ``fit_sample_size``, ``silhouette_sample_size``, ``level_band`` (z beyond
    which an axis is low or high), ``min_customers`` (fewer: one cluster), ``score_weights`` (per behaviour
    feature), ``segment_rules`` (a behavioural rule table; default the shipped seed CSV) and
    ``fallback_segment`` ((code, name) of the one-cluster case).

    Required input columns: ``REQUIRED_COLUMNS``, one row per ``customer_id_nat``.

    Fitted attributes: ``n_customers_``, ``mean_`` and ``scale_`` (the standardisation), ``weights_`` (the
    score weights per feature), ``clustered_`` (False: the one-cluster fallback), ``k_`` (clusters used),
    ``silhouette_`` (per k tried), ``centroids_`` (k × features, standardised, in cluster-id order),
    ``cluster_sizes_``, ``cluster_levels_`` (k × 3 naming levels), ``cluster_segment_`` (segment code per
    cluster), ``segment_rules_``, ``index_reference_`` (the engagement index distribution) and
    ``model_version_``.
    """

    def __init__(
        self,
        *,
        k_min: int = 3,
        k_max: int = 8,
        random_state: int = 42,
        n_init: int = 4,
        fit_sample_size: int = 100_000,
        silhouette_sample_size: int = 3_000,
        level_band: float = 0.5,
        min_customers: int = 20,
        score_weights: Mapping[str, float] | None = None,
        segment_rules: pd.DataFrame | None = None,
        fallback_segment: tuple[str, str] = _FALLBACK,
    ) -> None:
        self.k_min = k_min
        self.k_max = k_max
        self.random_state = random_state
        self.n_init = n_init
        self.fit_sample_size = fit_sample_size
        self.silhouette_sample_size = silhouette_sample_size
        self.level_band = level_band
        self.min_customers = min_customers
        self.score_weights = score_weights
        self.segment_rules = segment_rules
        self.fallback_segment = fallback_segment

    def _check_settings(self) -> dict[str, float]:
        if not 2 <= int(self.k_min) <= int(self.k_max):
            raise ValueError(f"need 2 <= k_min <= k_max, got k_min={self.k_min}, k_max={self.k_max}")
        if self.silhouette_sample_size < 10 or self.fit_sample_size < self.silhouette_sample_size:
            raise ValueError("need 10 <= silhouette_sample_size <= fit_sample_size")
        if not self.level_band > 0:
            raise ValueError(f"level_band must be positive, got {self.level_band}")
        weights = dict(_DEFAULT_WEIGHTS if self.score_weights is None else self.score_weights)
        unknown = sorted(set(weights) - set(BEHAVIOR_FEATURES))
        if unknown or not any(weights.values()):
            raise ValueError(f"score_weights: need weights for {BEHAVIOR_FEATURES} (not all 0), unknown {unknown}")
        return {name: float(weights.get(name, 0.0)) for name in BEHAVIOR_FEATURES}

    def _standardised(self, features: pd.DataFrame) -> np.ndarray:
        return (behavior_features(features).to_numpy() - self.mean_) / self.scale_

    def _index(self, z: np.ndarray) -> np.ndarray:
        """Engagement index Σ wᵢ·zᵢ, summed feature by feature (row-wise, shard-independent)."""
        total = np.zeros(len(z))
        for j, weight in enumerate(self.weights_):
            total += weight * z[:, j]
        return total

    # -- estimator ----------------------------------------------------------------------------------

    def fit(self, features: pd.DataFrame) -> Self:
        """Standardise, choose k by silhouette, cluster, name the clusters and learn the score distribution."""
        self.weights_ = np.array(list(self._check_settings().values()))
        raw = behavior_features(features)
        if raw.empty:
            raise ValueError("behaviour features: no customers")
        ids = features["customer_id_nat"]
        if ids.duplicated().any():
            shown = ids[ids.duplicated()].unique()[:5].tolist()
            raise ValueError(f"behaviour features: duplicate customer_id_nat, e.g. {shown}")
        order = np.argsort(customer_hash(features["customer_id_nat"]), kind="stable")
        matrix = raw.to_numpy()[order]  # hash order: samples and sums do not depend on row order
        self.mean_ = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        z = (matrix - self.mean_) / self.scale_
        rules = self.segment_rules
        self.segment_rules_ = (load_segment_rules(BEHAVIOR_SEGMENTS_PATH, LEVELS) if rules is None
                               else validate_segment_rules(rules, LEVELS))
        self.silhouette_: dict[int, float] = {}
        centroids = self._cluster(z)
        labels = _nearest(z, centroids)
        sizes = np.bincount(labels, minlength=len(centroids))
        ranking = np.lexsort((*centroids.T[::-1], -sizes))  # largest first, then by centroid coordinates
        self.centroids_ = centroids[ranking]
        self.cluster_sizes_ = sizes[ranking]
        self.k_ = len(self.centroids_)
        self._name_clusters()
        self.index_reference_ = distribution(self._index(z))
        self.n_customers_ = len(z)
        digest = hashlib.sha256(np.round(np.concatenate([self.mean_, self.scale_, self.centroids_.ravel()]), 9)
                                .tobytes()).hexdigest()[:10]
        self.model_version_ = f"kmeans-k{self.k_}-{digest}" if self.clustered_ else "single-cluster"
        return self

    def _cluster(self, z: np.ndarray) -> np.ndarray:
        """Centroids (standardised) of the best k by silhouette; one centroid at the mean when too few customers."""
        sample = z[: self.fit_sample_size]
        k_high = min(int(self.k_max), len(np.unique(sample, axis=0)) - 1)
        candidates = range(max(min(int(self.k_min), k_high), 2), k_high + 1)
        self.clustered_ = len(z) >= self.min_customers and len(candidates) > 0
        if not self.clustered_:
            return np.zeros((1, z.shape[1]))
        check = sample[: self.silhouette_sample_size]
        fitted = {}
        with threadpool_limits(limits=1):
            for k in candidates:
                model = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state).fit(sample)
                fitted[k] = model.cluster_centers_
                labels = _nearest(check, fitted[k])
                usable = 2 <= len(np.unique(labels)) <= len(check) - 1
                self.silhouette_[k] = float(silhouette_score(check, labels)) if usable else float("nan")
        scored = {k: s for k, s in self.silhouette_.items() if np.isfinite(s)}
        if not scored:  # e.g. every silhouette-sample row in one cluster
            self.clustered_ = False
            return np.zeros((1, z.shape[1]))
        best = max(scored, key=lambda k: (scored[k], -k))
        return fitted[best]

    def _name_clusters(self) -> None:
        """Naming levels of each centroid and the segment they select (the fallback for one cluster)."""
        rules = self.segment_rules_
        if not self.clustered_:
            self.cluster_levels_ = np.full((1, 3), 2)
            self.cluster_segment_ = [self.fallback_segment]
            return
        columns = [BEHAVIOR_FEATURES.index(name) for name, _ in _NAMING_AXES]
        oriented = self.centroids_[:, columns] * np.array([sign for _, sign in _NAMING_AXES])
        levels = np.where(oriented <= -self.level_band, 1, np.where(oriented >= self.level_band, 3, 2))
        winner = segment_lookup(rules, LEVELS)[cell_index(*levels.T, levels=LEVELS)]
        self.cluster_levels_ = levels
        self.cluster_segment_ = list(zip(rules["segment_code"].to_numpy()[winner],
                                         rules["segment_name"].to_numpy()[winner], strict=True))

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """Cluster, segment and behaviour score of each customer (all, or a shard); one row per input row."""
        if not hasattr(self, "centroids_"):
            raise RuntimeError("BehaviorSegmenter.score: call fit first")
        z = self._standardised(features)
        cluster = _nearest(z, self.centroids_)
        codes, names = (np.array(column, dtype=object) for column in zip(*self.cluster_segment_, strict=True))
        percentile = midpoint_percentile(self.index_reference_, self._index(z))
        return pd.DataFrame({
            "customer_id_nat": features["customer_id_nat"].to_numpy(),
            "cluster_id": cluster.astype(np.int16),
            "segment_code": codes[cluster],
            "segment_name": names[cluster],
            "behaviour_score": np.round(percentile, 2),
        })[OUTPUT_COLUMNS]

    def clusters(self) -> list[dict[str, Any]]:
        """Per cluster: id, size, segment, naming levels and the centroid in business units (the geometric-mean
        style typical customer: log features turned back into days, orders and AED)."""
        if not hasattr(self, "centroids_"):
            raise RuntimeError("BehaviorSegmenter.clusters: call fit first")
        logs = self.centroids_ * self.scale_ + self.mean_
        column = {name: logs[:, j] for j, name in enumerate(BEHAVIOR_FEATURES)}
        business = {
            "days_since_last_order": np.expm1(column["recency"]),
            "orders_total": np.exp(column["frequency"]),
            "avg_order_value_aed": np.expm1(column["avg_order_value"]),
            "tenure_days": np.expm1(column["tenure"]),
            "orders_90d_vs_previous_ratio": np.exp(column["momentum"]),
            "return_rate_90d": column["return_rate"],
        }
        return [
            {"cluster_id": i, "customers": int(self.cluster_sizes_[i]), "segment_code": self.cluster_segment_[i][0],
             "segment_name": self.cluster_segment_[i][1],
             "levels": dict(zip(("recency", "frequency", "spend"), self.cluster_levels_[i].tolist(), strict=True)),
             "centroid": {name: round(float(values[i]), 2) + 0.0 for name, values in business.items()}}
            for i in range(self.k_)
        ]
