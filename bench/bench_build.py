"""Benchmark: generate N customers over M months, ingest them, build core and the activity fact.

Prints rows/s per stage, wall time and peak RSS for the full build, then closes the past months (as the
month-close DAG would have) and times a daily incremental run that loads one new day's drop.

    .venv/bin/python bench/bench_build.py --customers 1000000 --months 24

Targets (2-core machine, 1M customers / ~15M orders): full build <= 5 min, peak RSS <= 4 GB,
daily incremental <= 60 s. The database is a fresh one (``analytics_bench``) on WAREHOUSE_URL's
server or the embedded server.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import sqlalchemy as sa

from analytics import migrate, pipeline
from analytics.activity import add_months, month_start
from analytics.db import engine_for, warehouse_url

OUT = Path(__file__).resolve().parent / "out"


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _fresh_database(name: str) -> str:
    url = sa.make_url(warehouse_url())
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
        cur.execute(f'create database "{name}"')
    conn.close()
    target = url.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(target)
    return target


def _landing(customers: int, months: int, seed: int, end: date) -> tuple[Path, float]:
    from analytics.generate import generate_landing

    root = OUT / f"landing-{customers}-{months}-{seed}-{end}"
    if (root / "manifest.json").exists():
        return root, 0.0
    started = time.perf_counter()
    generate_landing(root, customers=customers, months=months, seed=seed, end_date=end, progress=True,
                     overwrite=True)
    return root, time.perf_counter() - started


def _timed(label: str, results: list[dict], fn, rows_of=None):
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    rows = rows_of(value) if rows_of else None
    results.append({"stage": label, "seconds": round(seconds, 2), "rows": rows,
                    "rows_per_s": round(rows / seconds) if rows else None})
    print(f"  {label:<28} {seconds:8.1f}s  {rows or '':>12}  {(f'{rows / seconds:,.0f} rows/s') if rows else ''}",
          flush=True)
    return value


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2025, 11, 30))
    parser.add_argument("--full-only", action="store_true", help="stop after the full build")
    args = parser.parse_args()

    landing, gen_seconds = _landing(args.customers, args.months, args.seed, args.end_date)
    print(f"landing: {landing} (generated in {gen_seconds:.0f}s)" if gen_seconds else f"landing: {landing} (reused)")
    engine = engine_for(_fresh_database("analytics_bench"))
    before_last = args.end_date - timedelta(days=1)
    full: list[dict] = []
    print(f"full build through {before_last}:")
    wall = time.perf_counter()
    _timed("ingest (COPY into raw)", full,
           lambda: pipeline.ingest_drops(engine, landing, before_last, "bench-full"),
           lambda s: s["rows_accepted"] + s["rows_rejected"])
    _timed("stage (raw -> stg)", full, lambda: pipeline.stage_changes(engine),
           lambda _: _count(engine, "raw.oms_orders") + _count(engine, "raw.oms_order_items"))
    _timed("core (dims, orders, lines)", full, lambda: pipeline.build_core(engine, "bench-full"),
           lambda _: _count(engine, "core.fact_order") + _count(engine, "core.fact_order_line"))
    built = _timed("activity fact (all months)", full,
                   lambda: pipeline.publish_activity(engine, before_last, "bench-full"), lambda r: r["rows"])
    _timed("data-quality controls", full, lambda: pipeline.run_dq(
        engine, before_last, "bench-full", [date.fromisoformat(m) for m in built["months"]]))
    full_wall = time.perf_counter() - wall
    full_rss = _peak_rss_mb()
    print(f"  full build wall time {full_wall:.1f}s, peak RSS of the pipeline process {full_rss:,.0f} MB")
    if args.full_only:
        return 0

    print("closing past months (month-close DAG runs):")
    started = time.perf_counter()
    month = add_months(month_start(args.end_date), 1 - args.months)
    last_to_close = add_months(month_start(args.end_date), -1)
    while month <= last_to_close:
        if month < month_start(before_last):
            pipeline.close_month(engine, add_months(month, 1) + timedelta(days=1), f"bench-close-{month}")
        month = add_months(month, 1)
    close_seconds = time.perf_counter() - started
    print(f"  closed in {close_seconds:.1f}s")

    daily: list[dict] = []
    print(f"daily incremental run for {args.end_date} (one new drop):")
    wall = time.perf_counter()
    _timed("ingest", daily, lambda: pipeline.ingest_drops(engine, landing, args.end_date, "bench-daily"),
           lambda s: s["rows_accepted"] + s["rows_rejected"])
    _timed("stage", daily, lambda: pipeline.stage_changes(engine))
    _timed("core", daily, lambda: pipeline.build_core(engine, "bench-daily"), lambda r: r["orders_changed"])
    built = _timed("activity fact (open months)", daily,
                   lambda: pipeline.publish_activity(engine, args.end_date, "bench-daily"), lambda r: r["rows"])
    _timed("data-quality controls", daily, lambda: pipeline.run_dq(
        engine, args.end_date, "bench-daily", [date.fromisoformat(m) for m in built["months"]]))
    daily_wall = time.perf_counter() - wall

    summary = {
        "machine": f"{platform.node()} {platform.machine()}, {__import__('os').cpu_count()} cores",
        "customers": args.customers, "months": args.months,
        "orders": _count(engine, "core.fact_order"), "order_lines": _count(engine, "core.fact_order_line"),
        "activity_rows": _count(engine, "core.fact_customer_monthly_activity"),
        "generate_seconds": round(gen_seconds, 1), "full_build_seconds": round(full_wall, 1),
        "full_build_peak_rss_mb": round(full_rss), "month_close_seconds": round(close_seconds, 1),
        "daily_incremental_seconds": round(daily_wall, 1), "full": full, "daily": daily,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
