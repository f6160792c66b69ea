"""``make demo``: warehouse up and migrated, a sample landing folder, one daily DAG run through Airflow,
then the C1/C2 table of the last six months and how to go further.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from analytics import airflow_stack, migrate, report
from analytics.config import configured_warehouse_url, landing_dir, warehouse_dir
from analytics.db import engine_for, warehouse_url

__all__ = ["main"]

SAMPLE = {"customers": 20_000, "months": 24, "seed": 42, "end_date": date(2025, 11, 30)}


def _step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.perf_counter()


def _done(started: float) -> None:
    print(f"    done in {time.perf_counter() - started:.1f}s", flush=True)


def _ensure_sample(landing: Path) -> None:
    manifest = landing / "manifest.json"
    wanted = {k: str(v) for k, v in SAMPLE.items()}
    if manifest.exists():
        seen = json.loads(manifest.read_text()).get("parameters", {})
        if all(str(seen.get(k)) == v for k, v in wanted.items()):
            print(f"    sample already in {landing}")
            return
    from analytics.generate import generate_landing

    generate_landing(landing, progress=True, overwrite=True, **SAMPLE)


def _airflow(args: list[str], log_file: Path) -> None:
    """Run an ``airflow`` command against the project's stack, appending its output to ``log_file``."""
    done = airflow_stack.run_airflow(*args, check=False, timeout=None)
    with open(log_file, "a", encoding="utf-8") as log:
        log.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"`airflow {' '.join(args)}` failed (exit {done.returncode}); see {log_file}")


def main() -> int:
    total = time.perf_counter()
    started = _step("Warehouse: " + ("WAREHOUSE_URL" if configured_warehouse_url() else "embedded PostgreSQL"))
    url = warehouse_url()
    migrate.upgrade(url)
    _done(started)

    landing = landing_dir()
    started = _step(f"Sample extracts: {SAMPLE['customers']:,} customers, {SAMPLE['months']} months -> {landing}")
    _ensure_sample(landing)
    _done(started)

    os.environ["AIRFLOW_CONN_WAREHOUSE"] = url
    os.environ["ANALYTICS_LANDING_DIR"] = str(landing)
    home = airflow_stack.airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    log_file = home / "demo.log"
    started = _step(f"Airflow: customer_analytics_daily for {SAMPLE['end_date']} (log: {log_file})")
    airflow_stack.prepare_backends()
    _airflow(["db", "migrate"], log_file)
    _airflow(["dags", "test", "customer_analytics_daily", f"{SAMPLE['end_date']}T05:00:00+03:00"], log_file)
    _done(started)

    print("\nC1/C2 - active, new and repeat customers by store region (last six months):\n")
    print(report.activity_table(engine_for(url), months=6))
    print(f"\nDemo finished in {time.perf_counter() - total:.0f}s.\n")
    print("Next steps:")
    print("  Airflow UI:      make airflow   (airflow standalone on http://localhost:8080; make airflow-stop)")
    print(f"  SQL:             psql {url}")
    print("                   select * from mart.mart_customer_activity_monthly order by month_key desc;")
    if not configured_warehouse_url():
        print(f"  Stop warehouse:  .venv/bin/analytics warehouse stop   (data kept in {warehouse_dir()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
