"""Benchmark: BehaviorSegmenter and ValueTierScorer on a simulated feature extract (default 1,000,000 customers).

Draws the extract at a snapshot with ``simulate_churn_frames`` and scores it with ``RFMCalculator`` (seeded, no
database); the CLV inputs of the LTV score are drawn around each customer's historical value (predicted value
high for recent customers, low for silent ones). Times the segmenter's ``fit`` (k search by silhouette) and
``score``, the tier scorer's ``fit`` and ``score``, and scoring in 4 shards (checked equal to one pass), and
prints seconds, peak RSS, k, silhouettes and the resulting segments and tiers.

    nice .venv/bin/python bench/bench_segments.py --customers 1000000 --seed 7
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd
import sklearn
from bench_build import _peak_rss_mb

from analytics.scorers.behavior import BehaviorSegmenter
from analytics.scorers.churn_features import customer_hash
from analytics.scorers.rfm import RFMCalculator
from analytics.scorers.simulate import simulate_churn_frames
from analytics.scorers.value_tier import ValueTierScorer

SNAPSHOT = pd.Timestamp("2025-10-31")


def _inputs(customers: int, seed: int) -> pd.DataFrame:
    """Features with the day's RFM scores and drawn CLV outputs, as ``scoring._segment_inputs`` joins them."""
    _, features = simulate_churn_frames(customers, seed, SNAPSHOT)
    rfm = RFMCalculator().fit_score(features, SNAPSHOT)
    rng = np.random.default_rng(seed + 1)
    historical = features["spend_total_aed"].to_numpy() * 0.3
    p_alive = np.exp(-features["days_since_last_order"].to_numpy() / 200.0)
    return features.assign(
        recency_score=rfm["recency_score"].to_numpy(), frequency_score=rfm["frequency_score"].to_numpy(),
        monetary_score=rfm["monetary_score"].to_numpy(), monetary_percentile=rfm["monetary_percentile"].to_numpy(),
        historical_clv_aed=np.round(historical, 2), probability_alive=np.round(p_alive, 4),
        predicted_clv_lifetime_aed=np.round(historical * (0.2 + 2.0 * p_alive) * rng.lognormal(0.0, 0.3, len(p_alive)),
                                            2))


def _timed(step):
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    inputs, built = _timed(lambda: _inputs(args.customers, args.seed))
    rss_inputs = _peak_rss_mb()

    segmenter, seg_fit = _timed(lambda: BehaviorSegmenter().fit(inputs))
    behaviour, seg_score = _timed(lambda: segmenter.score(inputs))
    with_behaviour = inputs.assign(behaviour_score=behaviour["behaviour_score"].to_numpy())
    tiers, tier_fit = _timed(lambda: ValueTierScorer().fit(with_behaviour))
    scored, tier_score = _timed(lambda: tiers.score(with_behaviour))

    shard = customer_hash(inputs["customer_id_nat"]) % np.uint64(4)
    parts, sharded = _timed(lambda: pd.concat([segmenter.score(inputs[shard == s]) for s in range(4)]))
    same = parts.sort_values("customer_id_nat").reset_index(drop=True).equals(
        behaviour.sort_values("customer_id_nat").reset_index(drop=True))

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    print(f"customers                 {len(inputs):,}")
    print(f"build inputs (sim + RFM)  {built:6.2f} s   (peak RSS after build {rss_inputs:,.0f} MB)")
    print(f"segmenter fit             {seg_fit:6.2f} s   (k {segmenter.k_}, fit sample "
          f"{min(segmenter.fit_sample_size, len(inputs)):,}, silhouette sample {segmenter.silhouette_sample_size:,})")
    print(f"segmenter score           {seg_score:6.2f} s")
    print(f"tier fit + score          {tier_fit + tier_score:6.2f} s")
    print(f"fit + score, both         {seg_fit + seg_score + tier_fit + tier_score:6.2f} s")
    print(f"segmenter score, 4 shards {sharded:6.2f} s   (same rows as one pass: {same})")
    print(f"peak RSS                  {_peak_rss_mb():,.0f} MB")
    print("silhouette:", {k: round(v, 4) for k, v in segmenter.silhouette_.items()})
    for cluster in segmenter.clusters():
        print(f"  cluster {cluster['cluster_id']}: {cluster['customers']:>8,}  {cluster['segment_name']:<30} "
              f"{cluster['centroid']}")
    print("tiers:", scored["vip_tier"].value_counts().to_dict())
    print("promotions:", scored["promotion_category"].value_counts().to_dict())


if __name__ == "__main__":
    main()
