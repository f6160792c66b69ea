"""Benchmark: every mart view as a dashboard reads it, over a connection of a bi_reader member.

Runs on a warehouse with scored customers (e.g. ``analytics_bench`` after bench_build.py and bench_scores.py,
1,000,000 customers). The dashboards' load is the newest snapshot among a full retention window, so unless
the warehouse already has them the script SYNTHESISES the missing daily snapshots: it copies the newest
published snapshot of each score fact to the N-1 days before it (same customers and scores, shifted dates),
sealed and swapped in like a real publish and recorded in core.score_snapshot, but older than the newest one
so every view still reads the real snapshot. The history views then aggregate N snapshots. (At 1M customers
each copied day is about 1M rows per fact; budget disk and minutes for N = 35.) It then refreshes the
materialized views (timed) and times each view RUNS times: ``select * from mart.<view>`` fetched whole, or its
first 100 rows for the row-level lists a dashboard pages through.

    .venv/bin/python bench/bench_marts.py --database analytics_bench --snapshots 35 --runs 20

Target (2-core machine, 1M customers x 35 daily snapshots): p95 <= 300 ms per view.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta

import psycopg2
import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db, marts, partitions, snapshots
from analytics.access import temporary_member
from analytics.db import engine_for, warehouse_url

# Row-level lists: a dashboard shows a page of them, not all rows.
PAGED_VIEWS = {"obt_customer_kpis_and_segmentation": 100, "vw_at_risk_customers": 100}
TARGET_P95_MS = 300


def synthesise_snapshots(engine: sa.Engine, count: int) -> list[date]:
    """Copy the newest published snapshot to the days before it until ``count`` daily snapshots exist;
    returns the days added."""
    with db.transaction(engine) as conn:
        published = {row[0] for row in db.fetch_all(conn, "select snapshot_date from core.score_snapshot")}
    if not published:
        raise SystemExit("no published score snapshot: run the daily pipeline (or bench_scores.py) first")
    newest = max(published)
    missing = [newest - timedelta(days=k) for k in range(1, count) if newest - timedelta(days=k) not in published]
    for day in missing:
        started = time.perf_counter()
        with db.transaction(engine, bulk=True) as conn, conn.cursor() as cur:
            for fact in snapshots.SCORE_FACTS:
                stage = snapshots.stage_name(fact, day)
                partitions.create_stage(cur, "core", fact, stage)
                cur.execute(pgsql.SQL("select * from core.{} limit 0").format(pgsql.Identifier(fact)))
                columns = [d.name for d in cur.description]
                values = [pgsql.SQL("%(day)s") if c == "snapshot_date" else pgsql.Identifier(c) for c in columns]
                copy = "insert into core.{} ({}) select {} from core.{} where snapshot_date = %(newest)s"
                names = pgsql.SQL(", ").join(map(pgsql.Identifier, columns))
                cur.execute(pgsql.SQL(copy).format(pgsql.Identifier(stage), names, pgsql.SQL(", ").join(values),
                                                   pgsql.Identifier(fact)), {"day": day, "newest": newest})
                snapshots.seal_stage(conn, fact, day)
                partitions.swap_in(cur, "core", fact, stage, snapshots.partition_name(fact, day),
                                   (day, day + timedelta(days=1)), partitions.attached_partitions(conn, "core", fact))
                cur.execute(pgsql.SQL("analyze core.{}").format(
                    pgsql.Identifier(snapshots.partition_name(fact, day))))
            cur.execute("insert into core.score_snapshot (snapshot_date, customers) "
                        "select %(day)s, customers from core.score_snapshot where snapshot_date = %(newest)s",
                        {"day": day, "newest": newest})
        print(f"synthesised snapshot {day} (copy of {newest}) in {time.perf_counter() - started:.1f} s", flush=True)
    return missing


def time_views(url: str, runs: int) -> list[dict]:
    """p50/p95 of ``runs`` timed reads of each mart view (after one untimed read), as a bi_reader member."""
    results = []
    with temporary_member(url, "bi_reader") as reader_url:
        conn = psycopg2.connect(sa.make_url(reader_url).set(drivername="postgresql")
                                .render_as_string(hide_password=False))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("select c.relname from pg_class c where c.relnamespace = 'mart'::regnamespace "
                            "and c.relkind in ('v', 'm') order by 1")
                views = [row[0] for row in cur.fetchall()]
                for view in views:
                    statement = pgsql.SQL("select * from mart.{}").format(pgsql.Identifier(view))
                    if view in PAGED_VIEWS:
                        statement += pgsql.SQL(" limit {}").format(pgsql.Literal(PAGED_VIEWS[view]))
                    results.append(_time(cur, view, statement, runs))
        finally:
            conn.close()
    return results


def _time(cur, view: str, statement: pgsql.Composable, runs: int) -> dict:
    cur.execute(statement)
    rows = len(cur.fetchall())
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        cur.execute(statement)
        cur.fetchall()
        seconds.append(time.perf_counter() - started)
    p50 = statistics.median(seconds) * 1000
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[18] * 1000 if runs > 1 else seconds[0] * 1000
    return {"view": view, "rows": rows, "limit": PAGED_VIEWS.get(view), "p50_ms": p50, "p95_ms": p95}


def _print(results: list[dict], refresh: dict[str, float]) -> None:
    print(f"\n{'view':<42} {'rows':>8} {'p50 ms':>9} {'p95 ms':>9}  p95 <= {TARGET_P95_MS} ms")
    for r in results:
        rows = f"{r['rows']}" + (" (limit)" if r["limit"] else "")
        met = "met" if r["p95_ms"] <= TARGET_P95_MS else "NOT MET"
        print(f"{r['view']:<42} {rows:>8} {r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f}  {met}")
    print(f"\nmaterialized view refresh (s): {refresh} — total {sum(refresh.values()):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="analytics_bench", help="warehouse database on WAREHOUSE_URL's server")
    parser.add_argument("--snapshots", type=int, default=35, help="daily snapshots to have (synthesised if missing)")
    parser.add_argument("--runs", type=int, default=20, help="timed reads per view")
    args = parser.parse_args()
    url = sa.make_url(warehouse_url()).set(database=args.database).render_as_string(hide_password=False)
    engine = engine_for(url)
    added = synthesise_snapshots(engine, args.snapshots)
    print(f"{len(added)} snapshots synthesised; refreshing the materialized views", flush=True)
    refresh = marts.refresh_materialized_views(engine)
    engine.dispose()
    _print(time_views(url, args.runs), refresh)


if __name__ == "__main__":
    main()
