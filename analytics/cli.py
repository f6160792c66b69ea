"""The ``analytics`` command: warehouse lifecycle, migrations, sample data and pipeline runs."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

__all__ = ["main"]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def _cmd_warehouse(args: argparse.Namespace) -> int:
    from analytics import embedded

    if args.action == "start":
        print(embedded.start())
    elif args.action == "stop":
        print("stopped" if embedded.stop() else "not running")
    elif args.action == "status":
        print("running" if embedded.is_running() else "stopped")
    else:
        print(embedded.url())
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from analytics import migrate
    from analytics.db import warehouse_url

    url = warehouse_url()
    if args.action == "upgrade":
        migrate.upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(url, args.revision or "base")
    else:
        migrate.current(url)
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    if args.format == "pos-log":
        from analytics.generate.pos_log import generate_pos_log as generate
    else:
        from analytics.generate import generate_landing as generate

    summary = generate(args.out, customers=args.customers, months=args.months, seed=args.seed,
                       end_date=args.end_date, progress=not args.quiet, overwrite=args.overwrite)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _landing(args: argparse.Namespace) -> Path:
    from analytics.config import landing_dir

    return Path(args.landing) if args.landing else landing_dir()


def _cmd_run_daily(args: argparse.Namespace) -> int:
    from analytics import pipeline
    from analytics.db import engine_for

    summary = pipeline.run_daily(engine_for(), _landing(args), args.date, args.run_id or f"cli__{args.date}")
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _cmd_close_month(args: argparse.Namespace) -> int:
    from analytics import pipeline
    from analytics.db import engine_for

    engine = engine_for()
    run_id = args.run_id or f"cli_close__{args.date}"
    pipeline.ingest_drops(engine, _landing(args), args.date, run_id)
    pipeline.stage_changes(engine)
    pipeline.build_core(engine, run_id)
    result = pipeline.close_month(engine, args.date, run_id, restate=args.restate, reason=args.reason)
    print(json.dumps(result, indent=2, default=str))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from analytics import report
    from analytics.db import engine_for

    print(report.activity_table(engine_for(), months=args.months))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="analytics", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    wh = sub.add_parser("warehouse", help="the embedded PostgreSQL warehouse")
    wh.add_argument("action", choices=["start", "stop", "status", "url"])
    wh.set_defaults(func=_cmd_warehouse)

    mig = sub.add_parser("db", help="schema migrations (alembic) on WAREHOUSE_URL or the embedded server")
    mig.add_argument("action", choices=["upgrade", "downgrade", "current"])
    mig.add_argument("revision", nargs="?", help="target revision (upgrade: head, downgrade: base)")
    mig.set_defaults(func=_cmd_db)

    gen = sub.add_parser("generate", help="write a sample landing folder")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--customers", type=_positive, required=True)
    gen.add_argument("--months", type=_positive, required=True)
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("--end-date", type=_date, default=None)
    gen.add_argument("--format", choices=("oms-crm", "pos-log"), default="oms-crm",
                     help="oms-crm: OMS, CRM and reference extracts (default); "
                          "pos-log: one online-retail POS log, pos_transactions.csv per day")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.add_argument("--overwrite", action="store_true", help="replace an earlier sample in --out")
    gen.set_defaults(func=_cmd_generate)

    daily = sub.add_parser("run-daily", help="all daily steps for one date (no Airflow)")
    daily.add_argument("--date", type=_date, required=True)
    daily.add_argument("--landing", help="landing folder (default ANALYTICS_LANDING_DIR)")
    daily.add_argument("--run-id")
    daily.set_defaults(func=_cmd_run_daily)

    close = sub.add_parser("close-month", help="ingest through DATE, then build and freeze the previous month")
    close.add_argument("--date", type=_date, required=True)
    close.add_argument("--landing")
    close.add_argument("--run-id")
    close.add_argument("--restate", action="store_true", help="rebuild the month even if frozen (audited)")
    close.add_argument("--reason", help="why a frozen month is restated (required with --restate)")
    close.set_defaults(func=_cmd_close_month)

    rep = sub.add_parser("report", help="print the C1/C2 table (active, new, repeat by region)")
    rep.add_argument("--months", type=_positive, default=6)
    rep.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the CLI reports any failure as one readable line
        if args.verbose:
            raise
        print(f"analytics {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
