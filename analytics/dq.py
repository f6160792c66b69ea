"""Data-quality controls (DESIGN §4): each is a SQL file under ``sql/dq/`` returning, per month (or once),
``(month_key, observed, expected, details)``. A control passes when observed = expected. Results go to
``audit.dq_result`` in their own transaction (so they survive a rolled-back build) and a failure
raises :class:`DataQualityError` with a readable summary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db, lanes

__all__ = ["DataQualityError", "CheckResult", "ACTIVITY_CHECKS", "PIPELINE_CHECKS", "check_activity_stage",
           "run_checks"]

log = logging.getLogger(__name__)

# Controls on the activity months a build is about to publish: run on its committed stage table before the
# publishing transaction, so that a failure publishes nothing. The published partitions are these very tables.
ACTIVITY_CHECKS = (
    "activity_key_unique",
    "activity_active_customers",
    "activity_aed_reconciles_lines",
    "activity_flag_rules",
    "activity_foreign_keys",
    "orders_missing_fx",
)
# Controls on the order facts of the run's months and on the whole warehouse (the DAGs' DQ task).
PIPELINE_CHECKS = ("orders_lines_match_header", "orders_unknown_store", "customer_merge_chains")


class DataQualityError(RuntimeError):
    """A data-quality control failed; the message lists every failing control."""


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    month_key: date | None
    observed: Decimal
    expected: Decimal
    details: str

    @property
    def passed(self) -> bool:
        return self.observed == self.expected

    def describe(self) -> str:
        where = f" [{self.month_key:%Y-%m}]" if self.month_key else ""
        return f"{self.check_name}{where}: observed {self.observed}, expected {self.expected} — {self.details}"


def _evaluate(engine: sa.Engine, names: tuple[str, ...], activity_table: str, months: list[date], as_of: date
              ) -> list[CheckResult]:
    """Run the controls side by side (``analytics.lanes``), each in a read transaction of its own."""
    params = {"months": months, "as_of": as_of}

    def evaluate(eng: sa.Engine, name: str) -> list[CheckResult]:
        text = db.load_sql(f"dq/{name}.sql")
        statement = pgsql.SQL(text).format(activity=pgsql.Identifier(*activity_table.split(".")))
        with db.transaction(eng) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            rows = cur.fetchall()
        return [CheckResult(name, r[0], Decimal(r[1] or 0), Decimal(r[2] or 0), r[3] or "") for r in rows]

    return [result for part in lanes.run_in_lanes(engine, names, evaluate) for result in part]


def _record(engine: sa.Engine, run_id: str, results: list[CheckResult]) -> None:
    with db.transaction(engine) as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into audit.dq_result (run_id, check_name, month_key, status, observed, expected, details) "
            "values (%s, %s, %s, %s, %s, %s, %s)",
            [(run_id, r.check_name, r.month_key, "PASS" if r.passed else "FAIL", r.observed, r.expected, r.details)
             for r in results])


def _raise_on_failure(results: list[CheckResult], context: str) -> None:
    failed = [r for r in results if not r.passed]
    if failed:
        raise DataQualityError(f"{len(failed)} data-quality control(s) failed {context}:\n  "
                               + "\n  ".join(r.describe() for r in failed))


def check_activity_stage(engine: sa.Engine, run_id: str, stage_table: str, months: list[date],
                         as_of: date) -> list[CheckResult]:
    """Controls on a build's committed stage table, before anything is published; results recorded."""
    results = _evaluate(engine, ACTIVITY_CHECKS, stage_table, months, as_of)
    _record(engine, run_id, results)
    _raise_on_failure(results, "before publishing (nothing was published)")
    return results


def run_checks(engine: sa.Engine, run_id: str, months: list[date], as_of: date) -> list[CheckResult]:
    """Order and warehouse controls for ``months`` (the activity controls ran before publishing, in the
    same run); records them and raises on failure."""
    results = _evaluate(engine, PIPELINE_CHECKS, "core.fact_customer_monthly_activity", months, as_of)
    _record(engine, run_id, results)
    log.info("dq: %d controls, %d failed", len(results), sum(not r.passed for r in results))
    _raise_on_failure(results, "on the published warehouse")
    return results
