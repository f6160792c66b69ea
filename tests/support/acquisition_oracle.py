"""An independent pandas computation of ``core.fact_customer_acquisition`` and ``core.fact_campaign_performance``
from a landing folder, to hold the SQL acquisition step to.

It reads the files through :func:`tests.support.oracle.read_landing` (the contract applied literally) and the
qualified orders of that oracle, then applies the acquisition rules as the README states them:

* touches: the latest delivery of each touch_id, up to the end of the as-of day in Asia/Riyadh; the customer
  of a touch is its own (merged ids roll up) or, failing that, the smallest customer named by its lead;
* customers: the latest CRM row of every id that is neither merged nor flagged;
* acquisition date = first conversion touch (Riyadh date), else signup date, else first qualified order;
  channel = CRM acquisition_channel (trimmed, upper case), else the first conversion's, else the first touch's;
* CAC = the channel's spend in the acquisition month / customers acquired through it that month, to the cent;
* revenue windows: qualified orders on local days [acquisition, acquisition + N), up to the as-of date;
* campaign performance: spend, distinct people touched (leads, conversions) per touch date, and each
  qualified order attributed to the campaign of its customer's last campaign touch at or before the order
  and less than ``window_days`` days before it;
* campaign months (``mart.vw_campaign_performance``): those daily rows summed by campaign and calendar month,
  with the campaign's latest delivered attributes and the ratios of the sums.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from tests.support.oracle import _latest, _qualified_orders, _resolve_merges, read_landing

__all__ = ["expected_acquisition", "expected_campaign_months", "expected_campaign_performance"]

BUSINESS_TZ = "Asia/Riyadh"
_NAMES = ("oms_orders", "oms_order_items", "crm_customers", "pos_stores", "fx_rates", "mkt_campaigns", "mkt_spend",
          "mkt_touchpoints")


def _inputs(landing: Path, as_of: dt.date) -> dict[str, pd.DataFrame]:
    data = read_landing(landing, as_of, _NAMES)
    crm = _latest(data["crm_customers"], ["customer_id_nat"], by_updated=True)
    merges = _resolve_merges(crm)
    orders = _qualified_orders(data, as_of)
    order_ts = _latest(data["oms_orders"], ["order_id"], by_updated=True).set_index("order_id")["order_ts"]
    orders["order_ts"] = orders["order_id"].map(order_ts)
    orders["customer"] = orders["surviving_id"]

    touches = _latest(data["mkt_touchpoints"], ["touch_id"], by_updated=False)
    end = pd.Timestamp(as_of + dt.timedelta(days=1)).tz_localize(BUSINESS_TZ)
    touches = touches[touches["touch_ts"] < end].copy()
    touches["touch_date"] = touches["touch_ts"].dt.tz_convert(BUSINESS_TZ).dt.tz_localize(None).dt.normalize()
    own = touches["customer_id_nat"].map(merges).where(lambda s: s.notna(), touches["customer_id_nat"])
    by_lead = own.groupby(touches["lead_id"]).min()
    touches["customer"] = own.where(own.notna(), touches["lead_id"].map(by_lead))
    spend = _latest(data["mkt_spend"].assign(campaign_id=data["mkt_spend"]["campaign_id"].fillna("")),
                    ["spend_date", "acquisition_channel", "campaign_id"], by_updated=False)
    spend = spend[spend["spend_date"] <= pd.Timestamp(as_of)].copy()
    for column in ("impressions", "clicks"):
        spend[column] = spend[column].fillna(0).astype("int64")
    spend["spend_cents"] = spend["spend_aed"].astype("int64")
    lines = _latest(data["oms_order_items"], ["order_id", "line_no"], by_updated=False)
    return {"crm": crm, "merges": merges, "orders": orders, "touches": touches, "spend": spend, "lines": lines}


def _first_orders(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    first = orders.sort_values(["customer", "local_date", "order_ts", "order_id"]).drop_duplicates("customer")
    items = lines.assign(qty=lines["quantity"].astype(float) / 1000).groupby("order_id")["qty"].sum()
    return pd.DataFrame({"first_order_date": first["local_date"].to_numpy(),
                         "first_order_value_aed": first["aed_cents"].astype(float).to_numpy() / 100,
                         "first_order_items": first["order_id"].map(items).to_numpy()},
                        index=first["customer"].to_numpy())


def expected_acquisition(landing: Path, as_of: dt.date) -> pd.DataFrame:
    """One row per surviving, unflagged CRM customer with the fact's columns (money in AED as floats)."""
    data = _inputs(landing, as_of)
    crm, touches, orders = data["crm"], data["touches"], data["orders"]
    customers = crm[~crm["customer_id_nat"].isin(data["merges"].index) & crm["customer_flag"].isna()]
    out = pd.DataFrame(index=pd.Index(customers["customer_id_nat"].to_numpy(), name="customer_id_nat"))
    signup = customers.set_index("customer_id_nat")["signup_date"]
    crm_channel = customers.set_index("customer_id_nat")["acquisition_channel"].str.strip().str.upper()

    named = touches[touches["customer"].notna()].sort_values(["customer", "touch_ts", "touch_id"])
    conversion = named[named["touch_type"] == "CONVERSION"].drop_duplicates("customer").set_index("customer")
    first_touch = named.drop_duplicates("customer").set_index("customer")
    first = _first_orders(orders, data["lines"])

    out["conversion_date"] = conversion["touch_date"].reindex(out.index)
    out["acquisition_date"] = (out["conversion_date"].fillna(signup.reindex(out.index))
                               .fillna(first["first_order_date"].reindex(out.index)))
    out["acquisition_channel"] = (crm_channel.reindex(out.index).replace("", np.nan)
                                  .fillna(conversion["acquisition_channel"].reindex(out.index))
                                  .fillna(first_touch["acquisition_channel"].reindex(out.index)).fillna("UNKNOWN"))
    out["first_touch_channel"] = first_touch["acquisition_channel"].reindex(out.index)
    out = out.join(first)
    out["acquisition_month"] = out["acquisition_date"].dt.to_period("M").dt.to_timestamp()

    cutoff = conversion["touch_ts"].reindex(named["customer"]).to_numpy()
    acquired_on = out["acquisition_date"].reindex(named["customer"]).to_numpy()
    before = np.where(pd.isna(cutoff), named["touch_date"].to_numpy() <= acquired_on,
                      named["touch_ts"].to_numpy() <= cutoff)
    out["touchpoints_count"] = named[before].groupby("customer").size().reindex(out.index).fillna(0).astype(int)

    spend = data["spend"].assign(month=lambda s: s["spend_date"].dt.to_period("M").dt.to_timestamp())
    channel_spend = spend.groupby(["acquisition_channel", "month"])["spend_cents"].sum()
    acquired = out.groupby(["acquisition_channel", "acquisition_month"]).size()
    keys = pd.MultiIndex.from_arrays([out["acquisition_channel"], out["acquisition_month"]])
    cents, customers = channel_spend.reindex(keys).to_numpy(), acquired.reindex(keys).to_numpy()
    known = ~np.isnan(cents)
    cost = np.full(len(out), np.nan)  # spend / customers rounded half up to the cent, in integers
    cost[known] = (2 * cents[known].astype(np.int64) + customers[known]) // (2 * customers[known])
    out["acquisition_cost_aed"] = cost / 100

    joined = orders.merge(out[["acquisition_date", "acquisition_cost_aed"]], left_on="customer", right_index=True)
    joined = joined[joined["local_date"] >= joined["acquisition_date"]].copy()
    joined["offset"] = (joined["local_date"] - joined["acquisition_date"]).dt.days
    joined["cents"] = joined["aed_cents"].astype("int64")
    for days in (30, 90, 365):
        window = joined[joined["offset"] < days].groupby("customer")["cents"].sum()
        out[f"revenue_{days}_days_aed"] = window.reindex(out.index).fillna(0) / 100
    out["orders_365_days"] = joined[joined["offset"] < 365].groupby("customer").size().reindex(out.index).fillna(0)
    daily = joined.groupby(["customer", "offset"])["cents"].sum().groupby(level=0).cumsum().reset_index()
    daily["cost"] = daily["customer"].map(out["acquisition_cost_aed"] * 100).round()
    reached = daily[(daily["cost"] > 0) & (daily["cents"] >= daily["cost"])].groupby("customer")["offset"].min()
    out["cac_payback_days"] = reached.reindex(out.index)
    out.loc[out["acquisition_cost_aed"] == 0, "cac_payback_days"] = 0
    out["days_to_first_order"] = (out["first_order_date"] - out["acquisition_date"]).dt.days
    return out.reset_index()


