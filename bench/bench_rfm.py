"""Benchmark: RFMCalculator on a synthetic customer-feature frame (default 1,000,000 customers).

Builds the features with numpy (seeded, no database), then times ``fit`` and ``score`` (with the previous
snapshot's rows, as the daily run has them) and prints seconds and peak RSS.

    .venv/bin/python bench/bench_rfm.py --customers 1000000 --seed 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import time

import numpy as np
import pandas as pd

from analytics.scorers.rfm import RFMCalculator

SNAPSHOT = dt.date(2025, 10, 31)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_features(customers: int, seed: int) -> pd.DataFrame:
    """A plausible feature extract: windows nested (30d <= 90d <= ... <= total), spend = orders × AOV."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 1500, customers)
    recency = np.minimum(rng.exponential(200.0, customers).astype(np.int64), tenure)
    total = 1 + rng.negative_binomial(1, 0.35, customers)
    span = np.maximum(tenure - recency, 1)  # days between first and last order

    # Orders between the first and the last are spread evenly over the span; each window thins the
    # next-wider one, and the last order lies in every window that reaches it.
    orders = {"total": total}
    wider, wider_share = total, np.ones(customers)
    for days in (365, 180, 90, 30):
        share = np.clip((days - recency) / span, 0.0, 1.0)
        ratio = np.divide(share, wider_share, out=np.zeros(customers), where=wider_share > 0)
        wider = np.where(recency <= days, 1 + rng.binomial(np.maximum(wider - 1, 0), ratio), 0)
        orders[f"{days}d"], wider_share = wider, share
    aov = rng.lognormal(np.log(250.0), 0.6, customers)
    snapshot = np.datetime64(SNAPSHOT, "D")
    first = snapshot - tenure.astype("timedelta64[D]")
    purchase_days = np.maximum(1, total - rng.binomial(total - 1, 0.05))
    gaps = np.where(purchase_days >= 2, (tenure - recency) / np.maximum(purchase_days - 1, 1), np.nan)
    ids = "C" + pd.Series(np.arange(customers)).astype("str").str.zfill(8)
    frame = {
        "customer_id_nat": ids,
        "first_order_date": first.astype("datetime64[ns]"),
        "last_order_date": (snapshot - recency.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "orders_total": total,
        "purchase_days_total": purchase_days,
        **{f"orders_{days}d": orders[f"{days}d"] for days in (30, 90, 180, 365)},
        "spend_total_aed": np.round(total * aov, 2),
        **{f"spend_{days}d_aed": np.round(orders[f"{days}d"] * aov, 2) for days in (30, 90, 180, 365)},
        "avg_days_between_orders": gaps,
        "tenure_days": tenure,
    }
    return pd.DataFrame(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    features = synthetic_features(args.customers, args.seed)
    built = time.perf_counter() - started
    rss_features = _peak_rss_mb()

    calculator = RFMCalculator()
    started = time.perf_counter()
    calculator.fit(features, SNAPSHOT)
    fitted = time.perf_counter() - started
    started = time.perf_counter()
    first = calculator.score(features)
    scored = time.perf_counter() - started

    # The daily run: yesterday's rows as the previous snapshot (a tenth of the scores perturbed).
    previous = first[["customer_id_nat", "rfm_score", "segment_code"]].copy()
    previous.loc[previous.index % 10 == 0, "rfm_score"] = "111"
    started = time.perf_counter()
    daily = calculator.score(features, previous)
    scored_previous = time.perf_counter() - started

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"customers           {len(features):,}")
    print(f"build features      {built:6.2f} s   (peak RSS after build {rss_features:,.0f} MB)")
    print(f"fit                 {fitted:6.2f} s")
    print(f"score               {scored:6.2f} s")
    print(f"score with previous {scored_previous:6.2f} s")
    print(f"fit + score         {fitted + scored_previous:6.2f} s")
    print(f"peak RSS            {_peak_rss_mb():,.0f} MB")
    print("segments:", daily["segment_name"].value_counts().to_dict())


if __name__ == "__main__":
    main()
