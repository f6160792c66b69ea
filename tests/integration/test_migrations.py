"""Migrations: upgrade head, downgrade base, upgrade head again on an empty database."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from analytics import migrate
from analytics.db import engine_for, load_sql
from tests.conftest import _with_database, query

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


ROLES = ("analytics_etl", "bi_reader", "crm_outreach")
# Anything of this database that names one of the roles: owned objects, privileges, default privileges.
ROLE_TRACES = """
    select 'owns ' || c.relname from pg_class c where pg_get_userbyid(c.relowner) = any(%(r)s)
    union all
    select 'acl ' || c.relname from pg_class c, aclexplode(c.relacl) a where pg_get_userbyid(a.grantee) = any(%(r)s)
    union all
    select 'acl ' || n.nspname from pg_namespace n, aclexplode(n.nspacl) a where pg_get_userbyid(a.grantee) = any(%(r)s)
    union all
    select 'default acl' from pg_default_acl d, aclexplode(d.defaclacl) a where pg_get_userbyid(a.grantee) = any(%(r)s)
"""


def test_the_privacy_revision_grants_to_cluster_roles_and_its_downgrade_takes_back_only_this_database(
        fresh_warehouse):
    engine = engine_for(fresh_warehouse)
    params = {"r": list(ROLES)}
    owners = query(engine, "select distinct viewowner from pg_views where schemaname in ('mart', 'outreach')")
    assert owners == [("analytics_etl",)]
    assert len(query(engine, ROLE_TRACES, params)) > 20
    migrate.downgrade(fresh_warehouse, "0004_pos_log")
    assert query(engine, ROLE_TRACES, params) == []
    assert query(engine, "select count(*) from pg_roles where rolname = any(%(r)s)", params) == [(3,)]
    assert query(engine, "select count(*) from information_schema.columns where table_schema = 'mart' "
                         "and table_name = 'obt_customer_kpis_and_segmentation' and column_name = 'customer_id_nat'"
                 ) == [(1,)]
    migrate.upgrade(fresh_warehouse, "head")  # again: the roles exist, their creation is skipped
    assert len(query(engine, ROLE_TRACES, params)) > 20
    engine.dispose()


def test_role_creation_is_race_safe_when_two_databases_migrate_at_once(server_url):
    """The roles block of 0007 run by two transactions at once for a role neither sees yet: the second waits
    for the first and, when it commits, carries on without error instead of failing its migration."""
    role = f"t_race_{uuid.uuid4().hex[:10]}"
    block = load_sql("ddl/0007_marts_privacy/01_roles.sql").replace(
        "array['analytics_etl', 'bi_reader', 'crm_outreach']", f"array['{role}']")
    assert role in block
    first, second = (psycopg2.connect(_with_database(server_url, "postgres")) for _ in range(2))
    try:
        first.cursor().execute(block)  # created, not committed yet
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(second.cursor().execute, block)
            time.sleep(0.5)
            assert not waiting.done()  # blocked on the first transaction's new role
            first.commit()
            waiting.result(timeout=30)
        second.commit()
        with first.cursor() as cur:
            cur.execute("select count(*) from pg_roles where rolname = %s", (role,))
            assert cur.fetchone() == (1,)
    finally:
        for conn in (first, second):
            conn.rollback()
        first.autocommit = True
        first.cursor().execute(f'drop role if exists "{role}"')
        first.close()
        second.close()
