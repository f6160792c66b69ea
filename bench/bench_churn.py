"""Benchmark: ChurnPredictor on simulated training and scoring frames (default 1,000,000 customers).

Draws order histories with ``simulate_churn_frames`` (seeded, no database): the extract at the cut-off with
its 90-day label, and at the snapshot. Times ``fit`` (BG/NBD, calibrated pipeline, held-out backtest) and
``score``, and prints seconds, peak RSS and the held-out metrics.

    nice .venv-lite/bin/python bench/bench_churn.py --customers 1000000 --seed 7
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd
import sklearn
from bench_build import _peak_rss_mb

from analytics.scorers.churn import ChurnPredictor
from analytics.scorers.simulate import simulate_churn_frames

SNAPSHOT = pd.Timestamp("2025-10-31")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    train, score = simulate_churn_frames(args.customers, args.seed, SNAPSHOT)
    built = time.perf_counter() - started
    rss_frames = _peak_rss_mb()

    predictor = ChurnPredictor()
    started = time.perf_counter()
    predictor.fit(train)
    fitted = time.perf_counter() - started
    started = time.perf_counter()
    out = predictor.score(score, SNAPSHOT)
    scored = time.perf_counter() - started

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    print(f"customers           {args.customers:,} drawn; train {len(train):,} rows, score {len(score):,} rows")
    print(f"build frames        {built:6.2f} s   (peak RSS after build {rss_frames:,.0f} MB)")
    print(f"fit                 {fitted:6.2f} s   (scored by {'model' if predictor.uses_model_ else 'rules'})")
    print(f"score               {scored:6.2f} s")
    print(f"fit + score         {fitted + scored:6.2f} s")
    print(f"peak RSS            {_peak_rss_mb():,.0f} MB")
    for name in ("model", "rules", "recency"):
        m = predictor.backtest_[name]
        brier = "" if m["brier"] is None else f", Brier {m['brier']:.4f}"
        print(f"held-out {name:8s}    ROC AUC {m['roc_auc']:.4f}, PR AUC {m['pr_auc']:.4f}{brier} "
              f"(n {m['n']:,}, base rate {m['base_rate']:.3f})")
    print("categories:", out["churn_risk_category"].value_counts().to_dict())


if __name__ == "__main__":
    main()
