"""Each activity rule on a hand-built landing folder of a few rows (DESIGN §4)."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import pipeline
from analytics.dq import DataQualityError
from tests.conftest import query
from tests.support.landing import LandingBuilder

pytestmark = pytest.mark.db

OCT, NOV = date(2025, 10, 1), date(2025, 11, 1)


def _base(root) -> LandingBuilder:
    b = LandingBuilder(root)
    b.stores("2025-09-01")
    b.fx_daily("2025-09-01", "2025-08-25", "2025-11-30")
    b.customers("2025-09-01", [{"customer_id_nat": c, "updated_at": "2025-08-01T00:00:00Z"}
                               for c in ("C1", "C2", "C3")])
    return b


def _run(engine, root, day: date) -> None:
    pipeline.run_daily(engine, root, day, f"t-{day}")


def _rows(engine, customer: str) -> list[tuple]:
    return query(engine, """
        select month_key, is_active_flag, is_new_flag, is_repeat_flag, orders_count_month,
               total_net_amount_aed_month::text, first_order_month, last_order_month
          from core.fact_customer_monthly_activity where customer_id_nat = %(c)s order by month_key""", {"c": customer})


def test_month_is_the_store_local_month_in_both_time_zones(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-11-02", [
        # 00:30 on 1 November in Dubai, written in UTC (still October in UTC): November.
        {"order_id": "A", "customer_id_nat": "C1", "store_id": "AE-DXB-01", "order_ts": "2025-10-31T20:30:00Z",
         "net_amount": "100.00"},
        # 23:30 on 31 October in Riyadh, written in UTC (already November in UTC): October.
        {"order_id": "B", "customer_id_nat": "C2", "store_id": "SA-RUH-01", "order_ts": "2025-10-31T20:30:00Z",
         "net_amount": "100.00"},
    ])
    _run(engine, b.write(), date(2025, 11, 2))
    assert [r[0] for r in _rows(engine, "C1") if r[1]] == [NOV]
    assert [r[0] for r in _rows(engine, "C2") if r[1]] == [OCT]


def test_aed_uses_the_rate_of_the_local_date(engine, tmp_path):
    b = _base(tmp_path)
    b.fx("2025-10-02", [{"rate_date": "2025-10-01", "currency_code": "SAR", "rate_to_aed": "0.50000000"},
                        {"rate_date": "2025-09-30", "currency_code": "SAR", "rate_to_aed": "2.00000000"}])
    b.orders("2025-10-02", [{"order_id": "A", "customer_id_nat": "C2", "store_id": "SA-RUH-01",
                             "order_ts": "2025-09-30T21:30:00Z", "net_amount": "100.01"}])  # 00:30 local, 1 Oct
    _run(engine, b.write(), date(2025, 10, 2))
    assert _rows(engine, "C2") == [(OCT, 1, 1, 0, 1, "50.01", "2025-10", "2025-10")]


def test_status_change_in_a_later_drop_is_applied(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-10-03", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-10-02T10:00:00+04:00",
                             "final_status": "PENDING", "net_amount": "80.00"}])
    b.orders("2025-10-05", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-10-02T10:00:00+04:00",
                             "final_status": "COMPLETED", "net_amount": "80.00",
                             "updated_at": "2025-10-04T09:00:00+04:00"}])
    root = b.write()
    _run(engine, root, date(2025, 10, 4))
    assert _rows(engine, "C1") == []
    _run(engine, root, date(2025, 10, 5))
    assert _rows(engine, "C1") == [(OCT, 1, 1, 0, 1, "80.00", "2025-10", "2025-10")]


def test_guests_flags_cancelled_and_returns_do_not_make_anyone_active(engine, tmp_path):
    b = _base(tmp_path)
    b.customers("2025-10-02", [{"customer_id_nat": "C3", "customer_flag": "TEST",
                                "updated_at": "2025-10-01T00:00:00Z"}])
    b.orders("2025-10-03", [
        {"order_id": "G", "customer_id_nat": "", "net_amount": "10.00"},
        {"order_id": "F", "customer_id_nat": "C1", "order_flag": "FRAUD", "net_amount": "10.00"},
        {"order_id": "X", "customer_id_nat": "C1", "final_status": "CANCELLED", "net_amount": "10.00"},
        {"order_id": "T", "customer_id_nat": "C3", "net_amount": "10.00"},
        {"order_id": "R", "customer_id_nat": "C2", "order_type": "RETURN", "net_amount": "-10.00"},
    ])
    _run(engine, b.write(), date(2025, 10, 3))
    assert query(engine, "select count(*) from core.fact_customer_monthly_activity") == [(0,)]
    reasons = dict(query(engine, "select order_id, exclusion_reason from core.fact_order"))
    assert reasons == {"G": "GUEST", "F": "ORDER_FLAG_FRAUD", "X": "STATUS_CANCELLED", "T": "CUSTOMER_FLAG_TEST",
                       "R": "RETURN"}


def test_returns_only_month_is_an_inactive_row_with_returns(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-09-11", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-09-10T10:00:00+04:00",
                             "net_amount": "100.00"}])
    b.orders("2025-10-11", [{"order_id": "R", "customer_id_nat": "C1", "order_type": "RETURN",
                             "order_ts": "2025-10-10T10:00:00+04:00", "net_amount": "-40.00"}])
    _run(engine, b.write(), date(2025, 10, 31))
    assert _rows(engine, "C1")[1] == (OCT, 0, 0, 0, 0, "0.00", "2025-09", "2025-09")
    assert query(engine, "select returns_count_month, returns_net_amount_aed_month::text "
                         "from core.fact_customer_monthly_activity where month_key = '2025-10-01'") == [(1, "-40.00")]


def test_merged_ids_roll_up_to_the_survivor_through_a_chain(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-09-11", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-09-10T10:00:00+04:00",
                             "net_amount": "100.00"}])
    b.orders("2025-10-11", [{"order_id": "B", "customer_id_nat": "C2", "order_ts": "2025-10-10T10:00:00+04:00",
                             "net_amount": "50.00"}])
    b.customers("2025-10-15", [{"customer_id_nat": "C1", "merged_into": "C2", "updated_at": "2025-10-14T00:00:00Z"},
                               {"customer_id_nat": "C2", "merged_into": "C3", "updated_at": "2025-10-14T00:00:00Z"}])
    _run(engine, b.write(), date(2025, 10, 31))
    assert _rows(engine, "C1") == [] and _rows(engine, "C2") == []
    assert _rows(engine, "C3") == [(date(2025, 9, 1), 1, 1, 0, 1, "100.00", "2025-09", "2025-09"),
                                   (OCT, 1, 0, 1, 1, "50.00", "2025-09", "2025-10")]


def test_order_before_the_crm_row_counts_and_the_customer_is_filled_in_later(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-10-03", [{"order_id": "A", "customer_id_nat": "C9", "net_amount": "10.00"}])
    b.customers("2025-10-06", [{"customer_id_nat": "C9", "loyalty_tier": "GOLD", "is_vip": 1,
                                "updated_at": "2025-09-01T00:00:00Z"}])
    root = b.write()
    _run(engine, root, date(2025, 10, 3))
    assert query(engine, "select is_active_flag, loyalty_tier, is_vip_flag from core.fact_customer_monthly_activity") \
        == [(1, None, 0)]
    assert query(engine, "select is_inferred from core.dim_customer where customer_id_nat = 'C9'") == [(True,)]
    _run(engine, root, date(2025, 10, 6))
    assert query(engine, "select is_active_flag, loyalty_tier, is_vip_flag from core.fact_customer_monthly_activity") \
        == [(1, "GOLD", 1)]
    assert query(engine, "select is_inferred from core.dim_customer where customer_id_nat = 'C9'") == [(False,)]


def test_scd2_tier_is_the_version_valid_at_month_end(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-09-11", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-09-10T10:00:00+04:00"}])
    b.customers("2025-10-02", [{"customer_id_nat": "C1", "loyalty_tier": "GOLD",
                                "updated_at": "2025-09-30T20:59:00Z"}])  # 23:59 Riyadh on 30 September
    b.customers("2025-10-21", [{"customer_id_nat": "C1", "loyalty_tier": "PLATINUM",
                                "updated_at": "2025-10-20T00:00:00Z"}])
    _run(engine, b.write(), date(2025, 10, 31))
    tiers = query(engine, "select month_key, loyalty_tier from core.fact_customer_monthly_activity order by 1")
    assert tiers == [(date(2025, 9, 1), "GOLD"), (OCT, "PLATINUM")]
    assert query(engine, "select count(*) from core.dim_customer where customer_id_nat = 'C1'") == [(3,)]


def test_late_data_within_the_window_counts_and_after_the_freeze_is_kept_apart(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-10-02", [{"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-09-29T10:00:00+04:00"}])
    # Delivered four days late but before the freeze (2 October 06:00): counts in September.
    b.orders("2025-10-02", [{"order_id": "B", "customer_id_nat": "C2", "order_ts": "2025-09-28T10:00:00+04:00"}])
    # Delivered on 10 October, after September froze: audited, September unchanged.
    b.orders("2025-10-10", [{"order_id": "C", "customer_id_nat": "C3", "order_ts": "2025-09-30T10:00:00+04:00"}])
    root = b.write()
    pipeline.ingest_drops(engine, root, date(2025, 10, 2), "close")
    pipeline.stage_changes(engine)
    pipeline.build_core(engine, "close")
    assert pipeline.close_month(engine, date(2025, 10, 2), "close")["active"] == 2
    _run(engine, root, date(2025, 10, 10))
    assert query(engine, "select order_id, month_key, change_kind, affects_activity from audit.late_arrival") == [
        ("C", date(2025, 9, 1), "NEW", True)]
    assert query(engine, "select count(*) from core.fact_customer_monthly_activity where month_key = '2025-09-01'") \
        == [(2,)]
    # Customer C3's first qualified order is in frozen September: October shows nothing for C3.
    assert _rows(engine, "C3") == []


def test_redelivered_rows_and_malformed_rows_change_nothing(engine, tmp_path):
    b = _base(tmp_path)
    order = {"order_id": "A", "customer_id_nat": "C1", "order_ts": "2025-10-02T10:00:00+04:00",
             "net_amount": "70.00"}
    b.orders("2025-10-03", [order])
    root = b.write()
    _run(engine, root, date(2025, 10, 3))
    columns = ("customer_month_sk, customer_id_nat, month_key, customer_sk, is_active_flag, orders_count_month, "
               "total_net_amount_aed_month, loyalty_tier, is_vip_flag")  # as_of_date moves on with the run
    before = query(engine, f"select {columns} from core.fact_customer_monthly_activity")
    LandingBuilder(root).orders("2025-10-04", [order]).raw_file(
        "2025-10-04", "crm_customers.csv",
        "customer_id_nat,full_name,email,phone,city,country_code,loyalty_tier,is_vip,customer_flag,"
        "acquisition_channel,signup_date,merged_into,updated_at\nC1,X,,,,AE,GOLD,yes,,,,,2025-10-03T00:00:00Z\n",
    ).write()
    _run(engine, root, date(2025, 10, 4))
    assert query(engine, f"select {columns} from core.fact_customer_monthly_activity") == before
    assert query(engine, "select count(*), min(field_name) from audit.rejected_row") == [(1, "is_vip")]
    assert query(engine, "select count(*) from audit.late_arrival") == [(0,)]


def test_a_failed_control_publishes_nothing_and_names_the_problem(engine, tmp_path):
    b = _base(tmp_path)
    b.orders("2025-10-03", [{"order_id": "A", "customer_id_nat": "C1", "net_amount": "70.00"}])
    root = b.write()
    _run(engine, root, date(2025, 10, 3))
    before = query(engine, "select * from core.fact_customer_monthly_activity")
    # A SAR order whose local date has no rate: the control fails and the published month stays.
    LandingBuilder(root).orders("2025-10-04", [{"order_id": "B", "customer_id_nat": "C2", "store_id": "SA-RUH-01",
                                                "order_ts": "2025-12-01T10:00:00+03:00"}]).write()
    with pytest.raises(DataQualityError, match="orders_missing_fx.*SAR 2025-12-01"):
        _run(engine, root, date(2025, 12, 2))
    assert query(engine, "select * from core.fact_customer_monthly_activity") == before
    assert query(engine, "select count(*) from audit.dq_result where status = 'FAIL' "
                         "and check_name = 'orders_missing_fx'") == [(1,)]


def test_history_summary_and_scan_of_frozen_months_give_the_same_rows(engine, tmp_path, monkeypatch):
    from analytics import activity
    from analytics.generate import generate_landing

    generate_landing(tmp_path, customers=300, months=4, seed=9, end_date=date(2025, 11, 30))
    for run_date in (date(2025, 9, 2), date(2025, 10, 2)):
        pipeline.ingest_drops(engine, tmp_path, run_date, "close")
        pipeline.stage_changes(engine)
        pipeline.build_core(engine, "close")
        pipeline.close_month(engine, run_date, "close")
    _run(engine, tmp_path, date(2025, 11, 30))
    sql = "select * from core.fact_customer_monthly_activity where month_key >= '2025-10-01' order by 2, 3"
    from_summary = query(engine, sql)
    monkeypatch.setattr(activity, "history_sql", lambda conn, months: "transform/activity/history_from_scan.sql")
    _run(engine, tmp_path, date(2025, 11, 30))
    assert query(engine, sql) == from_summary
    assert len(from_summary) > 200
