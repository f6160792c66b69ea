"""An independent pandas computation of the scorers' customer features, to hold the SQL extract to.

It reads only ``core.fact_order`` and ``core.fact_order_line`` and follows the rules as written in the
SQL file's header: qualified orders with a local date on or before the as-of date, purchase days as
distinct local dates, windows of N days ending on the as-of date, returns counted separately.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.snapshots import read_frame

WINDOWS = (30, 90, 180, 365)


def _round_half_up(values: pd.Series) -> pd.Series:
    """Round to cents as PostgreSQL's numeric does (halves away from zero; pandas rounds halves to even)."""
    return np.floor(values * 100 + 0.5) / 100


def features_oracle(engine: sa.Engine, as_of: date) -> pd.DataFrame:
    orders = read_frame(engine, """
        select order_id, surviving_customer_id_nat as customer_id_nat, local_date, net_amount_aed,
               fx_rate_to_aed, is_qualified, is_qualified_return
        from core.fact_order where local_date <= %(d)s""", {"d": as_of})
    lines = read_frame(engine, "select order_id, net_amount_aed, cost_amount_native from core.fact_order_line "
                               "where cost_amount_native is not null")
    orders["age"] = (pd.Timestamp(as_of) - orders["local_date"]).dt.days
    sales = orders[orders["is_qualified"]]

    days = sales.groupby(["customer_id_nat", "local_date"], as_index=False).agg(
        orders=("order_id", "size"), spend=("net_amount_aed", "sum"), age=("age", "first"))
    days = days.sort_values(["customer_id_nat", "local_date"])
    days["gap"] = days.groupby("customer_id_nat")["local_date"].diff().dt.days
    days["day_no"] = days.groupby("customer_id_nat").cumcount() + 1
    grouped = days.groupby("customer_id_nat")
    out = pd.DataFrame({
        "first_order_date": grouped["local_date"].min(),
        "last_order_date": grouped["local_date"].max(),
        "orders_total": grouped["orders"].sum(),
        "purchase_days_total": grouped.size(),
        "spend_total_aed": grouped["spend"].sum(),
        "repeat_spend_aed": days[days["day_no"] > 1].groupby("customer_id_nat")["spend"].sum(),
        "avg_days_between_orders": _round_half_up(grouped["gap"].mean()),
        "std_days_between_orders": _round_half_up(grouped["gap"].std(ddof=1)),
    })
    for window in WINDOWS:
        recent = days[days["age"] < window].groupby("customer_id_nat")
        out[f"orders_{window}d"] = recent["orders"].sum()
        out[f"spend_{window}d_aed"] = recent["spend"].sum()
    previous = days[(days["age"] >= 90) & (days["age"] < 180)].groupby("customer_id_nat")
    out["orders_prev_90d"] = previous["orders"].sum()
    out["spend_prev_90d_aed"] = previous["spend"].sum()

    returns = orders[orders["is_qualified_return"] & (orders["age"] < 90)].groupby("customer_id_nat")
    out["returns_90d"] = returns.size()
    out["returns_90d_aed"] = returns["net_amount_aed"].sum()

    costed = lines.merge(sales[["order_id", "customer_id_nat", "fx_rate_to_aed"]], on="order_id")
    costed["cost_aed"] = (costed["cost_amount_native"] * costed["fx_rate_to_aed"]).round(2)
    cost = costed.groupby("customer_id_nat")
    out["revenue_with_cost_aed"] = cost["net_amount_aed"].sum()
    out["cost_aed"] = cost["cost_aed"].sum()

    counts = [c for c in out.columns if c.startswith(("orders_", "returns_90d")) and not c.endswith("_aed")]
    amounts = [c for c in out.columns if c.endswith("_aed")]
    out[counts] = out[counts].fillna(0).astype(np.int64)
    out[amounts] = out[amounts].fillna(0).round(2)
    out["recency_days"] = (out["last_order_date"] - out["first_order_date"]).dt.days
    out["T_days"] = (pd.Timestamp(as_of) - out["first_order_date"]).dt.days
    out["days_since_last_order"] = (pd.Timestamp(as_of) - out["last_order_date"]).dt.days
    out["tenure_days"] = out["T_days"]
    return out.reset_index().sort_values("customer_id_nat", ignore_index=True)
