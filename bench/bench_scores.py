"""Benchmark: the scorer steps on the foundation benchmark's warehouse (run bench_build.py first).

Times the feature extract, the three scorers (each in its own process, all three at once as the daily
DAG runs them), the segment scorer that follows RFM and CLV, and the publish, with the peak RSS of each
step's process; then fits BG/NBD and Gamma-Gamma on the same features with the ``lifetimes`` library for
comparison.

    .venv/bin/python bench/bench_scores.py --day 2025-11-29

Targets (2-core machine, 1M customers): BG/NBD + Gamma-Gamma fit <= 15 s; the three scorers plus
publish <= 3 min; peak RSS <= 4 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import sqlalchemy as sa

from analytics import migrate, pipeline, snapshots
from analytics.db import engine_for, warehouse_url


def _bench_url(database: str) -> str:
    return sa.make_url(warehouse_url()).set(database=database).render_as_string(hide_password=False)


def _step(url: str, step: str, day: date) -> dict:
    """One pipeline step in this (child) process: seconds, peak RSS and the step's own figures."""
    engine = engine_for(url)
    started = time.perf_counter()
    if step == "features":
        figures = pipeline.build_features(engine, day)
    elif step == "publish":
        figures = pipeline.publish_scores(engine, day)
    else:
        figures = pipeline.score(engine, step, day, "bench-scores")
    return {"step": step, "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "figures": figures}


def _run(url: str, steps: list[str], day: date) -> list[dict]:
    with ProcessPoolExecutor(max_workers=len(steps)) as pool:
        return list(pool.map(_step, [url] * len(steps), steps, [day] * len(steps)))


def _fit_comparison(url: str, day: date) -> dict:
    """BG/NBD + Gamma-Gamma fits (ours, then lifetimes') on the same published features, in weeks."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    from analytics.scorers.btyd import BetaGeoModel, GammaGammaModel

    features = snapshots.read_features(engine_for(url), day)
    frequency = (features["purchase_days_total"] - 1).to_numpy(dtype=float)
    recency, age = features["recency_days"].to_numpy() / 7, features["T_days"].to_numpy() / 7
    repeat = frequency > 0
    monetary = features["repeat_spend_aed"].to_numpy() / frequency.clip(min=1)
    spend = repeat & (monetary > 0)

    started = time.perf_counter()
    bg = BetaGeoModel(time_unit="weeks").fit(frequency, recency, age)
    gg = GammaGammaModel(time_unit="weeks").fit(frequency, monetary)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bgf = BetaGeoFitter().fit(frequency, recency, age)
    ggf = GammaGammaFitter().fit(frequency[spend], monetary[spend])
    theirs_seconds = time.perf_counter() - started
    return {
        "customers": len(features),
        "ours_seconds": round(ours_seconds, 2), "lifetimes_seconds": round(theirs_seconds, 2),
        "time_ratio": round(theirs_seconds / ours_seconds, 1),
        "ours": {"bg_nbd": bg.params_, "gamma_gamma": gg.params_},
        "lifetimes": {"bg_nbd": bgf.params_.to_dict(), "gamma_gamma": ggf.params_.to_dict()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="analytics_bench")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2025, 11, 29))
    parser.add_argument("--no-lifetimes", action="store_true", help="skip the lifetimes comparison")
    args = parser.parse_args()
    url = _bench_url(args.database)
    migrate.upgrade(url)  # the build benchmark's database may predate the scorer tables

    results = _run(url, ["features"], args.day)
    wall = time.perf_counter()
    results += _run(url, list(pipeline.SCORERS), args.day)
    scorers_wall = time.perf_counter() - wall
    results += _run(url, list(pipeline.FOLLOW_UP_SCORERS), args.day)
    follow_up_wall = time.perf_counter() - wall
    results += _run(url, ["publish"], args.day)
    publish_wall = time.perf_counter() - wall
    for result in results:
        print(f"  {result['step']:<10} {result['seconds']:7.1f}s  peak RSS {result['peak_rss_mb']:6,} MB", flush=True)
    print(f"  three scorers in parallel: {scorers_wall:.1f}s wall; then segments: {follow_up_wall:.1f}s; "
          f"with publish: {publish_wall:.1f}s")
    summary = {"day": args.day.isoformat(), "steps": results, "scorers_parallel_wall_seconds": round(scorers_wall, 1),
               "scorers_and_segments_wall_seconds": round(follow_up_wall, 1),
               "scorers_and_publish_wall_seconds": round(publish_wall, 1)}
    with engine_for(url).connect() as conn:
        fits = conn.execute(sa.text("select model_name, seconds, sample_size, compressed_size, converged "
                                    "from audit.model_run where snapshot_date = :d and run_id = 'bench-scores' "
                                    "and model_name in ('bg_nbd', 'gamma_gamma') order by model_run_id desc limit 2"),
                            {"d": args.day}).all()
    summary["fits"] = [dict(row._mapping) for row in fits]
    if not args.no_lifetimes:
        summary["fit_comparison"] = _fit_comparison(url, args.day)
    print(json.dumps(summary, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
