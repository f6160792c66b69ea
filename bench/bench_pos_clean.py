"""Benchmark: clean a 1,000,000-line POS log — read, parse, classify, data-loss summary, price flags.

Generates an online-retail-style log with ``analytics.generate.pos_log`` (seeded; about 12 lines per
customer and month, so the defaults give ~1.04M lines) into ``bench/out/pos_log`` unless ``--log`` names
an existing landing folder, then times each stage on all its ``*/pos_transactions.csv`` files together and
prints lines/s and peak RSS. No database.

    nice .venv/bin/python bench/bench_pos_clean.py --customers 7500 --months 12 --seed 7
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path

import pyarrow as pa

from analytics.generate.pos_log import POS_FILE_NAME, generate_pos_log
from analytics.pos import (
    classify,
    cleaning_summary,
    flag_prices,
    load_categories,
    load_cleaning_rules,
    load_country_map,
    parse_pos_log,
    read_pos_csv,
)

OUT = Path(__file__).resolve().parent / "out" / "pos_log"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="an existing landing folder of pos_transactions.csv drops")
    parser.add_argument("--customers", type=int, default=7500)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    root = args.log
    if root is None:
        started = time.perf_counter()
        summary = generate_pos_log(OUT, customers=args.customers, months=args.months, seed=args.seed,
                                   overwrite=True)
        generated = time.perf_counter() - started
        print(f"generate: {summary['rows'][POS_FILE_NAME]:,} lines in {summary['drops']} files, {generated:.2f} s "
              f"({summary['rows'][POS_FILE_NAME] / generated:,.0f} lines/s), peak RSS {_peak_rss_mb():,.0f} MB")
        root = OUT

    timings: dict[str, float] = {}

    def timed(stage: str, work):
        started = time.perf_counter()
        result = work()
        timings[stage] = time.perf_counter() - started
        return result

    files = sorted(root.glob(f"*/{POS_FILE_NAME}.csv"))
    raw = timed("read", lambda: pa.concat_tables([read_pos_csv(path) for path in files]))
    categories = load_categories()
    rules, countries = load_cleaning_rules(categories=categories), load_country_map()
    parsed = timed("parse", lambda: parse_pos_log(raw))
    classified = timed("classify", lambda: classify(parsed.rows, rules, countries, categories))
    summary = timed("summary", lambda: cleaning_summary(classified, categories, rejected_rows=len(parsed.rejects)))
    flags = timed("price_flags", lambda: flag_prices(classified))

    lines = raw.num_rows
    print(f"python {platform.python_version()}, {lines:,} lines in {len(files)} files")
    for stage, seconds in timings.items():
        print(f"  {stage:<12} {seconds:7.2f} s  {lines / seconds:>12,.0f} lines/s")
    cleaning = sum(seconds for stage, seconds in timings.items() if stage != "read")
    total = sum(timings.values())
    print(f"  {'clean':<12} {cleaning:7.2f} s  {lines / cleaning:>12,.0f} lines/s  (parse+classify+summary+flags)")
    print(f"  {'total':<12} {total:7.2f} s  {lines / total:>12,.0f} lines/s  (with reading the CSV files)")
    print(f"peak RSS {_peak_rss_mb():,.0f} MB; {len(parsed.rejects)} rejected; {len(flags):,} SKUs flagged")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:,.4f}"))
    print(flags["price_flag"].value_counts().to_string())


if __name__ == "__main__":
    main()
