"""Roles and pseudonymisation (DESIGN §8), checked by logging in as a member of each role on the scored
warehouse: what bi_reader and crm_outreach can and cannot read or change, that no mart view shows a raw
customer id, name, e-mail or phone, and that the ETL role can refresh the marts it owns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import psycopg2
import pytest
from psycopg2 import errors
from psycopg2 import sql as pgsql

from analytics import marts
from analytics.access import temporary_member
from analytics.db import engine_for
from tests.integration.conftest import LATEST
from tests.support.mart_oracle import read

pytestmark = pytest.mark.db

DENIED_SCHEMAS = ("raw", "stg", "core", "audit", "outreach", "public")


def _relations(url: str, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    listed = ", ".join(f"'{schema}'" for schema in schemas)
    rows = read(url, "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                     f"where c.relkind in ('r', 'p', 'v', 'm') and n.nspname in ({listed}) order by 1, 2")
    return list(rows.itertuples(index=False, name=None))


@pytest.fixture
def as_member(scored_url: str) -> Iterator:
    """``as_member(role)``: an open autocommit connection of a new login user that is a member of ``role``."""
    with ExitStack() as stack:

        def connect(role: str):
            conn = psycopg2.connect(stack.enter_context(temporary_member(scored_url, role)))
            stack.callback(conn.close)
            conn.autocommit = True
            return conn

        yield connect


def _denied(conn, statement: pgsql.Composable | str) -> bool:
    with conn.cursor() as cur:
        try:
            cur.execute(statement)
        except errors.InsufficientPrivilege:
            return True
    return False


def _table(schema: str, name: str) -> pgsql.Composable:
    return pgsql.Identifier(schema, name)


def test_bi_reader_reads_every_mart_view_and_nothing_else(scored_url, as_member):
    conn = as_member("bi_reader")
    mart = _relations(scored_url, ("mart",))
    assert len(mart) >= 21
    with conn.cursor() as cur:
        for schema, name in mart:
            cur.execute(pgsql.SQL("select * from {} limit 5").format(_table(schema, name)))
            cur.fetchall()
    others = _relations(scored_url, DENIED_SCHEMAS)
    assert {schema for schema, _ in others} == set(DENIED_SCHEMAS)  # alembic_version is in public
    readable = [f"{s}.{n}" for s, n in others
                if not _denied(conn, pgsql.SQL("select 1 from {} limit 0").format(_table(s, n)))]
    assert readable == []


def _writable(conn, schema: str) -> list[str]:
    """Relations of ``schema`` on which the connected user holds any privilege beyond SELECT. (Writing to the
    views fails anyway, as they are not updatable, so the privileges themselves are checked.)"""
    with conn.cursor() as cur:
        cur.execute("""
            select c.relname from pg_class c where c.relnamespace = %(s)s::regnamespace
            and has_table_privilege(c.oid, 'insert, update, delete, truncate, references, trigger')""", {"s": schema})
        return [row[0] for row in cur.fetchall()]


def test_bi_reader_can_change_and_create_nothing(scored_url, as_member):
    conn = as_member("bi_reader")
    assert _writable(conn, "mart") == []
    matview = pgsql.Identifier("mart", "vw_clv_distribution")
    attempts = [
        pgsql.SQL("insert into {} (bucket_order) values (1)").format(matview),
        pgsql.SQL("delete from {}").format(matview),
        pgsql.SQL("refresh materialized view {}").format(matview),
        "create table mart.intruder (x int)",
        "create view mart.intruder as select 1 as x",
        "create table public.intruder (x int)",
        "create schema intruder",
        "update core.fact_customer_rfm set segment_name = 'x'",
        "delete from audit.file_load",
        "insert into raw.oms_orders (order_id) values ('x')",
    ]
    allowed = [str(a) for a in attempts if not _denied(conn, a)]
    assert allowed == []


def test_no_mart_view_shows_a_raw_customer_id_name_email_or_phone(scored_url, as_member):
    customers = read(scored_url, "select customer_id_nat, full_name, email, phone, surviving_customer_id_nat "
                                 "from core.dim_customer")
    secrets = {value for column in customers.columns for value in customers[column].dropna().astype(str)}
    assert len(secrets) > 5000
    conn = as_member("bi_reader")
    leaks = {}
    with conn.cursor() as cur:
        for schema, name in _relations(scored_url, ("mart",)):
            cur.execute(pgsql.SQL("select * from {}").format(_table(schema, name)))
            rows = cur.fetchall()
            for position, column in enumerate(cur.description):
                found = {row[position] for row in rows if isinstance(row[position], str)} & secrets
                if found:
                    leaks[f"{name}.{column.name}"] = sorted(found)[:3]
    assert leaks == {}
    codes = read(scored_url, "select count(*) as n from mart.vw_at_risk_customers where customer_code like 'CU-%'")
    assert codes["n"][0] > 50


def test_crm_outreach_reads_the_contact_lists_only(scored_url, as_member):
    conn = as_member("crm_outreach")
    with conn.cursor() as cur:
        cur.execute("select customer_id_nat, full_name, email, priority, recommended_action "
                    "from outreach.at_risk_contacts")
        at_risk = cur.fetchall()
        cur.execute("select customer_id_nat, vip_reason, value_tier from outreach.vip_contacts")
        vips = cur.fetchall()
    expected = read(scored_url, f"""
        select customer_id_nat from core.fact_customer_churn_risk
        where snapshot_date = '{LATEST}' and churn_risk_category in ('High', 'Critical')""")
    assert sorted(r[0] for r in at_risk) == sorted(expected["customer_id_nat"])
    named = read(scored_url, "select customer_id_nat, full_name from core.dim_customer where is_current")
    assert {r[0]: r[1] for r in at_risk} == {i: n for i, n in named.values if i in {r[0] for r in at_risk}}
    assert [r[3] for r in at_risk] == sorted(r[3] for r in at_risk)
    assert vips and {r[2] for r in vips if r[1].startswith("Top value tier")} == {"Platinum"}
    others = _relations(scored_url, ("raw", "stg", "core", "audit", "mart"))
    readable = [f"{s}.{n}" for s, n in others
                if not _denied(conn, pgsql.SQL("select 1 from {} limit 0").format(_table(s, n)))]
    assert readable == []
    assert _writable(conn, "outreach") == []
    assert _denied(conn, "create table outreach.intruder (x int)")


def test_a_member_of_analytics_etl_refreshes_the_marts_it_owns(scored_url):
    with temporary_member(scored_url, "analytics_etl") as url:
        engine = engine_for(url)
        try:
            seconds = marts.refresh_materialized_views(engine)
        finally:
            engine.dispose()
    assert "mart.vw_rfm_segment_summary_history" in seconds and len(seconds) >= 9


PSEUDONYMS = "select customer_id_nat, customer_code from core.customer_pseudonym order by 1"


def test_every_customer_has_one_stable_random_code(scored_url):
    before = read(scored_url, PSEUDONYMS)
    customers = read(scored_url, "select distinct customer_id_nat from core.dim_customer")
    assert set(before["customer_id_nat"]) == set(customers["customer_id_nat"])
    assert before["customer_code"].is_unique
    assert before["customer_code"].str.fullmatch(r"CU-[0-9A-F]{12}").all()
    assert read(scored_url, "select core.assign_customer_pseudonyms() as added")["added"].tolist() == [0]
    assert read(scored_url, PSEUDONYMS).equals(before)
