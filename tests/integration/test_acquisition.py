"""The acquisition step on hand-built extracts: CAC, revenue windows, payback, last-touch attribution and the
campaign ratios, with every expected value worked out by hand below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from analytics import acquisition, pipeline
from tests.conftest import query
from tests.support.landing import LandingBuilder

pytestmark = pytest.mark.db

AS_OF = dt.date(2025, 9, 30)
TOUCH_COLUMNS = ["touch_id", "customer_id_nat", "lead_id", "touch_ts", "acquisition_channel", "campaign_id",
                 "touch_type"]


def _landing(root) -> None:
    """Four customers acquired in August/September 2025 and a fifth merged into the first.

    PAID_SEARCH spends 300.00 (campaign CMP1, 10,000 impressions, 250 clicks) on 09-01 and 100.00 outside any
    campaign on 09-02: 400.00 in September for its two customers C1 and C2, so each cost 200.00. The 50.00 of
    08-31 belongs to August, in which PAID_SEARCH acquired nobody. SOCIAL (C3) and ORGANIC (C4) spent nothing.
    """
    b = LandingBuilder(root)
    b.stores("2025-08-01")
    b.customers("2025-08-01", [
        {"customer_id_nat": "C1", "acquisition_channel": "paid_search", "signup_date": "2025-09-01"},
        {"customer_id_nat": "C2", "acquisition_channel": "PAID_SEARCH", "signup_date": "2025-09-05"},
        {"customer_id_nat": "C3", "acquisition_channel": "SOCIAL", "signup_date": "2025-09-10"},
        {"customer_id_nat": "C4", "acquisition_channel": "ORGANIC", "signup_date": "2025-08-15"},
        {"customer_id_nat": "C5", "acquisition_channel": "ORGANIC", "signup_date": "2025-08-01"},
    ])
    b.customers("2025-09-24", [{"customer_id_nat": "C5", "merged_into": "C1", "signup_date": "2025-08-01"}])
    b.frame("2025-08-01", "mkt_campaigns", pd.DataFrame([
        ["CMP1", "ACQ-SEARCH", "Search", "acquisition", "paid_search", "2025-08-01", "2025-09-30", "5000.00", "ACTIVE"],
        ["CMP2", "RET-EMAIL", "Win back", "retention", "email", "2025-09-01", "", "", "PLANNED"],
    ], columns=["campaign_id", "campaign_code", "campaign_name", "campaign_type", "campaign_channel", "start_date",
                "end_date", "budget_aed", "status"]))
    b.frame("2025-09-03", "mkt_spend", pd.DataFrame([
        ["2025-08-31", "PAID_SEARCH", "CMP1", "50.00", "0", "0"],
        ["2025-09-01", "PAID_SEARCH", "CMP1", "300.00", "10000", "250"],
        ["2025-09-02", "PAID_SEARCH", "", "100.00", "2000", "20"],
    ], columns=["spend_date", "acquisition_channel", "campaign_id", "spend_aed", "impressions", "clicks"]))
    b.frame("2025-09-30", "mkt_touchpoints", pd.DataFrame([
        ["T1", "", "L1", "2025-09-01T09:00:00+04:00", "PAID_SEARCH", "CMP1", "lead"],
        ["T2", "C1", "L1", "2025-09-01T10:00:00+04:00", "PAID_SEARCH", "CMP1", "conversion"],
        ["T3", "", "L2", "2025-09-03T09:00:00+04:00", "PAID_SEARCH", "CMP1", "lead"],
        ["T4", "", "L2", "2025-09-04T09:00:00+04:00", "PAID_SEARCH", "CMP1", "contact"],
        ["T5", "C2", "L2", "2025-09-05T11:00:00+04:00", "PAID_SEARCH", "CMP1", "conversion"],
        ["T6", "C3", "L3", "2025-09-10T12:00:00+04:00", "SOCIAL", "", "conversion"],
        ["T7", "", "L4", "2025-09-12T09:00:00+04:00", "PAID_SEARCH", "CMP1", "lead"],
        ["T8", "C4", "", "2025-09-20T10:00:00+04:00", "EMAIL", "CMP2", "contact"],
        ["T9", "C5", "", "2025-09-25T10:00:00+04:00", "EMAIL", "CMP1", "contact"],
    ], columns=TOUCH_COLUMNS))
    b.orders("2025-09-30", [
        {"order_id": "O1", "customer_id_nat": "C1", "order_ts": "2025-09-01T14:00:00+04:00", "net_amount": "150.00"},
        {"order_id": "O2", "customer_id_nat": "C1", "order_ts": "2025-09-20T12:00:00+04:00", "net_amount": "100.00"},
        {"order_id": "O3", "customer_id_nat": "C2", "order_ts": "2025-09-10T12:00:00+04:00", "net_amount": "80.00"},
        {"order_id": "O4", "customer_id_nat": "C4", "order_ts": "2025-09-22T12:00:00+04:00", "net_amount": "200.00"},
        {"order_id": "O5", "customer_id_nat": "C4", "order_ts": "2025-08-20T12:00:00+04:00", "net_amount": "50.00"},
        {"order_id": "O6", "customer_id_nat": "C3", "order_ts": "2025-09-11T12:00:00+04:00", "net_amount": "90.00",
         "final_status": "CANCELLED"},
        {"order_id": "O7", "customer_id_nat": "C5", "order_ts": "2025-09-26T12:00:00+04:00", "net_amount": "60.00"},
    ])
    b.write()


def _build(engine, root, window: int | None = None) -> None:
    pipeline.ingest_drops(engine, root, AS_OF, "test")
    pipeline.stage_changes(engine)
    pipeline.build_core(engine, "test")
    acquisition.build_acquisition(engine, AS_OF, window)


def _rows(engine, sql: str) -> dict:
    return {row[0]: row[1:] for row in query(engine, sql)}


def test_acquisition_cost_revenue_windows_and_payback(engine, tmp_path):
    _landing(tmp_path)
    _build(engine, tmp_path)
    got = _rows(engine, """
        select customer_id_nat, acquisition_date::text, acquisition_channel, acquisition_campaign_id, lead_id,
               lead_created_date::text, first_contact_date::text, conversion_date::text, days_to_convert,
               touchpoints_count, first_order_date::text, first_order_value_aed, first_order_items,
               days_to_first_order, acquisition_cost_aed, revenue_30_days_aed, revenue_90_days_aed,
               revenue_365_days_aed, orders_365_days, cac_payback_days
        from core.fact_customer_acquisition order by 1""")
    d = Decimal
    assert got == {
        # 400.00 / 2 = 200.00; orders on days 0 (150), 19 (100) and, through the merged C5, 25 (60): 310 within
        # 30 days; 150 < 200 on day 0, 250 >= 200 on day 19.
        "C1": ("2025-09-01", "PAID_SEARCH", "CMP1", "L1", "2025-09-01", None, "2025-09-01", 0, 2, "2025-09-01",
               d("150.00"), d("1.000"), 0, d("200.00"), d("310.00"), d("310.00"), d("310.00"), 3, 19),
        # lead 09-03, contact 09-04, conversion 09-05: 2 days, 3 touches; 80 never pays back 200.
        "C2": ("2025-09-05", "PAID_SEARCH", "CMP1", "L2", "2025-09-03", "2025-09-04", "2025-09-05", 2, 3,
               "2025-09-10", d("80.00"), d("1.000"), 5, d("200.00"), d("80.00"), d("80.00"), d("80.00"), 1, None),
        # no SOCIAL spend: no cost; the cancelled order does not count.
        "C3": ("2025-09-10", "SOCIAL", None, "L3", "2025-09-10", None, "2025-09-10", 0, 1, None, None, None, None,
               None, d("0.00"), d("0.00"), d("0.00"), 0, None),
        # no conversion: acquired at sign-up 08-15; orders on days 5 (50) and 38 (200); the later email is no
        # acquisition touch.
        "C4": ("2025-08-15", "ORGANIC", None, None, None, None, None, None, 0, "2025-08-20", d("50.00"),
               d("1.000"), 5, None, d("50.00"), d("250.00"), d("250.00"), 2, None),
    }


def test_campaign_ratios_and_last_touch_attribution(engine, tmp_path):
    _landing(tmp_path)
    _build(engine, tmp_path)
    got = _rows(engine, """
        select performance_date::text || ' ' || campaign_id, audience_size, impressions, clicks, click_through_rate,
               leads_generated, conversions, conversion_rate, orders_attributed, revenue_attributed_aed, spend_aed,
               cost_per_impression_aed, cost_per_click_aed, cost_per_lead_aed, cost_per_acquisition_aed,
               roi_percentage, roas
        from core.fact_campaign_performance order by 1""")
    d = Decimal
    zero = (0, 0, 0, None, 0, 0, None, 0, d("0.00"), d("0.00"), None, None, None, None, None, None)
    lead_free = (0, d("0.00"), d("0.00"), None, None, d("0.0000"), None, None, None)  # a lead on a day of no spend
    conversion_free = (0, d("0.00"), d("0.00"), None, None, None, d("0.0000"), None, None)
    assert got == {
        # spent, but no impressions, clicks, leads or conversions: those ratios are NULL; nothing came back: -100 %
        "2025-08-31 CMP1": (0, 0, 0, None, 0, 0, None, 0, d("0.00"), d("50.00"), None, None, None, None,
                            d("-100.00"), d("0.0000")),
        # 250 / 10,000 = 0.025 CTR; 300 / 10,000 = 0.03 per impression; 300 / 250 = 1.20 per click; one lead and
        # one conversion (the same person): 300 each; O1 at 14:00 follows T2 at 10:00: 150 back on 300 spent,
        # ROI (150 - 300) / 300 = -50 %, ROAS 0.5.
        "2025-09-01 CMP1": (1, 10000, 250, d("0.025000"), 1, 1, d("1.000000"), 1, d("150.00"), d("300.00"),
                            d("0.030000"), d("1.2000"), d("300.0000"), d("300.0000"), d("-50.00"), d("0.5000")),
        "2025-09-03 CMP1": (1, *zero[1:4], 1, 0, d("0.000000"), *lead_free),
        "2025-09-04 CMP1": (1, *zero[1:6], d("0.000000"), *zero[7:]),
        "2025-09-05 CMP1": (1, *zero[1:4], 0, 1, d("1.000000"), *conversion_free),
        # O3 five days after T5: attributed, but nothing was spent that day, so ROI and ROAS are NULL
        "2025-09-10 CMP1": (0, *zero[1:7], 1, d("80.00"), *zero[9:]),
        "2025-09-12 CMP1": (1, *zero[1:4], 1, 0, d("0.000000"), *lead_free),
        "2025-09-20 CMP2": (1, *zero[1:6], d("0.000000"), *zero[7:]),
        "2025-09-22 CMP2": (0, *zero[1:7], 1, d("200.00"), *zero[9:]),
        # the merged C5's touch and order roll up to C1 (O2, 19 days after T2, stays unattributed)
        "2025-09-25 CMP1": (1, *zero[1:6], d("0.000000"), *zero[7:]),
        "2025-09-26 CMP1": (0, *zero[1:7], 1, d("60.00"), *zero[9:]),
    }


def test_attribution_window_comes_from_the_environment_and_bad_values_are_refused(engine, tmp_path, monkeypatch):
    _landing(tmp_path)
    monkeypatch.setenv("ANALYTICS_ATTRIBUTION_WINDOW_DAYS", "3")
    _build(engine, tmp_path)
    attributed = query(engine, "select performance_date::text, campaign_id from core.fact_campaign_performance "
                               "where orders_attributed > 0 order by 1")
    assert attributed == [("2025-09-01", "CMP1"), ("2025-09-22", "CMP2"), ("2025-09-26", "CMP1")]  # O3 is 5 days late
    for bad in ("0", "91", "seven", "-1"):
        monkeypatch.setenv("ANALYTICS_ATTRIBUTION_WINDOW_DAYS", bad)
        with pytest.raises(ValueError, match="ANALYTICS_ATTRIBUTION_WINDOW_DAYS must be a whole number"):
            acquisition.attribution_window_days()


def test_mart_views_aggregate_channels_and_the_funnel(engine, tmp_path):
    _landing(tmp_path)
    _build(engine, tmp_path)
    channel = query(engine, """
        select customers_acquired, total_cac_aed, avg_cac_aed, avg_days_to_convert, avg_first_order_value_aed,
               revenue_365_days_aed, acquisition_roi_pct, avg_cac_payback_days
        from mart.vw_acquisition_channel_performance
        where acquisition_channel = 'PAID_SEARCH' and acquisition_month = '2025-09-01'""")
    # (310 + 80 - 400) / 400 = -2.5 %; payback known for C1 only
    assert channel == [(2, Decimal("400.00"), Decimal("200.00"), Decimal("1.0"), Decimal("115.00"),
                        Decimal("390.00"), Decimal("-2.50"), Decimal("19.0"))]
    funnel = query(engine, """
        select week_start::text, acquisition_channel, leads, contacted, converted, ordered, contact_rate,
               conversion_rate, order_rate
        from mart.vw_acquisition_funnel order by 1, 2""")
    assert funnel == [
        ("2025-09-01", "PAID_SEARCH", 2, 2, 2, 2, Decimal("1.0000"), Decimal("1.0000"), Decimal("1.0000")),
        ("2025-09-08", "PAID_SEARCH", 1, 0, 0, 0, Decimal("0.0000"), None, None),
        ("2025-09-08", "SOCIAL", 1, 1, 1, 0, Decimal("1.0000"), Decimal("1.0000"), Decimal("0.0000")),
    ]