def expected_campaign_performance(landing: Path, as_of: dt.date, window_days: int) -> pd.DataFrame:
    """One row per (performance_date, campaign_id) with counts and money (AED floats); ratios derived."""
    data = _inputs(landing, as_of)
    touches = data["touches"][data["touches"]["campaign_id"].notna()].copy()
    person = ("C:" + touches["customer"]).fillna("L:" + touches["lead_id"])
    touches["person"] = person.fillna("T:" + touches["touch_id"])
    touches["performance_date"] = touches["touch_date"]
    frames = [
        touches.groupby(["performance_date", "campaign_id"])["person"].nunique().rename("audience_size"),
        touches[touches["touch_type"] == "LEAD"].groupby(["performance_date", "campaign_id"])["person"].nunique()
        .rename("leads_generated"),
        touches[touches["touch_type"] == "CONVERSION"].groupby(["performance_date", "campaign_id"])["person"]
        .nunique().rename("conversions"),
    ]
    spend = data["spend"][data["spend"]["campaign_id"] != ""].rename(columns={"spend_date": "performance_date"})
    money = spend.groupby(["performance_date", "campaign_id"])[["spend_cents", "impressions", "clicks"]].sum()
    frames += [money[column] for column in money.columns]

    orders = data["orders"]
    reach = touches[touches["customer"].notna()][["customer", "touch_ts", "touch_id", "campaign_id"]]
    pairs = orders.merge(reach, on="customer")
    pairs = pairs[(pairs["touch_ts"] <= pairs["order_ts"])
                  & (pairs["order_ts"] < pairs["touch_ts"] + pd.Timedelta(days=window_days))]
    last = pairs.sort_values(["order_id", "touch_ts", "touch_id"]).drop_duplicates("order_id", keep="last")
    last = last.rename(columns={"local_date": "performance_date"}).astype({"aed_cents": "int64"})
    by_order_day = last.groupby(["performance_date", "campaign_id"])
    frames += [by_order_day.size().rename("orders_attributed"), by_order_day["aed_cents"].sum().rename("revenue_cents")]

    for i, frame in enumerate(frames):  # one date type for every index, so that the frames align
        dates = pd.to_datetime(frame.index.get_level_values(0)).as_unit("ns")
        frames[i].index = pd.MultiIndex.from_arrays([dates, frame.index.get_level_values(1)],
                                                    names=["performance_date", "campaign_id"])
    out = pd.concat(frames, axis=1).fillna(0).reset_index()
    out["spend_aed"] = out.pop("spend_cents") / 100
    out["revenue_attributed_aed"] = out.pop("revenue_cents") / 100
    for column in ("audience_size", "leads_generated", "conversions", "impressions", "clicks", "orders_attributed"):
        out[column] = out[column].astype(int)
    return out


