"""Benchmark: fit BG/NBD and Gamma-Gamma on a million customers, and compare with ``lifetimes``.

Simulates N customers (integer days, as the feature extract gives them: T up to 3 years) from known
parameters, or reads a customer summary (parquet or CSV with frequency, recency, T in days and
monetary_value), converts times to weeks as CLVCalculator does, and times compression + fit of each model
and the discounted lifetime CLV for every customer. Prints seconds, compressed sizes, parameters and peak
RSS. If ``lifetimes`` imports, fits its BetaGeoFitter/GammaGammaFitter on the same data and prints both
parameter sets and the time ratio.

    .venv/bin/python bench/bench_clv_fit.py --customers 1000000
    .venv/bin/python bench/bench_clv_fit.py --input summary.parquet --skip-lifetimes
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_build import _peak_rss_mb

from analytics.scorers.btyd import BetaGeoModel, GammaGammaModel, discounted_clv
from analytics.scorers.simulate import simulate_bgnbd, simulate_gamma_gamma

TRUE_BGNBD_DAYS = {"r": 0.5, "alpha": 56.0, "a": 0.8, "b": 2.5}  # alpha 8.0 in weeks
TRUE_GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 60.0}  # mean spend per purchase day 120 AED


def _simulate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    T_days = rng.integers(1, 3 * 365 + 1, n).astype(float)
    frequency, recency = simulate_bgnbd(**TRUE_BGNBD_DAYS, T=T_days, rng=rng)
    recency_days = np.where(frequency > 0, np.clip(np.floor(recency), 1, T_days), 0.0)
    monetary = np.round(simulate_gamma_gamma(**TRUE_GAMMA_GAMMA, frequency=frequency, rng=rng), 2)
    return pd.DataFrame({"frequency": frequency, "recency": recency_days, "T": T_days, "monetary_value": monetary})


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    missing = {"frequency", "recency", "T", "monetary_value"} - set(frame.columns)
    if missing:
        raise SystemExit(f"{path} is missing columns: {sorted(missing)}")
    return frame


def _timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:8.2f}s")
    return result, seconds


def _lifetimes(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, m: np.ndarray) -> dict | None:
    try:
        import lifetimes
    except Exception as exc:  # noqa: BLE001 - any import failure (numpy 2 / pandas 3 breakage included)
        print(f"lifetimes does not import here ({type(exc).__name__}: {exc}); no comparison")
        return None
    print(f"lifetimes {lifetimes.__version__} on the same data (no compression, its own defaults):")
    bg, bg_s = _timed("BetaGeoFitter.fit", lambda: lifetimes.BetaGeoFitter().fit(x, t_x, T))
    repeat = (x > 0) & (m > 0)
    gg, gg_s = _timed("GammaGammaFitter.fit", lambda: lifetimes.GammaGammaFitter().fit(x[repeat], m[repeat]))
    return {"bg_nbd": bg.params_.to_dict(), "gamma_gamma": gg.params_.rename({"v": "gamma"}).to_dict(),
            "bg_seconds": bg_s, "gg_seconds": gg_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--input", type=Path, help="customer summary (parquet/CSV), times in days")
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()

    data = _read(args.input) if args.input else _simulate(args.customers, args.seed)
    x = data["frequency"].to_numpy(dtype=float)
    t_x, T = data["recency"].to_numpy(dtype=float) / 7, data["T"].to_numpy(dtype=float) / 7
    m = data["monetary_value"].to_numpy(dtype=float)
    print(f"{len(data):,} customers ({'file ' + str(args.input) if args.input else 'simulated'}), "
          f"{np.count_nonzero(x):,} with a repeat purchase; Python {platform.python_version()}")

    print("analytics.scorers.btyd (weeks):")
    bg, bg_s = _timed("BG/NBD compress + fit", lambda: BetaGeoModel(time_unit="weeks").fit(x, t_x, T))
    gg, gg_s = _timed("Gamma-Gamma compress + fit", lambda: GammaGammaModel().fit(x, m))
    value = gg.conditional_expected_average_value(x, m)
    _, clv_s = _timed("discounted CLV, 12/36/120 months, all", lambda: discounted_clv(bg, x, t_x, T, value, 0.3))
    ours = {"bg_nbd": bg.diagnostics(), "gamma_gamma": gg.diagnostics()}
    for name, diag in ours.items():
        params = ", ".join(f"{k}={v:.4f}" for k, v in diag["params"].items())
        print(f"  {name:<12} {params}  ({diag['n_customers']:,} rows -> {diag['n_compressed']:,} distinct, "
              f"{diag['iterations']} iterations, converged={diag['converged']})")
    print(f"  fit total {bg_s + gg_s:.2f}s; peak RSS so far {_peak_rss_mb():,.0f} MB")

    theirs = None if args.skip_lifetimes else _lifetimes(x, t_x, T, m)
    summary = {"customers": len(data), "bg_seconds": bg_s, "gg_seconds": gg_s, "clv_seconds": clv_s,
               "peak_rss_mb": _peak_rss_mb(), "ours": {k: v["params"] for k, v in ours.items()}}
    if theirs:
        for name in ("bg_nbd", "gamma_gamma"):
            print(f"  {name:<12} " + ", ".join(f"{k}={v:.4f}" for k, v in theirs[name].items()))
        ratio = (theirs["bg_seconds"] + theirs["gg_seconds"]) / (bg_s + gg_s)
        print(f"  lifetimes fit {theirs['bg_seconds'] + theirs['gg_seconds']:.1f}s vs ours {bg_s + gg_s:.2f}s: "
              f"{ratio:,.0f}x; peak RSS {_peak_rss_mb():,.0f} MB")
        summary.update(lifetimes=theirs, time_ratio=ratio, peak_rss_mb=_peak_rss_mb())
    print(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()
