"""The monthly activity fact, customer-month by customer-month, against an independent pandas computation
straight from the landing files (tests/support/oracle.py), plus the golden examples of the process
document."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import pipeline
from analytics.generate import generate_landing
from tests.conftest import query
from tests.support.landing import OCTOBER_2025, build_c00582, build_october_2025
from tests.support.oracle import (
    ACTIVITY_COLUMNS,
    compare_frames,
    expected_monthly_activity,
    expected_region_summary,
)

pytestmark = pytest.mark.db

FACT_SQL = "select {cols} from core.fact_customer_monthly_activity order by customer_id_nat, month_key"
MART_SQL = ("select month_key, region, active_customers, new_customers, repeat_customers, total_net_amount_aed "
            "from mart.mart_customer_activity_monthly order by month_key, region")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    generate_landing(root, customers=1500, months=6, seed=5, end_date=date(2025, 11, 30))
    return root


def _fact(engine) -> pd.DataFrame:
    rows = query(engine, FACT_SQL.format(cols=", ".join(ACTIVITY_COLUMNS)))
    return pd.DataFrame(rows, columns=list(ACTIVITY_COLUMNS))


def _mart(engine) -> pd.DataFrame:
    return pd.DataFrame(query(engine, MART_SQL), columns=["month_key", "region", "active_customers", "new_customers",
                                                          "repeat_customers", "total_net_amount_aed"])


def _dense_expected_regions(landing, as_of) -> pd.DataFrame:
    expected = expected_region_summary(landing, as_of)
    return expected[expected["active_customers"] > 0].sort_values(["month_key", "region"]).reset_index(drop=True)


@pytest.mark.parametrize("as_of", [date(2025, 10, 17), date(2025, 11, 30)])
def test_every_customer_month_matches_the_oracle(engine, generated, as_of):
    pipeline.run_daily(engine, generated, as_of, f"oracle-{as_of}")
    expected = expected_monthly_activity(generated, as_of)
    assert len(expected) > 1000
    assert compare_frames(expected, _fact(engine), key=["customer_id_nat", "month_key"]) == []
    assert compare_frames(_dense_expected_regions(generated, as_of), _mart(engine), key=["month_key", "region"]) == []


def test_daily_runs_day_by_day_end_where_one_run_ends(engine, generated):
    """Incremental loading (one drop per run) reaches the same fact as loading everything at once."""
    for day in pd.date_range("2025-06-01", "2025-07-15", freq="D").date:
        pipeline.run_daily(engine, generated, day, f"daily-{day}")
    expected = expected_monthly_activity(generated, date(2025, 7, 15))
    assert compare_frames(expected, _fact(engine), key=["customer_id_nat", "month_key"]) == []


def test_golden_customer_c00582(engine, tmp_path):
    as_of = build_c00582(tmp_path)
    pipeline.run_daily(engine, tmp_path, as_of, "golden-c00582")
    row = query(engine, """
        select first_order_month, orders_count_month, total_net_amount_aed_month, is_active_flag, is_repeat_flag,
               is_new_flag
          from core.fact_customer_monthly_activity where customer_id_nat = 'C00582' and month_key = '2025-10-01'""")
    assert [(r[0], r[1], str(r[2]), r[3], r[4], r[5]) for r in row] == [("2025-07", 3, "540.00", 1, 1, 0)]


def test_golden_october_2025_active_repeat_new(engine, tmp_path):
    as_of = build_october_2025(tmp_path)
    pipeline.run_daily(engine, tmp_path, as_of, "golden-october")
    row = query(engine, """
        select active_customers, repeat_customers, new_customers, repeat_rate, total_net_amount_aed
          from mart.mart_customer_activity_monthly where month_key = '2025-10-01' and region = 'ALL'""")
    active, repeat, new, rate, aed = row[0]
    assert (active, repeat, new) == (OCTOBER_2025["active"], OCTOBER_2025["repeat"], OCTOBER_2025["new"])
    assert (active, repeat, new) == (12_430, 7_900, 4_530)
    assert f"{rate * 100:.1f}" == "63.6"
    assert 5_700_000 < aed < 5_900_000