# Ratios of mart.vw_campaign_performance: column -> (numerator, denominator) of the month's sums.
CAMPAIGN_RATIOS = {
    "click_through_rate": ("clicks", "impressions"),
    "cost_per_click_aed": ("spend_aed", "clicks"),
    "cost_per_lead_aed": ("spend_aed", "leads_generated"),
    "cost_per_acquisition_aed": ("spend_aed", "conversions"),
    "roas": ("revenue_attributed_aed", "spend_aed"),
}


def expected_campaign_months(landing: Path, as_of: dt.date, window_days: int) -> pd.DataFrame:
    """One row per (campaign_id, performance_month): the daily rows of :func:`expected_campaign_performance`
    summed, the campaign's name, type and channel, and the ratios of the sums (NaN for a zero denominator)."""
    daily = expected_campaign_performance(landing, as_of, window_days)
    daily["performance_month"] = daily["performance_date"].dt.to_period("M").dt.to_timestamp()
    measures = ["impressions", "clicks", "leads_generated", "conversions", "orders_attributed",
                "revenue_attributed_aed", "spend_aed"]
    out = daily.groupby(["campaign_id", "performance_month"], as_index=False)[measures].sum()
    out[["revenue_attributed_aed", "spend_aed"]] = out[["revenue_attributed_aed", "spend_aed"]].round(2)
    campaigns = _latest(read_landing(landing, as_of, ("mkt_campaigns",))["mkt_campaigns"], ["campaign_id"],
                        by_updated=False)
    out = out.merge(campaigns[["campaign_id", "campaign_name", "campaign_type", "campaign_channel"]],
                    on="campaign_id", how="left")
    for column, (numerator, denominator) in CAMPAIGN_RATIOS.items():
        out[column] = out[numerator] / out[denominator].where(out[denominator] != 0)
    out["roi_percentage"] = (out["roas"] - 1) * 100
    return out
