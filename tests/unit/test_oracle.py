"""Tests of the independent activity oracle (tests/support/oracle.py) and the landing builders.

Each rule of DESIGN §4 / the oracle's brief is checked on its own tiny hand-made folder; the two golden
builders are checked against the REFERENCE §A acceptance figures.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # `pytest` run without `python -m`: make `tests.support` importable
    sys.path.insert(0, str(_ROOT))

from tests.support.landing import (  # noqa: E402
    OCTOBER_2025,
    LandingBuilder,
    build_c00582,
    build_october_2025,
)
from tests.support.oracle import (  # noqa: E402
    ACTIVITY_COLUMNS,
    REGION_COLUMNS,
    compare_frames,
    expected_monthly_activity,
    expected_region_summary,
    read_landing,
)

D = dt.date
OCT = D(2025, 10, 1)
AS_OF = D(2025, 10, 31)


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------


def builder(tmp_path: Path, *, sar_rate: str = "0.97930000") -> LandingBuilder:
    """Standard stores and daily SAR rates from 2025-06-01 to 2025-11-30 in the first drop."""
    b = LandingBuilder(tmp_path / "landing")
    b.stores("2025-06-01")
    b.fx_daily("2025-06-01", "2025-06-01", "2025-11-30", sar=sar_rate)
    return b


def activity(b: LandingBuilder, as_of: dt.date = AS_OF) -> pd.DataFrame:
    return expected_monthly_activity(b.write(), as_of)


def row(df: pd.DataFrame, customer: str, month: dt.date = OCT) -> dict:
    hit = df[(df["customer_id_nat"] == customer) & (df["month_key"] == month)]
    assert len(hit) == 1, f"expected one row for {customer} {month}, got {len(hit)}"
    return hit.iloc[0].to_dict()


def customers(df: pd.DataFrame) -> set[str]:
    return set(df["customer_id_nat"])


def sale(customer: str, ts: str, net: str = "100.00", **kw) -> dict:
    return {"customer_id_nat": customer, "order_ts": ts, "net_amount": net, **kw}


# ---------------------------------------------------------------------------------------------------
# golden builders
# ---------------------------------------------------------------------------------------------------


def test_c00582_golden(tmp_path):
    as_of = build_c00582(tmp_path / "landing")
    df = expected_monthly_activity(tmp_path / "landing", as_of)
    october = row(df, "C00582")
    assert october["first_order_month"] == "2025-07"
    assert october["last_order_month"] == "2025-10"
    assert october["orders_count_month"] == 3
    assert october["total_net_amount_aed_month"] == Decimal("540.00")
    assert october["total_net_amount_native_month"] == Decimal("540.00")
    assert october["native_currency_code"] == "AED"
    assert (october["is_active_flag"], october["is_new_flag"], october["is_repeat_flag"]) == (1, 0, 1)
    assert october["loyalty_tier"] == "GOLD"
    c582 = df[df["customer_id_nat"] == "C00582"]
    assert list(c582["month_key"]) == [D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1), OCT]
    assert list(c582["is_active_flag"]) == [1, 0, 0, 1]
    assert list(c582["loyalty_tier"]) == ["SILVER", "SILVER", "SILVER", "GOLD"]
    assert customers(df) == {"C00582", "C00777"}  # the guest never appears


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    root = tmp_path_factory.mktemp("october") / "landing"
    as_of = build_october_2025(root)
    return root, as_of, expected_monthly_activity(root, as_of)


def test_october_2025_golden_figures(october):
    _, as_of, df = october
    assert as_of == AS_OF
    oct_rows = df[df["month_key"] == OCT]
    assert int(oct_rows["is_active_flag"].sum()) == OCTOBER_2025["active"] == 12_430
    assert int(oct_rows["is_repeat_flag"].sum()) == OCTOBER_2025["repeat"] == 7_900
    assert int(oct_rows["is_new_flag"].sum()) == OCTOBER_2025["new"] == 4_530
    assert round(7_900 / 12_430 * 100, 1) == 63.6
    aed = sum(oct_rows["total_net_amount_aed_month"])
    assert Decimal("5750000") < aed < Decimal("5850000"), aed  # "about 5.8 M AED"
    # Repeat customers' earlier qualified orders are in months before October.
    repeat = oct_rows[oct_rows["is_repeat_flag"] == 1]
    assert (repeat["first_order_month"] < "2025-10").all()
    assert (oct_rows.loc[oct_rows["is_new_flag"] == 1, "first_order_month"] == "2025-10").all()
    # Only repeat, new and churned customers have rows: guests, TEST-flagged customers, noise-only
    # customers and merged-away ids never do.
    assert df["customer_id_nat"].nunique() == 7_900 + 4_530 + 3_000
    assert df["customer_id_nat"].str.fullmatch(r"C\d{5}").all()
    assert int((oct_rows["native_currency_code"] == "MIXED").sum()) == 250
    inactive = oct_rows[oct_rows["is_active_flag"] == 0]
    assert len(inactive) == 3_000 and (inactive["orders_count_month"] == 0).all()


def test_october_2025_region_summary(october):
    root, as_of, df = october
    summary = expected_region_summary(root, as_of)
    assert list(summary.columns) == REGION_COLUMNS
    oct_sum = summary[summary["month_key"] == OCT].set_index("region")
    assert list(oct_sum.index) == ["UAE", "KSA", "ALL"]
    assert oct_sum.loc["ALL", ["active_customers", "repeat_customers", "new_customers"]].tolist() == [
        12_430,
        7_900,
        4_530,
    ]
    # 250 customers bought in both regions: counted once in each region, once in ALL.
    assert oct_sum.loc["UAE", "active_customers"] + oct_sum.loc["KSA", "active_customers"] == 12_430 + 250
    assert (
        oct_sum.loc["UAE", "total_net_amount_aed"] + oct_sum.loc["KSA", "total_net_amount_aed"]
        == (oct_sum.loc["ALL", "total_net_amount_aed"])
    )
    assert oct_sum.loc["ALL", "total_net_amount_aed"] == sum(
        df.loc[df["month_key"] == OCT, "total_net_amount_aed_month"]
    )
    assert sorted(set(summary["month_key"])) == sorted(set(df["month_key"]))


# ---------------------------------------------------------------------------------------------------
# output shape
# ---------------------------------------------------------------------------------------------------


def test_columns_types_and_order(tmp_path):
    b = builder(tmp_path)
    b.customers("2025-06-01", [{"customer_id_nat": "B"}, {"customer_id_nat": "A"}])
    b.orders("2025-09-02", [sale("B", "2025-09-01T12:00:00+04:00"), sale("A", "2025-08-01T12:00:00+04:00")])
    df = activity(b)
    assert list(df.columns) == ACTIVITY_COLUMNS
    assert list(zip(df["customer_id_nat"], df["month_key"], strict=True)) == [
        ("A", D(2025, 8, 1)),
        ("A", D(2025, 9, 1)),
        ("A", OCT),
        ("B", D(2025, 9, 1)),
        ("B", OCT),
    ]
    for col in ("total_net_amount_native_month", "total_net_amount_aed_month"):
        assert df[col].dtype == object
        assert all(isinstance(v, Decimal) and v.as_tuple().exponent == -2 for v in df[col])
    assert all(type(v) is dt.date for v in df["month_key"])
    assert df["native_currency_code"].dtype == object
    assert row(df, "A")["native_currency_code"] is None


def test_empty_landing(tmp_path):
    b = builder(tmp_path)
    df = activity(b)
    assert df.empty and list(df.columns) == ACTIVITY_COLUMNS
    assert expected_region_summary(b.root, AS_OF).empty


# ---------------------------------------------------------------------------------------------------
# rule 1: drops <= as_of
# ---------------------------------------------------------------------------------------------------


def test_rule1_drops_after_as_of_are_ignored(tmp_path):
    b = builder(tmp_path)
    b.orders("2025-10-20", [sale("A", "2025-10-19T12:00:00+04:00")])
    b.orders("2025-11-01", [sale("A", "2025-10-30T12:00:00+04:00"), sale("B", "2025-10-30T12:00:00+04:00")])
    # An update of A's October order arriving after as_of does not cancel it either.
    b.orders(
        "2025-11-02", [{"order_id": "X", **sale("A", "2025-10-19T13:00:00+04:00", final_status="CANCELLED")}]
    )
    df = activity(b, D(2025, 10, 31))
    assert customers(df) == {"A"}
    assert row(df, "A")["orders_count_month"] == 1
    assert customers(activity(b, D(2025, 11, 1))) == {"A", "B"}


def test_rule1_and_5_local_date_after_as_of_and_rows_end_at_as_of_month(tmp_path):
    b = builder(tmp_path)
    b.orders(
        "2025-10-14",
        [  # a (contrived) drop holding orders dated after it
            sale("A", "2025-10-14T12:00:00+04:00"),
            sale("A", "2025-10-16T12:00:00+04:00"),  # after as_of (local date 10-16)
            sale("B", "2025-10-16T12:00:00+04:00"),
        ],
    )
    df = activity(b, D(2025, 10, 15))
    assert customers(df) == {"A"}
    assert row(df, "A")["orders_count_month"] == 1
    assert max(df["month_key"]) == OCT


# ---------------------------------------------------------------------------------------------------
# rule 2: deduplication
# ---------------------------------------------------------------------------------------------------


def test_rule2_order_latest_updated_at_wins_not_latest_drop(tmp_path):
    b = builder(tmp_path)
    ts = "2025-10-05T10:00:00+04:00"
    b.orders("2025-10-06", [{"order_id": "O1", **sale("A", ts, final_status="PENDING")}])
    b.orders("2025-10-07", [{"order_id": "O1", **sale("A", ts, updated_at="2025-10-06T09:00:00+04:00")}])
    # A late re-send of the old PENDING version must not win.
    b.orders("2025-10-09", [{"order_id": "O1", **sale("A", ts, final_status="PENDING")}])
    assert row(activity(b), "A")["orders_count_month"] == 1


def test_rule2_updated_at_compared_as_instants(tmp_path):
    b = builder(tmp_path)
    ts = "2025-10-05T10:00:00+04:00"
    b.orders(
        "2025-10-06",
        [
            # 07:30Z = 11:30 Dubai: later than 11:00+04:00 although the text sorts first.
            {"order_id": "O1", **sale("A", ts, updated_at="2025-10-05T07:30:00Z")},
            {
                "order_id": "O1",
                **sale("A", ts, final_status="CANCELLED", updated_at="2025-10-05T11:00:00+04:00"),
            },
        ],
    )
    assert row(activity(b), "A")["is_active_flag"] == 1


def test_rule2_ties_latest_ingestion_then_last_row(tmp_path):
    b = builder(tmp_path)
    ts = "2025-10-05T10:00:00+04:00"
    b.orders("2025-10-06", [{"order_id": "O1", **sale("A", ts)}])
    b.orders("2025-10-07", [{"order_id": "O1", **sale("A", ts, final_status="CANCELLED")}])  # same updated_at
    b.orders(
        "2025-10-06",
        [
            {"order_id": "O2", **sale("B", ts, final_status="CANCELLED")},
            {"order_id": "O2", **sale("B", ts)},  # same drop, same updated_at: the last row wins
        ],
    )
    df = activity(b)
    assert customers(df) == {"B"}


def test_rule2_customer_latest_row_decides_flag(tmp_path):
    b = builder(tmp_path)
    b.customers("2025-09-01", [{"customer_id_nat": "A", "customer_flag": "TEST"}, {"customer_id_nat": "B"}])
    b.customers(
        "2025-09-10",
        [
            {"customer_id_nat": "A"},  # flag lifted by a later version
            {"customer_id_nat": "B", "customer_flag": "FRAUD"},
        ],
    )
    b.orders("2025-10-06", [sale("A", "2025-10-05T10:00:00+04:00"), sale("B", "2025-10-05T10:00:00+04:00")])
    assert customers(activity(b)) == {"A"}


def test_rule2_store_latest_ingestion_wins(tmp_path):
    b = builder(tmp_path)
    # 20:30Z on 30 Sep = 23:30 Riyadh (September) = 00:30 Dubai (October).
    b.stores(
        "2025-09-01", [{"store_id": "X-01", "country_code": "SA", "region": "KSA", "timezone": "Asia/Riyadh"}]
    )
    b.orders("2025-10-02", [sale("A", "2025-09-30T20:30:00Z", store_id="X-01", currency_code="AED")])
    first = activity(b)
    assert row(first, "A", D(2025, 9, 1))["is_active_flag"] == 1
    b.stores(
        "2025-10-05", [{"store_id": "X-01", "country_code": "AE", "region": "UAE", "timezone": "Asia/Dubai"}]
    )
    second = activity(b)
    assert set(second["month_key"]) == {OCT} and row(second, "A")["is_active_flag"] == 1
    summary = expected_region_summary(b.root, AS_OF).set_index("region")
    assert summary.loc["UAE", "active_customers"] == 1 and summary.loc["KSA", "active_customers"] == 0


def test_rule2_fx_latest_ingestion_wins_and_aed_defaults_to_one(tmp_path):
    b = builder(tmp_path)
    b.fx("2025-10-03", [{"rate_date": "2025-10-02", "currency_code": "SAR", "rate_to_aed": "0.50000000"}])
    b.fx("2025-10-04", [{"rate_date": "2025-10-02", "currency_code": "SAR", "rate_to_aed": "0.90000000"}])
    b.orders(
        "2025-10-03",
        [
            sale("S", "2025-10-02T12:00:00+03:00", "100.00", store_id="SA-RUH-01"),
            sale("E", "2025-10-02T12:00:00+04:00", "123.45", store_id="AE-DXB-01"),  # no AED rows at all
        ],
    )
    df = activity(b)
    assert row(df, "S")["total_net_amount_aed_month"] == Decimal("90.00")
    assert row(df, "S")["total_net_amount_native_month"] == Decimal("100.00")
    assert row(df, "E")["total_net_amount_aed_month"] == Decimal("123.45")


def test_rule2_explicit_aed_rate_row_is_used(tmp_path):
    b = builder(tmp_path)
    b.fx("2025-10-03", [{"rate_date": "2025-10-02", "currency_code": "AED", "rate_to_aed": "1.00000000"}])
    b.orders("2025-10-03", [sale("E", "2025-10-02T12:00:00+04:00", "10.00")])
    assert row(activity(b), "E")["total_net_amount_aed_month"] == Decimal("10.00")


# ---------------------------------------------------------------------------------------------------
# rule 3: merges
# ---------------------------------------------------------------------------------------------------


def test_rule3_merges_resolve_transitively(tmp_path):
    b = builder(tmp_path)
    b.customers("2025-07-01", [{"customer_id_nat": c} for c in ("A", "B", "C")])
    b.orders("2025-08-02", [sale("A", "2025-08-01T12:00:00+04:00")])
    b.orders("2025-10-02", [sale("C", "2025-10-01T12:00:00+04:00")])
    b.customers(
        "2025-09-01",
        [{"customer_id_nat": "A", "merged_into": "B"}, {"customer_id_nat": "B", "merged_into": "C"}],
    )
    df = activity(b)
    assert customers(df) == {"C"}
    oct_row = row(df, "C")
    assert (oct_row["first_order_month"], oct_row["is_repeat_flag"], oct_row["is_new_flag"]) == (
        "2025-08",
        1,
        0,
    )


def test_rule3_merge_only_on_latest_row_counts(tmp_path):
    b = builder(tmp_path)
    b.customers("2025-07-01", [{"customer_id_nat": "A", "merged_into": "B"}])
    b.customers("2025-07-05", [{"customer_id_nat": "A"}])  # merge undone by a later version
    b.orders("2025-10-02", [sale("A", "2025-10-01T12:00:00+04:00")])
    assert customers(activity(b)) == {"A"}


def test_rule3_merge_into_id_absent_from_crm_and_cycles(tmp_path):
    b = builder(tmp_path)
    b.customers(
        "2025-07-01",
        [
            {"customer_id_nat": "A", "merged_into": "Z"},  # Z has no CRM row: still the survivor
            {"customer_id_nat": "P", "merged_into": "Q"},
            {"customer_id_nat": "Q", "merged_into": "P"},  # cycle: ignored
        ],
    )
    b.orders("2025-10-02", [sale(c, "2025-10-01T12:00:00+04:00") for c in ("A", "P", "Q")])
    df = activity(b)
    assert customers(df) == {"Z", "P", "Q"}
    assert row(df, "Z")["loyalty_tier"] is None and row(df, "Z")["is_vip_flag"] == 0


# ---------------------------------------------------------------------------------------------------
# rules 4 and 10: qualified orders
# ---------------------------------------------------------------------------------------------------


NON_QUALIFYING = {
    "RET": {"order_type": "RETURN", "net_amount": "-100.00"},
    "CAN": {"final_status": "CANCELLED"},
    "PEN": {"final_status": "PENDING"},
    "TST": {"order_flag": "TEST"},
    "INT": {"order_flag": "INTERNAL"},
    "FRA": {"order_flag": "fraud"},  # codes are upper-cased
    "NOSTORE": {"store_id": "NOWHERE-01"},  # unknown store: no local date, never counts
}
QUALIFYING = {
    "FUL": {"final_status": "FULFILLED"},
    "LOW": {"final_status": " completed ", "order_type": "sale"},
    "WEB": {"channel": "WEB", "store_id": "AE-WEB-01"},
    "MKT": {"channel": "MARKETPLACE"},
}


def test_rule4_qualified_and_non_qualified_orders(tmp_path):
    b = builder(tmp_path)
    ts = "2025-10-01T12:00:00+04:00"
    b.orders("2025-10-02", [{**sale(c, ts), **kw} for c, kw in {**NON_QUALIFYING, **QUALIFYING}.items()])
    b.orders("2025-10-02", [sale("", ts), sale("   ", ts)])  # guests
    assert customers(activity(b)) == set(QUALIFYING)


def test_rule4_flagged_own_or_surviving_customer(tmp_path):
    b = builder(tmp_path)
    b.customers(
        "2025-07-01",
        [
            {"customer_id_nat": "OWNFLAG", "merged_into": "S1", "customer_flag": "TEST"},
            {"customer_id_nat": "S1"},
            {"customer_id_nat": "M2", "merged_into": "S2"},
            {"customer_id_nat": "S2", "customer_flag": "INTERNAL"},
            {"customer_id_nat": "NOFLAG"},
        ],
    )
    ts = "2025-10-01T12:00:00+04:00"
    b.orders(
        "2025-10-02",
        [
            sale("OWNFLAG", ts),
            sale("S1", ts),
            sale("M2", ts),
            sale("S2", ts),
            sale("NOFLAG", ts),
            sale("NOT-IN-CRM", ts),
        ],
    )
    df = activity(b)
    assert customers(df) == {"S1", "NOFLAG", "NOT-IN-CRM"}
    assert row(df, "S1")["orders_count_month"] == 1  # OWNFLAG's order does not count for S1


def test_rule10_return_never_counts_and_net_is_sales_only(tmp_path):
    b = builder(tmp_path)
    b.orders(
        "2025-10-10",
        [
            sale("A", "2025-10-05T12:00:00+04:00", "200.00"),
            sale("A", "2025-10-06T12:00:00+04:00", "-150.00", order_type="RETURN"),
            sale("R", "2025-10-06T12:00:00+04:00", "-150.00", order_type="RETURN"),
        ],
    )
    df = activity(b)
    assert customers(df) == {"A"}
    assert row(df, "A")["orders_count_month"] == 1
    assert row(df, "A")["total_net_amount_aed_month"] == Decimal("200.00")


# ---------------------------------------------------------------------------------------------------
# rule 5: store-local month
# ---------------------------------------------------------------------------------------------------


def test_rule5_month_is_store_local(tmp_path):
    b = builder(tmp_path)
    b.orders(
        "2025-10-02",
        [
            # 20:30Z on 30 Sep: 00:30 on 1 Oct in Dubai, 23:30 on 30 Sep in Riyadh.
            sale("DXB", "2025-09-30T20:30:00Z", store_id="AE-DXB-01"),
            sale("RUH", "2025-09-30T20:30:00Z", store_id="SA-RUH-01"),
            # Written with a foreign offset: 2025-10-01T01:00+05:00 = 00:00 Dubai on 1 Oct.
            sale("OFF", "2025-10-01T01:00:00+05:00", store_id="AE-DXB-01"),
        ],
    )
    df = activity(b)
    assert set(df.loc[df["customer_id_nat"] == "DXB", "month_key"]) == {OCT}
    assert row(df, "RUH", D(2025, 9, 1))["is_new_flag"] == 1
    assert row(df, "RUH")["is_active_flag"] == 0
    assert set(df.loc[df["customer_id_nat"] == "OFF", "month_key"]) == {OCT}


def test_rule5_fx_uses_local_date(tmp_path):
    b = builder(tmp_path)
    b.fx(
        "2025-10-02",
        [
            {"rate_date": "2025-09-30", "rate_to_aed": "0.50000000"},
            {"rate_date": "2025-10-01", "rate_to_aed": "0.80000000"},
        ],
    )
    # 21:30Z on 30 Sep = 00:30 on 1 Oct in Riyadh: the 1 Oct rate applies.
    b.orders("2025-10-02", [sale("A", "2025-09-30T21:30:00Z", "100.00", store_id="SA-RUH-01")])
    assert row(activity(b), "A")["total_net_amount_aed_month"] == Decimal("80.00")


# ---------------------------------------------------------------------------------------------------
# rule 6: exact AED
# ---------------------------------------------------------------------------------------------------


def test_rule6_half_away_from_zero_per_order_then_summed(tmp_path):
    b = builder(tmp_path)
    b.fx(
        "2025-10-02",
        [
            {"rate_date": "2025-10-01", "rate_to_aed": "0.25000000"},
            {"rate_date": "2025-10-02", "rate_to_aed": "0.01000000"},
        ],
    )
    b.orders(
        "2025-10-03",
        [
            sale(
                "F", "2025-10-01T12:00:00+03:00", "10.70", store_id="SA-RUH-01"
            ),  # 2.675 -> 2.68 (float: 2.67)
            sale("H", "2025-10-02T10:00:00+03:00", "0.50", store_id="SA-RUH-01"),  # 0.005 -> 0.01
            sale("H", "2025-10-02T11:00:00+03:00", "0.50", store_id="SA-RUH-01"),  # month: 0.02, not 0.01
            sale("N", "2025-10-02T11:00:00+03:00", "-0.50", store_id="SA-RUH-01"),  # -0.005 -> -0.01
        ],
    )
    df = activity(b)
    assert row(df, "F")["total_net_amount_aed_month"] == Decimal("2.68")
    assert row(df, "H")["total_net_amount_aed_month"] == Decimal("0.02")
    assert row(df, "H")["total_net_amount_native_month"] == Decimal("1.00")
    assert row(df, "N")["total_net_amount_aed_month"] == Decimal("-0.01")


def test_rule6_eight_digit_rate_exact(tmp_path):
    b = builder(tmp_path)
    b.fx("2025-10-02", [{"rate_date": "2025-10-01", "rate_to_aed": "0.97934567"}])
    b.orders("2025-10-02", [sale("A", "2025-10-01T12:00:00+03:00", "123456789.99", store_id="SA-RUH-01")])
    expected = (Decimal("123456789.99") * Decimal("0.97934567")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert row(activity(b), "A")["total_net_amount_aed_month"] == expected


def test_rule6_missing_sar_rate_leaves_aed_unknown(tmp_path):
    b = LandingBuilder(tmp_path / "landing")
    b.stores("2025-06-01")
    b.orders("2025-10-02", [sale("A", "2025-10-01T12:00:00+03:00", store_id="SA-RUH-01")])
    r = row(activity(b), "A")
    assert r["is_active_flag"] == 1 and r["total_net_amount_aed_month"] is None


# ---------------------------------------------------------------------------------------------------
# rules 7 and 8: rows and columns
# ---------------------------------------------------------------------------------------------------


def test_rule7_8_month_grid_flags_and_carry(tmp_path):
    b = builder(tmp_path)
    b.orders("2025-07-02", [sale("A", "2025-07-01T12:00:00+04:00", "10.00")])
    b.orders(
        "2025-09-02",
        [sale("A", "2025-09-01T12:00:00+04:00", "20.00"), sale("A", "2025-09-01T13:00:00+04:00", "30.00")],
    )
    df = activity(b)
    a = df[df["customer_id_nat"] == "A"]
    assert list(a["month_key"]) == [D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1), OCT]
    assert list(a["is_active_flag"]) == [1, 0, 1, 0]
    assert list(a["is_new_flag"]) == [1, 0, 0, 0]
    assert list(a["is_repeat_flag"]) == [0, 0, 1, 0]
    assert list(a["orders_count_month"]) == [1, 0, 2, 0]
    assert list(a["total_net_amount_aed_month"]) == [Decimal(x) for x in ("10.00", "0.00", "50.00", "0.00")]
    assert list(a["total_net_amount_native_month"]) == [
        Decimal(x) for x in ("10.00", "0.00", "50.00", "0.00")
    ]
    assert list(a["native_currency_code"]) == ["AED", None, "AED", None]
    assert list(a["first_order_month"]) == ["2025-07"] * 4
    assert list(a["last_order_month"]) == ["2025-07", "2025-07", "2025-09", "2025-09"]


def test_rule8_mixed_currency(tmp_path):
    b = builder(tmp_path, sar_rate="0.98000000")
    b.orders(
        "2025-10-03",
        [
            sale("M", "2025-10-01T12:00:00+04:00", "100.00", store_id="AE-DXB-01"),
            sale("M", "2025-10-02T12:00:00+03:00", "100.00", store_id="SA-RUH-01"),
            sale("S", "2025-10-02T12:00:00+03:00", "100.00", store_id="SA-RUH-01"),
            sale("S", "2025-10-02T13:00:00+03:00", "50.55", store_id="SA-WEB-01"),
        ],
    )
    df = activity(b)
    m, s = row(df, "M"), row(df, "S")
    assert (m["native_currency_code"], m["total_net_amount_native_month"]) == ("MIXED", None)
    assert m["total_net_amount_aed_month"] == Decimal("198.00")
    assert (s["native_currency_code"], s["total_net_amount_native_month"]) == ("SAR", Decimal("150.55"))
    assert s["total_net_amount_aed_month"] == Decimal("98.00") + Decimal("49.54")  # 49.539 -> 49.54


# ---------------------------------------------------------------------------------------------------
# rule 9: loyalty tier and VIP as of month end
# ---------------------------------------------------------------------------------------------------


def test_rule9_tier_as_of_month_end_riyadh_boundary(tmp_path):
    b = builder(tmp_path)
    b.customers(
        "2025-07-01",
        [{"customer_id_nat": "A", "loyalty_tier": "bronze", "updated_at": "2025-06-30T12:00:00+03:00"}],
    )
    # 20:59:59Z on 31 Aug = 23:59:59 Riyadh: still August.
    b.customers(
        "2025-09-01",
        [{"customer_id_nat": "A", "loyalty_tier": "SILVER", "updated_at": "2025-08-31T20:59:59Z"}],
    )
    # 21:00Z on 30 Sep = 00:00 Riyadh on 1 Oct: the boundary itself belongs to October.
    b.customers(
        "2025-10-01",
        [{"customer_id_nat": "A", "loyalty_tier": "GOLD", "is_vip": 1, "updated_at": "2025-09-30T21:00:00Z"}],
    )
    b.orders("2025-07-02", [sale("A", "2025-07-01T12:00:00+04:00")])
    df = activity(b)
    a = df[df["customer_id_nat"] == "A"]
    assert list(a["loyalty_tier"]) == ["BRONZE", "SILVER", "SILVER", "GOLD"]
    assert list(a["is_vip_flag"]) == [0, 0, 0, 1]


def test_rule9_as_of_boundary_and_history_not_just_latest(tmp_path):
    b = builder(tmp_path)
    b.customers(
        "2025-10-01",
        [{"customer_id_nat": "A", "loyalty_tier": "SILVER", "updated_at": "2025-09-20T12:00:00+03:00"}],
    )
    # Same drop, updated on as_of day (counts) and one stamped after as_of + 1 day (does not).
    b.customers(
        "2025-10-15",
        [
            {"customer_id_nat": "A", "loyalty_tier": "GOLD", "updated_at": "2025-10-15T23:00:00+03:00"},
            {"customer_id_nat": "B", "loyalty_tier": "GOLD", "updated_at": "2025-09-20T12:00:00+03:00"},
            {"customer_id_nat": "B", "loyalty_tier": "PLATINUM", "updated_at": "2025-10-16T00:00:00+03:00"},
        ],
    )
    b.orders("2025-10-02", [sale("A", "2025-10-01T12:00:00+04:00"), sale("B", "2025-10-01T12:00:00+04:00")])
    df = activity(b, D(2025, 10, 15))
    assert row(df, "A")["loyalty_tier"] == "GOLD"
    assert row(df, "B")["loyalty_tier"] == "GOLD"


def test_rule9_fallback_to_earliest_row_and_survivor_tier(tmp_path):
    b = builder(tmp_path)
    b.orders(
        "2025-07-02", [sale("LATE", "2025-07-01T12:00:00+04:00"), sale("OLD", "2025-07-01T12:00:00+04:00")]
    )
    b.customers(
        "2025-10-05",
        [
            {"customer_id_nat": "LATE", "loyalty_tier": "SILVER", "updated_at": "2025-10-04T12:00:00+03:00"},
            {"customer_id_nat": "LATE", "loyalty_tier": "GOLD", "updated_at": "2025-10-04T13:00:00+03:00"},
            {"customer_id_nat": "OLD", "loyalty_tier": "PLATINUM", "is_vip": 1, "merged_into": "NEW"},
            {"customer_id_nat": "NEW", "loyalty_tier": "BRONZE"},
        ],
    )
    df = activity(b)
    late = df[df["customer_id_nat"] == "LATE"]
    assert list(late["loyalty_tier"]) == ["SILVER", "SILVER", "SILVER", "GOLD"]
    new = df[df["customer_id_nat"] == "NEW"]
    assert set(new["loyalty_tier"]) == {"BRONZE"} and set(new["is_vip_flag"]) == {0}


def test_rule9_no_crm_row(tmp_path):
    b = builder(tmp_path)
    b.orders("2025-10-02", [sale("GHOST", "2025-10-01T12:00:00+04:00")])
    r = row(activity(b), "GHOST")
    assert (r["loyalty_tier"], r["is_vip_flag"], r["is_active_flag"]) == (None, 0, 1)


# ---------------------------------------------------------------------------------------------------
# the contract: malformed rows and files
# ---------------------------------------------------------------------------------------------------

ORDER_HEADER = (
    "order_id,customer_id_nat,store_id,channel,order_type,order_ts,final_status,order_flag,"
    "currency_code,net_amount,vat_amount,updated_at"
)
GOOD = (
    "{id},{c},AE-DXB-01,POS,SALE,2025-10-01T12:00:00+04:00,COMPLETED,,AED,100.00,5.00,"
    "2025-10-01T12:00:00+04:00"
)


BAD_ORDER_LINES = {
    "EXTRA": GOOD + ",extra",  # too many fields
    "FEW": GOOD.rsplit(",", 1)[0],  # too few fields
    "NOOFF": GOOD.replace("+04:00,COMPLETED", ",COMPLETED"),  # timestamp without offset
    "BADDAY": GOOD.replace("2025-10-01T12:00:00+04:00,COMPLETED", "2025-10-32T12:00:00Z,COMPLETED"),
    "SLASH": GOOD.replace("2025-10-01T12:00:00+04:00,COMPLETED", "01/10/2025 12:00,COMPLETED"),
    "UPD": GOOD.rsplit(",", 1)[0] + ",yesterday",  # bad updated_at
    "DEC3": GOOD.replace(",100.00,", ",100.005,"),  # 3 fraction digits
    "EXP": GOOD.replace(",100.00,", ",1e2,"),  # not a plain decimal
    "NAN": GOOD.replace(",100.00,", ",NaN,"),
    "USD": GOOD.replace(",AED,", ",USD,"),  # unknown currency
    "PHONE": GOOD.replace(",POS,", ",PHONE,"),  # unknown channel
    "EXCH": GOOD.replace(",SALE,", ",EXCHANGE,"),  # unknown order type
    "VIP": GOOD.replace("COMPLETED,,", "COMPLETED,VIP,"),  # unknown flag
    "NOSTORE": GOOD.replace("AE-DXB-01", " "),  # required text empty
    "NOVAT": GOOD.replace(",5.00,", ",,"),  # required amount empty
    "NOID": GOOD.replace("{id},", ","),  # required id empty
}


def test_contract_malformed_order_rows_are_dropped(tmp_path):
    b = builder(tmp_path)
    lines = [GOOD.format(id="OK1", c="GOODC")]
    lines += [line.format(id=f"BAD-{name}", c=name) for name, line in BAD_ORDER_LINES.items()]
    b.raw_file("2025-10-02", "oms_orders", ORDER_HEADER + "\n" + "\n".join(lines) + "\n")
    assert customers(activity(b)) == {"GOODC"}
    assert list(read_landing(b.root, AS_OF, ("oms_orders",))["oms_orders"]["order_id"]) == ["OK1"]


def test_contract_parsing_quoting_trimming_case_and_gzip(tmp_path):
    b = builder(tmp_path)
    text = (
        f"{ORDER_HEADER},note\r\n"
        '" O1 ", A ,AE-DXB-01,pos,sale,2025-10-01 12:00:00Z,completed,,aed,+100.5,5,'
        "2025-10-01T12:00:00+04,\r\n"  # space separator, Z, +HH offset, sign, no trailing zeros
        '"O2","B","AE-DXB-01","POS","SALE","2025-10-01T12:00:00.123456+04:00","COMPLETED","","AED",'
        '"200.00","10.00","2025-10-01T12:00:00+04:00","multi\nline, with comma"\r\n'
    )
    b.raw_file("2025-10-02", "oms_orders.csv.gz", text)
    df = activity(b)
    assert customers(df) == {"A", "B"}
    assert row(df, "A")["total_net_amount_aed_month"] == Decimal("100.50")
    orders = read_landing(b.root, AS_OF, ("oms_orders",))["oms_orders"]
    assert sorted(orders["order_id"]) == ["O1", "O2"]
    assert set(orders["currency_code"]) == {"AED"}


def test_contract_missing_required_column_skips_file_missing_optional_is_empty(tmp_path):
    b = builder(tmp_path)
    no_required = ORDER_HEADER.replace(",vat_amount", "")
    b.raw_file(
        "2025-10-02",
        "oms_orders",
        f"{no_required}\nO1,A,AE-DXB-01,POS,SALE,2025-10-01T12:00:00+04:00,COMPLETED,,AED,100.00,"
        "2025-10-01T12:00:00+04:00\n",
    )
    no_optional = ORDER_HEADER.replace(",order_flag", "")
    b.raw_file(
        "2025-10-03",
        "oms_orders",
        f"{no_optional}\nO2,B,AE-DXB-01,POS,SALE,2025-10-02T12:00:00+04:00,COMPLETED,AED,100.00,5.00,"
        "2025-10-02T12:00:00+04:00\n",
    )
    assert customers(activity(b)) == {"B"}


BAD_CRM = {
    "VIP2": {"is_vip": "2"},
    "VIPEMPTY": {"is_vip": ""},
    "FEB30": {"signup_date": "2025-02-30"},
    "SLASHDATE": {"signup_date": "2025/02/01"},
    "BOT": {"customer_flag": "BOT"},
    "NOTZ": {"updated_at": "2025-09-19T12:00:00"},
    "NOUPD": {"updated_at": ""},
}


def test_contract_malformed_crm_rows_are_ignored(tmp_path):
    b = builder(tmp_path)
    b.customers("2025-09-01", [{"customer_id_nat": c, "loyalty_tier": "SILVER"} for c in BAD_CRM])
    # Each malformed later version would flag its customer TEST; being malformed, it is dropped.
    b.customers(
        "2025-09-20",
        [
            {"customer_id_nat": c, "loyalty_tier": "GOLD", "customer_flag": "TEST", **kw}
            for c, kw in BAD_CRM.items()
        ],
    )
    b.customers("2025-09-20", [{"customer_id_nat": "", "merged_into": "VIP2"}])  # empty id
    b.orders("2025-10-02", [sale(c, "2025-10-01T12:00:00+04:00") for c in BAD_CRM])
    df = activity(b)
    assert customers(df) == set(BAD_CRM)
    assert set(df["loyalty_tier"]) == {"SILVER"}


def test_contract_malformed_fx_rows_are_ignored(tmp_path):
    b = builder(tmp_path, sar_rate="0.50000000")
    bad_rates = ["0", "-0.98", "0.979300001", "abc", "", "1,5"]
    days = [f"2025-10-{d:02d}" for d in range(1, len(bad_rates) + 1)]
    b.fx("2025-10-03", [{"rate_date": d, "rate_to_aed": r} for d, r in zip(days, bad_rates, strict=True)])
    b.fx(
        "2025-10-03",
        [
            {"rate_date": "2025-02-30", "rate_to_aed": "0.9"},
            {"rate_date": "2025-10-01", "currency_code": "EUR"},
        ],
    )
    b.orders(
        "2025-10-09", [sale(f"C{d}", f"{d}T12:00:00+03:00", "100.00", store_id="SA-RUH-01") for d in days]
    )
    df = activity(b)
    assert len(df) == len(days)
    assert set(df["total_net_amount_aed_month"]) == {Decimal("50.00")}


def test_contract_malformed_store_row_is_ignored(tmp_path):
    b = builder(tmp_path)
    b.stores(
        "2025-09-01",
        [
            {"store_id": "X-01", "country_code": "AE", "region": "UAE", "timezone": "Mars/Olympus"},
            {"store_id": "Y-01", "country_code": "QA", "region": "UAE"},
        ],
    )
    b.orders(
        "2025-10-02",
        [
            sale("A", "2025-10-01T12:00:00+04:00", store_id="X-01", currency_code="AED"),
            sale("B", "2025-10-01T12:00:00+04:00", store_id="Y-01", currency_code="AED"),
        ],
    )
    assert activity(b).empty


# ---------------------------------------------------------------------------------------------------
# region summary
# ---------------------------------------------------------------------------------------------------


def test_region_summary_counts_each_region_and_all_once(tmp_path):
    b = builder(tmp_path, sar_rate="0.50000000")
    b.orders("2025-09-02", [sale("OLD", "2025-09-01T12:00:00+04:00", "10.00")])
    b.orders(
        "2025-10-03",
        [
            sale("OLD", "2025-10-01T12:00:00+04:00", "100.00", store_id="AE-DXB-01"),
            sale("OLD", "2025-10-01T13:00:00+04:00", "100.00", store_id="AE-WEB-01"),
            sale("OLD", "2025-10-02T12:00:00+03:00", "100.00", store_id="SA-RUH-01"),
            sale("NEW", "2025-10-02T12:00:00+03:00", "40.00", store_id="SA-WEB-01"),
        ],
    )
    summary = expected_region_summary(b.write(), AS_OF)
    got = {
        (r.month_key, r.region): (
            r.active_customers,
            r.new_customers,
            r.repeat_customers,
            r.total_net_amount_aed,
        )
        for r in summary.itertuples()
    }
    assert got == {
        (D(2025, 9, 1), "UAE"): (1, 1, 0, Decimal("10.00")),
        (D(2025, 9, 1), "KSA"): (0, 0, 0, Decimal("0.00")),
        (D(2025, 9, 1), "ALL"): (1, 1, 0, Decimal("10.00")),
        (OCT, "UAE"): (1, 0, 1, Decimal("200.00")),
        (OCT, "KSA"): (2, 1, 1, Decimal("70.00")),
        (OCT, "ALL"): (2, 1, 1, Decimal("270.00")),
    }


# ---------------------------------------------------------------------------------------------------
# builder defaults and the comparison helper
# ---------------------------------------------------------------------------------------------------


def test_builder_defaults(tmp_path):
    b = LandingBuilder(tmp_path / "landing")
    b.stores("2025-10-01")
    b.orders(
        "2025-10-02",
        [
            {"customer_id_nat": "A", "store_id": "SA-RUH-01", "net_amount": Decimal("100.10")},
            {"customer_id_nat": "A", "order_type": "RETURN"},
        ],
    )
    b.items(
        "2025-10-02",
        [{"order_id": "EXPLICIT", "net_amount": "1.00"}, {"order_id": "EXPLICIT", "net_amount": "2.00"}],
    )
    root = b.write()
    data = read_landing(root, AS_OF)
    orders = data["oms_orders"].set_index("order_id")
    assert len(orders) == 2
    first = orders.iloc[0]
    assert (first["currency_code"], first["channel"], first["order_type"], first["final_status"]) == (
        "SAR",
        "POS",
        "SALE",
        "COMPLETED",
    )
    assert first["vat_amount"] == 1502  # 15 % of 100.10 = 15.015 -> 15.02 (cents)
    assert (
        first["order_ts"] == pd.Timestamp("2025-10-01T09:00:00Z") and first["updated_at"] == first["order_ts"]
    )
    assert orders.iloc[1]["net_amount"] == -10000 and orders.iloc[1]["vat_amount"] == -500
    items = data["oms_order_items"]
    assert len(items) == 4  # one automatic line per order + two explicit lines
    assert sorted(items.loc[items["order_id"] == "EXPLICIT", "line_no"]) == [1, 2]
    assert (root / "2025-10-02" / "oms_order_items.csv").exists()


def test_compare_frames_reports_differences(tmp_path):
    b = builder(tmp_path)
    b.orders("2025-10-02", [sale("A", "2025-10-01T12:00:00+04:00"), sale("B", "2025-10-01T12:00:00+04:00")])
    expected = activity(b)
    assert compare_frames(expected, expected.copy(), ["customer_id_nat", "month_key"]) == []
    actual = expected.copy()
    actual["month_key"] = pd.to_datetime(actual["month_key"])  # driver types are normalised
    actual["total_net_amount_aed_month"] = actual["total_net_amount_aed_month"].astype(float)
    assert compare_frames(expected, actual, ["customer_id_nat", "month_key"]) == []
    actual.loc[actual["customer_id_nat"] == "A", "orders_count_month"] = 2
    actual = actual[actual["customer_id_nat"] != "B"]
    problems = compare_frames(expected, actual, ["customer_id_nat", "month_key"])
    assert len(problems) == 2
    assert "orders_count_month: expected 1 got 2" in problems[0] and problems[1].startswith("missing row")
