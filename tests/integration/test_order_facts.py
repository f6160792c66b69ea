"""Order and line facts: AED allocation to the cent, the line controls, the first build's lanes and the
indexes a bulk build defers."""

from __future__ import annotations

import os
from datetime import date

import pytest

from analytics import db, dq, lanes, pipeline
from analytics.db import engine_for
from analytics.generate import generate_landing
from tests.conftest import database_copy, query
from tests.support.landing import LandingBuilder

pytestmark = pytest.mark.db

DAY = date(2025, 10, 3)


def _landing(root) -> LandingBuilder:
    b = LandingBuilder(root)
    b.stores("2025-09-01")
    b.fx_daily("2025-09-01", "2025-08-25", "2025-11-30")
    b.customers("2025-09-01", [{"customer_id_nat": "C1", "updated_at": "2025-08-01T00:00:00Z"}])
    return b


def _through_core(engine, root, day: date = DAY) -> None:
    pipeline.ingest_drops(engine, root, day, "t")
    pipeline.stage_changes(engine)
    pipeline.build_core(engine, "t")


def test_sar_lines_add_up_to_the_order_aed_with_the_rounding_on_the_first_line(engine, tmp_path):
    # 30.08 SAR at 0.9793 is 29.46 AED; the lines round to 9.79 + 9.82 + 9.84 = 29.45, so the first line takes
    # the missing cent.
    b = _landing(tmp_path)
    b.orders("2025-10-03", [{"order_id": "S1", "customer_id_nat": "C1", "store_id": "SA-RUH-01",
                             "net_amount": "30.08"}])
    b.items("2025-10-03", [{"order_id": "S1", "net_amount": n} for n in ("10.00", "10.03", "10.05")])
    _through_core(engine, b.write())
    assert query(engine, "select net_amount_aed::text, is_qualified from core.fact_order where order_id = 'S1'") == [
        ("29.46", True)]
    assert query(engine, """
        select line_no, net_amount_aed::text, aed_rounding_adjustment::text, is_qualified
          from core.fact_order_line where order_id = 'S1' order by line_no""") == [
        (1, "9.80", "0.01", True), (2, "9.82", None, True), (3, "9.84", None, True)]


def test_lines_follow_their_order_when_its_status_changes(engine, tmp_path):
    b = _landing(tmp_path)
    b.orders("2025-10-02", [{"order_id": "S1", "customer_id_nat": "C1", "final_status": "PENDING",
                             "order_ts": "2025-10-01T10:00:00+04:00", "updated_at": "2025-10-01T10:00:00+04:00"}])
    root = b.write()
    _through_core(engine, root, date(2025, 10, 2))
    assert query(engine, "select is_qualified from core.fact_order_line where order_id = 'S1'") == [(False,)]
    LandingBuilder(root).orders("2025-10-03", [{"order_id": "S1", "customer_id_nat": "C1",
                                                "order_ts": "2025-10-01T10:00:00+04:00",
                                                "updated_at": "2025-10-02T09:00:00+04:00"}]).write()
    _through_core(engine, root)
    assert query(engine, "select is_qualified, aed_rounding_adjustment::text from core.fact_order_line "
                         "where order_id = 'S1'") == [(True, "0.00")]


def test_the_line_control_counts_orders_whose_lines_miss_or_do_not_add_up(engine, tmp_path):
    b = _landing(tmp_path)
    b.orders("2025-10-03", [{"order_id": "GOOD", "customer_id_nat": "C1", "net_amount": "50.00"},
                            {"order_id": "SHORT", "customer_id_nat": "C1", "net_amount": "90.00"},
                            {"order_id": "BARE", "customer_id_nat": "C1", "net_amount": "70.00"}])
    b.items("2025-10-03", [{"order_id": "GOOD", "net_amount": "50.00"},
                           {"order_id": "SHORT", "net_amount": "60.00"}, {"order_id": "SHORT", "net_amount": "20.00"},
                           {"order_id": "BARE", "net_amount": "70.00"}])
    root = b.write()
    items = root / "2025-10-03" / "oms_order_items.csv"  # BARE's line is lost on the way: it has none
    items.write_text("".join(line for line in items.read_text().splitlines(keepends=True) if "BARE" not in line))
    _through_core(engine, root)
    assert query(engine, "select count(*) from core.fact_order_line where order_id = 'BARE'") == [(0,)]
    with pytest.raises(dq.DataQualityError, match=r"orders_lines_match_header \[2025-10\]: observed 2, expected 0"):
        dq.run_checks(engine, "t", [date(2025, 10, 1)], DAY)
    assert query(engine, "select observed::int from audit.dq_result where check_name = 'orders_lines_match_header'"
                 ) == [(2,)]


