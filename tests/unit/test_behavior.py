"""Tests of BehaviorSegmenter (analytics/scorers/behavior.py): k by silhouette on separated blobs, names from
centroids, merged clusters, the behaviour score against an independent rank, shard and row-order invariance,
the one-cluster fallback and input checks. Frames are built inline from a few typical customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from analytics.scorers.behavior import (
    BEHAVIOR_FEATURES,
    BEHAVIOR_SEGMENTS_PATH,
    OUTPUT_COLUMNS,
    BehaviorSegmenter,
    behavior_features,
)
from analytics.scorers.churn_features import customer_hash
from analytics.scorers.rfm_segments import load_segment_rules

# Typical customers of four behaviours: (days since last order, orders, AOV in AED, tenure days, customers).
BLOBS = {
    "frequent_big": (5, 20, 800.0, 700, 60),
    "lapsed_once": (400, 1, 60.0, 400, 50),
    "new_once": (10, 1, 80.0, 10, 40),
    "lapsed_repeat": (300, 8, 150.0, 900, 30),
}


def _customers(blobs: dict[str, tuple], jitter: float = 0.05, seed: int = 3) -> pd.DataFrame:
    """Customers around each blob's typical values (multiplicative jitter), ids prefixed by the blob name."""
    rng = np.random.default_rng(seed)
    frames = []
    for name, (days, orders, aov, tenure, count) in blobs.items():
        spread = np.exp(rng.normal(0.0, jitter, (count, 3)))
        frames.append(pd.DataFrame({
            "customer_id_nat": [f"{name}-{i:03d}" for i in range(count)],
            "days_since_last_order": np.round(days * spread[:, 0]).astype(int),
            "orders_total": np.full(count, orders),
            "spend_total_aed": np.round(orders * aov * spread[:, 1], 2),
            "tenure_days": np.maximum(np.round(tenure * spread[:, 2]).astype(int), 0),
            "orders_90d": np.full(count, 1 if days < 90 else 0),
            "orders_prev_90d": np.zeros(count, dtype=int),
            "returns_90d": np.zeros(count, dtype=int),
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def blobs() -> pd.DataFrame:
    return _customers(BLOBS)


@pytest.fixture(scope="module")
def fitted(blobs) -> BehaviorSegmenter:
    return BehaviorSegmenter(k_min=2, k_max=7, random_state=0).fit(blobs)


def test_silhouette_picks_the_number_of_separated_blobs(fitted):
    assert fitted.k_ == 4
    assert sorted(fitted.silhouette_) == [2, 3, 4, 5, 6, 7]
    assert max(fitted.silhouette_, key=fitted.silhouette_.get) == 4 and fitted.silhouette_[4] > 0.8
    # cluster ids by size: 60, 50, 40, 30 customers
    assert fitted.cluster_sizes_.tolist() == [60, 50, 40, 30]


def test_each_blob_is_one_cluster_named_from_its_centroid(fitted, blobs):
    scored = fitted.score(blobs)
    assert list(scored.columns) == OUTPUT_COLUMNS
    blob = blobs["customer_id_nat"].str.split("-").str[0]
    assert (scored.groupby(blob)["cluster_id"].nunique() == 1).all()
    # By hand, the blobs' standardised (log) means: recency z -1.15, +1.07, -0.83, +0.92; frequency z +1.32,
    # -0.97, -0.97, +0.62; AOV z +1.64, -0.94, -0.66, -0.03 -> levels (3,3,3), (1,1,1), (3,1,1), (1,3,2).
    names = scored.groupby(blob)["segment_name"].first().to_dict()
    assert names == {
        "frequent_big": "Frequent high spenders",
        "lapsed_once": "Lapsed light buyers",
        "new_once": "Recent light buyers",
        "lapsed_repeat": "Lapsed repeat buyers",
    }
    clusters = {c["segment_name"]: c for c in fitted.clusters()}
    big = clusters["Frequent high spenders"]
    assert big["levels"] == {"recency": 3, "frequency": 3, "spend": 3} and big["customers"] == 60
    assert big["centroid"]["orders_total"] == pytest.approx(20.0, rel=1e-6)
    assert big["centroid"]["avg_order_value_aed"] == pytest.approx(800.0, rel=0.05)
    assert clusters["Lapsed light buyers"]["centroid"]["days_since_last_order"] == pytest.approx(400, rel=0.05)


def test_levels_follow_the_standardised_centroid(fitted, blobs):
    """An independent reading of the naming rule: z of the cluster's mean log feature, cut at +-0.5."""
    logs = pd.DataFrame({
        "recency": np.log1p(blobs["days_since_last_order"]),
        "frequency": np.log(blobs["orders_total"]),
        "aov": np.log1p(blobs["spend_total_aed"] / blobs["orders_total"]),
    })
    z = (logs - logs.mean()) / logs.std(ddof=0)
    z["recency"] *= -1
    scored = fitted.score(blobs)
    for cluster, members in z.groupby(scored["cluster_id"]):
        expected = np.where(members.mean() <= -0.5, 1, np.where(members.mean() >= 0.5, 3, 2)).tolist()
        assert list(fitted.clusters()[cluster]["levels"].values()) == expected


def test_clusters_with_the_same_name_are_merged_into_one_segment():
    # Two recent light-buyer groups that differ only in tenure: two clusters, one name.
    blobs = {**BLOBS, "new_once_old": (10, 1, 80.0, 2000, 40)}
    segmenter = BehaviorSegmenter(k_min=5, k_max=5, random_state=0).fit(_customers(blobs))
    segments = [c["segment_code"] for c in segmenter.clusters()]
    assert segments.count("RECENT_LIGHT_BUYERS") == 2 and len(set(segments)) == 4


def test_behaviour_score_is_the_midpoint_percentile_of_the_weighted_index(blobs):
    weights = {"recency": -1.0, "frequency": 1.0, "tenure": 0.5, "momentum": 0.5, "return_rate": -0.5}
    segmenter = BehaviorSegmenter(k_min=2, k_max=4, score_weights=weights).fit(blobs)
    logs = behavior_features(blobs)
    z = (logs - logs.mean()) / logs.std(ddof=0).replace(0.0, 1.0)
    index = sum(weights.get(name, 0.0) * z[name] for name in BEHAVIOR_FEATURES).round(9)
    expected = 100.0 * (rankdata(index, method="average") - 0.5) / len(index)
    got = segmenter.score(blobs)["behaviour_score"]
    np.testing.assert_allclose(got, np.round(expected, 2), atol=0.011)
    assert got[blobs["customer_id_nat"].str.startswith("frequent_big")].min() > 60
    assert got[blobs["customer_id_nat"].str.startswith("lapsed_once")].max() < 40


def test_scoring_in_four_shards_and_fitting_in_any_row_order_give_the_same_rows(fitted, blobs):
    whole = fitted.score(blobs)
    shard = customer_hash(blobs["customer_id_nat"]) % np.uint64(4)
    parts = pd.concat([fitted.score(blobs[shard == s]) for s in range(4)])
    pd.testing.assert_frame_equal(parts.sort_values("customer_id_nat").reset_index(drop=True),
                                  whole.sort_values("customer_id_nat").reset_index(drop=True))
    shuffled = blobs.sample(frac=1.0, random_state=5)
    refitted = BehaviorSegmenter(k_min=2, k_max=7, random_state=0).fit(shuffled)
    assert refitted.model_version_ == fitted.model_version_
    pd.testing.assert_frame_equal(refitted.score(blobs), whole)


def test_too_few_customers_make_one_all_customers_cluster(blobs):
    few = blobs.iloc[[0, 60, 110, 150, 151]]
    segmenter = BehaviorSegmenter().fit(few)
    scored = segmenter.score(few)
    assert segmenter.k_ == 1 and not segmenter.clustered_ and segmenter.model_version_ == "single-cluster"
    assert scored["cluster_id"].tolist() == [0] * 5
    assert set(scored["segment_code"]) == {"ALL_CUSTOMERS"} and set(scored["segment_name"]) == {"All customers"}
    assert scored["behaviour_score"].between(0, 100).all()


def test_few_distinct_customers_give_fewer_clusters_than_k_min(blobs):
    # 24 customers but only 4 distinct behaviours: k stops at 3 (distinct rows - 1), below k_min = 5.
    repeated = _customers({name: (*values[:4], 6) for name, values in BLOBS.items()}, jitter=0.0)
    segmenter = BehaviorSegmenter(k_min=5, k_max=8).fit(repeated)
    assert segmenter.k_ == 3 and list(segmenter.silhouette_) == [3]
    assert segmenter.score(repeated)["cluster_id"].nunique() == 3


def test_input_and_setting_errors_are_clear(blobs):
    with pytest.raises(ValueError, match=r"missing required columns \['returns_90d'\]"):
        BehaviorSegmenter().fit(blobs.drop(columns="returns_90d"))
    with pytest.raises(ValueError, match="duplicate customer_id_nat"):
        BehaviorSegmenter().fit(pd.concat([blobs, blobs.iloc[:1]]))
    with pytest.raises(ValueError, match="null values in \\['tenure_days'\\]"):
        BehaviorSegmenter().fit(blobs.assign(tenure_days=np.where(blobs.index == 3, np.nan, blobs["tenure_days"])))
    with pytest.raises(ValueError, match="k_min <= k_max"):
        BehaviorSegmenter(k_min=6, k_max=4).fit(blobs)
    with pytest.raises(ValueError, match="unknown \\['loyalty'\\]"):
        BehaviorSegmenter(score_weights={"loyalty": 1.0}).fit(blobs)
    rules = load_segment_rules(BEHAVIOR_SEGMENTS_PATH, levels=3)
    with pytest.raises(ValueError, match="cells match no rule"):
        BehaviorSegmenter(segment_rules=rules[rules["segment_code"] != "LAPSED_LIGHT_BUYERS"]).fit(blobs)
    with pytest.raises(RuntimeError, match="call fit first"):
        BehaviorSegmenter().score(blobs)


def test_k_range_comes_from_the_environment_with_clear_errors(monkeypatch):
    from analytics.scoring import behavior_k_range

    assert behavior_k_range() == (3, 8)
    monkeypatch.setenv("ANALYTICS_BEHAVIOR_K_MIN", "4")
    monkeypatch.setenv("ANALYTICS_BEHAVIOR_K_MAX", "12")
    assert behavior_k_range() == (4, 12)
    monkeypatch.setenv("ANALYTICS_BEHAVIOR_K_MAX", "3")
    with pytest.raises(ValueError, match=r"K_MIN \(4\) must not exceed ANALYTICS_BEHAVIOR_K_MAX \(3\)"):
        behavior_k_range()
    monkeypatch.setenv("ANALYTICS_BEHAVIOR_K_MIN", "1")
    with pytest.raises(ValueError, match="ANALYTICS_BEHAVIOR_K_MIN must be a whole number from 2 to 20, got '1'"):
        behavior_k_range()
