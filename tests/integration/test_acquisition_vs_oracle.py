"""The acquisition step on generated data against an independent pandas computation from the landing files;
so is the campaign view of the mart; a rerun gives identical rows; the lifetime-value snapshot carries each
customer's CAC and CLV/CAC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analytics import acquisition, pipeline, scoring, snapshots
from analytics.generate import generate_landing
from tests.conftest import database_copy, loaded_through_core, query
from tests.support.acquisition_oracle import (
    CAMPAIGN_RATIOS,
    expected_acquisition,
    expected_campaign_months,
    expected_campaign_performance,
)
from tests.support.oracle import compare_frames

pytestmark = pytest.mark.db

AS_OF = dt.date(2025, 11, 29)
ACQUISITION_COLUMNS = [
    "customer_id_nat", "acquisition_date", "acquisition_month", "acquisition_channel", "first_touch_channel",
    "conversion_date", "touchpoints_count", "first_order_date", "first_order_value_aed", "first_order_items",
    "days_to_first_order", "acquisition_cost_aed", "revenue_30_days_aed", "revenue_90_days_aed",
    "revenue_365_days_aed", "orders_365_days", "cac_payback_days",
]
PERFORMANCE_COLUMNS = ["performance_date", "campaign_id", "audience_size", "leads_generated", "conversions",
                       "impressions", "clicks", "spend_aed", "orders_attributed", "revenue_attributed_aed"]
CAMPAIGN_MONTH_COLUMNS = ["campaign_id", "performance_month", "campaign_name", "campaign_type", "campaign_channel",
                          "impressions", "clicks", "leads_generated", "conversions", "orders_attributed",
                          "revenue_attributed_aed", "spend_aed"]
# Decimal places of the view's ratio columns.
RATIO_DIGITS = {"click_through_rate": 6, "cost_per_click_aed": 4, "cost_per_lead_aed": 4,
                "cost_per_acquisition_aed": 4, "roas": 4, "roi_percentage": 2}


@pytest.fixture(scope="module")
def generated(server_url: str, template_database: str, tmp_path_factory) -> Iterator[tuple]:
    """1,500 generated customers over 6 months, loaded through core (built once for the module)."""
    landing = tmp_path_factory.mktemp("acquisition-landing")
    generate_landing(landing, customers=1500, months=6, seed=23, end_date=dt.date(2025, 11, 30))
    with loaded_through_core(server_url, template_database, landing, AS_OF) as name:
        yield landing, name


@pytest.fixture
def warehouse(server_url: str, generated) -> Iterator[sa.Engine]:
    with database_copy(server_url, generated[1]) as engine:
        yield engine


def test_customer_acquisition_matches_the_oracle(warehouse, generated):
    acquisition.build_acquisition(warehouse, AS_OF)
    actual = snapshots.read_frame(warehouse, "select * from core.fact_customer_acquisition")
    expected = expected_acquisition(generated[0], AS_OF)
    assert len(expected) > 1000 and expected["acquisition_cost_aed"].notna().sum() > 300
    assert expected["cac_payback_days"].notna().sum() > 50 and expected["conversion_date"].notna().sum() > 300
    problems = compare_frames(expected[ACQUISITION_COLUMNS], actual, ["customer_id_nat"])
    assert problems == [], "\n".join(problems)


def test_campaign_performance_matches_the_oracle_and_its_ratios_follow(warehouse, generated):
    acquisition.build_acquisition(warehouse, AS_OF, window_days=7)
    actual = snapshots.read_frame(warehouse, "select * from core.fact_campaign_performance")
    expected = expected_campaign_performance(generated[0], AS_OF, window_days=7)
    assert expected["orders_attributed"].sum() > 100 and (expected["spend_aed"] > 0).sum() > 500
    problems = compare_frames(expected[PERFORMANCE_COLUMNS], actual, ["performance_date", "campaign_id"])
    assert problems == [], "\n".join(problems)
    spend, revenue = actual["spend_aed"].to_numpy(), actual["revenue_attributed_aed"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for column, value, digits in (
            ("click_through_rate", actual["clicks"] / actual["impressions"], 6),
            ("cost_per_click_aed", spend / actual["clicks"], 4),
            ("cost_per_lead_aed", spend / actual["leads_generated"], 4),
            ("roi_percentage", (revenue - spend) * 100 / spend, 2),
            ("roas", revenue / spend, 4),
        ):
            expected_ratio = np.where(np.isfinite(value), np.round(np.asarray(value, dtype=float), digits), np.nan)
            np.testing.assert_allclose(actual[column].to_numpy(dtype=float), expected_ratio,
                                       atol=1.01 * 10**-digits, err_msg=column)


def test_campaign_view_sums_each_campaign_month_and_divides_the_sums(warehouse, generated):
    acquisition.build_acquisition(warehouse, AS_OF, window_days=7)
    actual = snapshots.read_frame(warehouse, "select * from mart.vw_campaign_performance")
    actual["performance_month"] = pd.to_datetime(actual["performance_month"])
    expected = expected_campaign_months(generated[0], AS_OF, window_days=7)
    assert len(expected) > 20 and (expected["orders_attributed"] > 0).sum() > 10
    assert (expected["conversions"] == 0).any() and expected["campaign_name"].notna().all()
    key = ["campaign_id", "performance_month"]
    problems = compare_frames(expected[CAMPAIGN_MONTH_COLUMNS], actual, key)
    assert problems == [], "\n".join(problems)
    both = expected.merge(actual, on=key, suffixes=("", "_view"))
    assert set(RATIO_DIGITS) == {*CAMPAIGN_RATIOS, "roi_percentage"}
    for column, digits in RATIO_DIGITS.items():
        np.testing.assert_allclose(both[f"{column}_view"].to_numpy(dtype=float),
                                   both[column].round(digits).to_numpy(dtype=float),
                                   atol=1.01 * 10**-digits, err_msg=column)


def test_rerun_gives_identical_rows_and_the_ltv_snapshot_gets_cac(warehouse):
    tables = ("core.fact_lead", "core.fact_customer_acquisition", "core.fact_campaign_performance",
              "core.dim_campaign")
    pipeline.build_acquisition(warehouse, AS_OF)
    first = {t: query(warehouse, f"select * from {t} order by 1, 2") for t in tables}
    pipeline.build_acquisition(warehouse, AS_OF)
    assert {t: query(warehouse, f"select * from {t} order by 1, 2") for t in tables} == first

    pipeline.build_features(warehouse, AS_OF)
    scoring.score_clv(warehouse, AS_OF, "test")
    rows = query(warehouse, f"""
        select l.acquisition_cost_aed, a.acquisition_cost_aed, l.clv_to_cac_ratio, l.predicted_clv_lifetime_aed
        from core.fact_customer_ltv_s{AS_OF:%Y%m%d} as l
        left join core.fact_customer_acquisition as a using (customer_id_nat)""")
    assert sum(r[0] is not None for r in rows) > 100
    for cost, fact_cost, ratio, clv in rows:
        assert cost == fact_cost
        if cost and clv is not None:
            assert abs(float(ratio) - float(clv) / float(cost)) < 1e-4
        else:
            assert ratio is None
