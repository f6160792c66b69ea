"""Migrations: upgrade head, downgrade base, upgrade head again on an empty database."""

import pytest

from analytics import migrate
from analytics.db import engine_for
from tests.conftest import query

pytestmark = pytest.mark.db

SCHEMAS = ["audit", "core", "mart", "raw", "stg"]


def test_upgrade_downgrade_upgrade_round_trip(fresh_warehouse):
    engine = engine_for(fresh_warehouse)
    schema_sql = "select nspname from pg_namespace where nspname = any(%(s)s) order by 1"
    assert [r[0] for r in query(engine, schema_sql, {"s": SCHEMAS})] == SCHEMAS
    migrate.downgrade(fresh_warehouse, "base")
    assert query(engine, schema_sql, {"s": SCHEMAS}) == []
    migrate.upgrade(fresh_warehouse, "head")
    assert [r[0] for r in query(engine, schema_sql, {"s": SCHEMAS})] == SCHEMAS
    assert query(engine, "select count(*) > 15000 from core.dim_date") == [(True,)]
    assert query(engine, "select count(*) from mart.mart_customer_activity_monthly") == [(0,)]
    engine.dispose()