def test_a_first_build_in_lanes_gives_the_rows_of_a_single_lane(server_url, template_database, tmp_path, monkeypatch):
    generate_landing(tmp_path, customers=400, months=3, seed=5, end_date=date(2025, 11, 30))
    day = date(2025, 11, 30)
    facts = {}
    most = lanes.MAX_LANES
    run_in_lanes = lanes.run_in_lanes
    lanes_used: list[int] = []

    def counting_lanes(engine, parts, work):
        if isinstance(parts[0], tuple):  # key ranges (controls and months run in lanes too)
            lanes_used.append(len(parts))
        return run_in_lanes(engine, parts, work)

    monkeypatch.setattr(lanes, "run_in_lanes", counting_lanes)
    for count in (most, 1):
        monkeypatch.setattr(lanes, "MAX_LANES", count)
        lanes_used.clear()
        with database_copy(server_url, template_database) as engine:
            pipeline.ingest_drops(engine, tmp_path, day, "t")
            pipeline.stage_changes(engine)
            pipeline.build_core(engine, "t")
            pipeline.publish_activity(engine, day, "t")
            # core orders, core lines, activity; the activity lanes are cut by customer-id
            assert lanes_used == [min(os.cpu_count() or 1, count)] * 3
            # load ids depend on how the two ingest connections interleave, so they are left out
            facts[count] = (query(engine, "select to_jsonb(o) - 'load_id' - 'first_load_id' from core.fact_order as o "
                                          "order by order_id"),
                            query(engine, "select * from core.fact_order_line order by order_id, line_no"),
                            query(engine, "select * from core.fact_customer_monthly_activity "
                                          "order by customer_id_nat, month_key"))
    assert len(facts[1][0]) > 500 and len(facts[1][1]) > 700 and len(facts[1][2]) > 400
    assert facts[most] == facts[1]


def test_indexes_a_failed_first_build_left_deferred_are_rebuilt(engine, tmp_path):
    index_sql = ("select indexname from pg_indexes where schemaname = 'core' "
                 "and tablename in ('fact_order', 'fact_order_line') order by 1")
    expected = query(engine, index_sql)
    assert len(expected) == 5
    with db.transaction(engine) as conn:  # what a first build that died after dropping them leaves behind
        db.drop_indexes(conn, "core.fact_order")
        db.drop_indexes(conn, "core.fact_order_line")
    assert query(engine, index_sql) == []
    assert query(engine, "select count(*) from core.deferred_index") == [(5,)]
    b = _landing(tmp_path)
    b.orders("2025-10-03", [{"order_id": "S1", "customer_id_nat": "C1"}])
    _through_core(engine, b.write())
    assert query(engine, index_sql) == expected
    assert query(engine, "select count(*) from core.deferred_index") == [(0,)]


def test_the_revision_fills_the_new_line_columns_of_lines_built_before_it(fresh_warehouse):
    from analytics import migrate

    migrate.downgrade(fresh_warehouse, "0008_campaign_view")
    engine = engine_for(fresh_warehouse)
    with db.transaction(engine) as conn, conn.cursor() as cur:
        cur.execute("""
            insert into core.fact_order (order_id, order_sk, customer_id_nat, surviving_customer_id_nat, customer_sk,
                store_sk, channel_sk, country_sk, region, order_type, final_status, currency_code, net_amount_native,
                vat_amount_native, fx_rate_to_aed, net_amount_aed, order_ts, order_ts_local, local_date, month_key,
                is_qualified, is_qualified_return, updated_at, load_id, first_load_id)
            values ('S1', 1, 'C1', 'C1', 0, 1, 1, 1, 'KSA', 'SALE', 'COMPLETED', 'SAR', 30.08, 4.51, 0.9793, 29.46,
                    '2025-10-02T09:00:00Z', '2025-10-02 12:00', '2025-10-02', '2025-10-01', true, false,
                    '2025-10-02T09:00:00Z', 1, 1),
                   ('S2', 2, 'C1', 'C1', 0, 1, 1, 1, 'KSA', 'SALE', 'CANCELLED', 'SAR', 10.00, 1.50, 0.9793, 9.79,
                    '2025-10-02T09:00:00Z', '2025-10-02 12:00', '2025-10-02', '2025-10-01', false, false,
                    '2025-10-02T09:00:00Z', 1, 1)""")
        cur.execute("""
            insert into core.fact_order_line (order_id, line_no, order_sk, sku, quantity, unit_price, discount_amount,
                net_amount_native, net_amount_aed, local_date, month_key)
            values ('S1', 1, 1, 'A', 1, 10.00, 0, 10.00, 9.80, '2025-10-02', '2025-10-01'),
                   ('S1', 2, 1, 'B', 1, 10.03, 0, 10.03, 9.82, '2025-10-02', '2025-10-01'),
                   ('S1', 3, 1, 'C', 1, 10.05, 0, 10.05, 9.84, '2025-10-02', '2025-10-01'),
                   ('S2', 1, 2, 'A', 1, 9.00, 0, 9.00, 8.81, '2025-10-02', '2025-10-01')""")
    migrate.upgrade(fresh_warehouse, "head")
    assert query(engine, """
        select order_id, line_no, is_qualified, aed_rounding_adjustment::text
          from core.fact_order_line order by 1, 2""") == [
        ("S1", 1, True, "0.01"), ("S1", 2, True, None), ("S1", 3, True, None), ("S2", 1, False, None)]
    engine.dispose()
