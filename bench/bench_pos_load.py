"""Benchmark: a POS / online-retail log of about 1,000,000 lines, loaded and cleaned by the pipeline.

Generates the log (``analytics generate --format pos-log``), then in a fresh database times ingest (COPY
into raw), stage (classification of every line by the cleaning rules, the adapter into orders, lines,
customers and pseudo-stores) and core, printing lines/s and the peak RSS of the process.

    .venv/bin/python bench/bench_pos_load.py --customers 7500 --months 12
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from bench_build import OUT, _count, _fresh_database, _peak_rss_mb, _timed

from analytics import pipeline
from analytics.db import engine_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=7500)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2025, 11, 30))
    args = parser.parse_args()

    from analytics.generate.pos_log import generate_pos_log

    landing = OUT / f"pos-{args.customers}-{args.months}-{args.seed}-{args.end_date}"
    if not (landing / "manifest.json").exists():
        started = time.perf_counter()
        generate_pos_log(landing, args.customers, args.months, args.seed, args.end_date, overwrite=True)
        print(f"generated {landing} in {time.perf_counter() - started:.1f}s")
    manifest = json.loads((landing / "manifest.json").read_text())
    lines = manifest["rows"]["pos_transactions"]
    engine = engine_for(_fresh_database("analytics_bench_pos"))
    results: list[dict] = []
    wall = time.perf_counter()
    _timed("ingest (COPY into raw)", results, lambda: pipeline.ingest_drops(engine, landing, args.end_date, "bench"),
           lambda s: s["rows_accepted"] + s["rows_rejected"])
    _timed("stage (classify + adapt)", results, lambda: pipeline.stage_changes(engine), lambda s: s.get("pos_lines"))
    _timed("core (orders, lines, products)", results, lambda: pipeline.build_core(engine, "bench"),
           lambda r: r["orders_changed"])
    seconds = time.perf_counter() - wall
    classified = _count(engine, "stg.pos_transactions")
    print(json.dumps({"log_lines": lines, "staged_lines": classified, "seconds": round(seconds, 1),
                      "lines_per_second": round(classified / seconds), "peak_rss_mb": round(_peak_rss_mb()),
                      "orders": _count(engine, "core.fact_order"), "products": _count(engine, "core.dim_product"),
                      "stages": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
