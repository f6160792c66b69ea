"""The pipeline's steps as plain functions: what the DAG tasks and the CLI call.

Each step takes an engine and the run's date explicitly (never the clock), holds the pipeline lock
while it works and returns a small dict of figures (fit for XCom).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from analytics import acquisition, activity, dq, ingest, marts, month_close, scoring, snapshots, warehouse_build

__all__ = ["ingest_drops", "stage_changes", "build_core", "publish_activity", "run_dq", "close_month",
           "build_acquisition", "build_features", "score", "publish_scores", "refresh_marts", "run_daily", "SCORERS",
           "FOLLOW_UP_SCORERS"]

# The scorer steps, run in parallel after the features and before the publish.
SCORERS = ("rfm", "clv", "churn")
# Scorers that read other scorers' stage tables of the day, so run after them: name -> the scorers they read.
FOLLOW_UP_SCORERS = {"segments": ("rfm", "clv")}


def ingest_drops(engine: sa.Engine, landing: Path, through: date, run_id: str) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return ingest.ingest(engine, landing, through, run_id).as_dict()


def stage_changes(engine: sa.Engine) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return warehouse_build.stage(engine)


def build_core(engine: sa.Engine, run_id: str) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return warehouse_build.build_core(engine, run_id)


def publish_activity(engine: sa.Engine, as_of: date, run_id: str) -> dict:
    """Month-to-date build of every open month through ``as_of``."""
    with warehouse_build.pipeline_lock(engine):
        return activity.build_activity(engine, as_of, run_id).as_dict()


def run_dq(engine: sa.Engine, as_of: date, run_id: str, months: list[date]) -> dict:
    """Order and warehouse controls for the months the run built (their activity controls ran before
    publishing)."""
    with warehouse_build.pipeline_lock(engine):
        results = dq.run_checks(engine, run_id, months, as_of)
    return {"controls": len(results), "failed": sum(not r.passed for r in results)}


def close_month(engine: sa.Engine, run_date: date, run_id: str, restate: bool = False,
                reason: str | None = None) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return month_close.close_month(engine, run_date, run_id, restate, reason)


def build_acquisition(engine: sa.Engine, day: date) -> dict:
    """Campaign dimension, leads, customer acquisition and campaign performance as of ``day``."""
    with warehouse_build.pipeline_lock(engine):
        return acquisition.build_acquisition(engine, day)


def build_features(engine: sa.Engine, day: date) -> dict:
    """The scorers' shared input: features as of ``day``, and as of the churn model's training cut-off."""
    cutoff = day - timedelta(days=scoring.churn_horizon_days())
    with warehouse_build.pipeline_lock(engine):
        rows = snapshots.build_features(engine, [day, cutoff])
    return {"customers": rows[day], "training_cutoff": cutoff.isoformat(), "training_customers": rows[cutoff]}


def score(engine: sa.Engine, scorer: str, day: date, run_id: str) -> dict:
    """One scorer into its stage table. No pipeline lock: the scorers run side by side and write only
    their own stage tables (a follow-up scorer reads its inputs' sealed stage tables)."""
    if scorer not in (*SCORERS, *FOLLOW_UP_SCORERS):
        raise ValueError(f"unknown scorer {scorer!r}; expected one of {(*SCORERS, *FOLLOW_UP_SCORERS)}")
    rows = getattr(scoring, f"score_{scorer}")(engine, day, run_id)
    return {"scorer": scorer, "customers": rows}


def publish_scores(engine: sa.Engine, day: date) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return snapshots.publish(engine, day)


def refresh_marts(engine: sa.Engine) -> dict:
    with warehouse_build.pipeline_lock(engine):
        return marts.refresh_materialized_views(engine)


def run_daily(engine: sa.Engine, landing: Path, day: date, run_id: str) -> dict:
    """All daily steps in order (the CLI's equivalent of the daily DAG)."""
    summary = {"ingest": ingest_drops(engine, landing, day, run_id)}
    summary["stage"] = stage_changes(engine)
    summary["core"] = build_core(engine, run_id)
    summary["activity"] = publish_activity(engine, day, run_id)
    months = [date.fromisoformat(m) for m in summary["activity"]["months"]]
    summary["dq"] = run_dq(engine, day, run_id, months)
    summary["acquisition"] = build_acquisition(engine, day)
    summary["features"] = build_features(engine, day)
    summary["scores"] = [score(engine, scorer, day, run_id) for scorer in (*SCORERS, *FOLLOW_UP_SCORERS)]
    summary["published"] = publish_scores(engine, day)
    summary["marts"] = refresh_marts(engine)
    return summary
