"""A small warehouse loaded, built and scored on two dates 30 days apart, with its marts refreshed: built once
per session and shared read-only by the mart and privacy tests (tests that change it work on a copy)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from analytics import pipeline
from analytics.db import engine_for
from analytics.generate import generate_landing
from tests.conftest import _admin, _with_database

# The two published snapshots: the newest, and the one segment migration compares it with (a month end, so
# that model quality compares its predicted CLV with what followed).
EARLIER, LATEST = date(2025, 10, 31), date(2025, 11, 30)


@pytest.fixture(scope="session")
def scored_database(server_url: str, template_database: str, tmp_path_factory) -> Iterator[str]:
    """Name of a database with 2,000 generated customers over 18 months run daily through scoring on EARLIER
    and LATEST (ingest, stage, core, activity, controls, features, scorers, publish, marts)."""
    landing = tmp_path_factory.mktemp("marts-landing")
    generate_landing(landing, customers=2000, months=18, seed=11, end_date=date(2025, 11, 30))
    name = f"analytics_marts_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}" template "{template_database}"')
    engine = engine_for(_with_database(server_url, name))
    for day in (EARLIER, LATEST):
        pipeline.run_daily(engine, landing, day, f"test-{day}")
    engine.dispose()
    yield name
    _admin(server_url, f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def scored_url(server_url: str, scored_database: str) -> str:
    return _with_database(server_url, scored_database)
