"""``generate_landing``: a realistic, deterministic landing folder of daily OMS/CRM/reference drops.

The period is processed one calendar month at a time: draw the month's orders, schedule their rows
into drops, then write every drop dated in that month. Rows due in a later drop (late arrivals, status
updates, re-sends) are carried over to the next month. Memory therefore holds the customer base plus
one month of orders, whatever the length of the period.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from analytics.generate.campaigns import (
    CampaignPlan,
    campaign_rows,
    plan_campaigns,
    render_campaigns,
    render_spend,
    spend_rows,
)
from analytics.generate.crm import crm_rows, render_crm
from analytics.generate.customers import CustomerBase, build_customers
from analytics.generate.delivery import render_items, render_orders, schedule_month
from analytics.generate.orders import OrderModel
from analytics.generate.period import DEFAULT_END_DATE, Period, build_period, day_to_date
from analytics.generate.reference import build_catalogue
from analytics.generate.reference_files import fx_rows, render_fx, stores_body
from analytics.generate.render import line_bytes
from analytics.generate.touchpoints import render_touches, touch_rows
from analytics.generate.writer import LandingWriter

__all__ = ["generate_landing", "GENERATOR_VERSION"]

GENERATOR_VERSION = 2


def _order_id_width(customers: int, months: int) -> int:
    """Digits of order numbers: room for three times the expected number of orders."""
    expected = 15 * customers * months / 24
    return max(6, len(str(int(expected * 3) + 1000)))


class _Batch:
    """Rows of one file kind due in the drops being written, rendered once and written per drop."""

    def __init__(self, name: str, rows: pd.DataFrame, lines: pa.Array) -> None:
        self.name, self.lines = name, lines
        self.drops = rows["drop"].to_numpy()
        self.malformed = int((rows["defect"] > 0).sum()) if "defect" in rows else 0

    def write(self, writer: LandingWriter, day: int) -> None:
        start, stop = np.searchsorted(self.drops, [day, day + 1])
        if stop > start:
            writer.write(day, self.name, line_bytes(self.lines, int(start), int(stop)), int(stop - start))


def _due(frame: pd.DataFrame, last_drop: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    due = frame["drop"].to_numpy() <= last_drop
    return frame[due], frame[~due]


def _marketing_batches(campaigns: pd.DataFrame, spend: pd.DataFrame, touches: pd.DataFrame, first: int,
                       last_drop: int, plan: CampaignPlan, period: Period, base: CustomerBase,
                       touch_width: int) -> list[_Batch]:
    """The marketing files' rows due in drops ``first..last_drop`` (each frame is sorted by drop)."""
    batches = []
    for name, frame, render in (("mkt_campaigns", campaigns, lambda rows: render_campaigns(rows, plan, period)),
                                ("mkt_spend", spend, render_spend),
                                ("mkt_touchpoints", touches, lambda rows: render_touches(rows, base, touch_width))):
        start, stop = np.searchsorted(frame["drop"].to_numpy(), [first, last_drop + 1])
        due = frame.iloc[start:stop]
        batches.append(_Batch(name, due, render(due)))
    return batches


def generate_landing(out: Path, customers: int, months: int, seed: int,
                     end_date: dt.date | None = None, progress: bool = False, *,
                     overwrite: bool = False) -> dict:
    """Write a landing folder of daily drops to ``out`` and return a summary of what was written.

    The period is the ``months`` calendar months ending with ``end_date``'s month (default 2025-11-30);
    one drop folder per day from the period's first day through ``end_date``. Same arguments give
    byte-identical files. ``out`` must be empty or missing unless ``overwrite`` is set, which replaces
    the drop folders and manifest of a previous run (nothing else in ``out`` is touched).
    """
    end_date = end_date or DEFAULT_END_DATE
    period = build_period(months, end_date)
    rng = np.random.Generator(np.random.PCG64(seed))
    writer = LandingWriter(Path(out), overwrite)
    order_width = _order_id_width(customers, months)

    catalogue = build_catalogue(rng)
    base = build_customers(rng, customers, period)
    crm, crm_stats = crm_rows(rng, base, period)
    fx, fx_stats = fx_rows(rng, period)
    # Marketing draws from its own stream, so the OMS/CRM files of a seed stay as they were without it.
    marketing_rng = np.random.Generator(np.random.PCG64([seed, 5]))
    plan = plan_campaigns(marketing_rng, base, period)
    campaigns = campaign_rows(marketing_rng, plan, period)
    spend = spend_rows(marketing_rng, plan, period)
    touches, touch_stats = touch_rows(marketing_rng, base, period, plan)
    touch_width = max(7, len(str(len(touches))))
    redrop_day, new_store_day = period.store_schedule()
    model = OrderModel(rng, base, period, catalogue, new_store_day)
    stores = {False: stores_body(False), True: stores_body(True)}
    store_drops = {period.start: False, redrop_day: False, new_store_day: True}

    scenarios: Counter[str] = Counter(crm_stats) + Counter(fx_stats) + Counter(touch_stats)
    malformed: Counter[str] = Counter()
    carried_orders = carried_items = None
    drawn = (0, 0)  # malformed order and item rows drawn so far: defect kinds take turns across months
    with tqdm(total=period.end - period.start + 1, desc="generate", unit="drop", file=sys.stderr,
              disable=not progress) as bar:
        for m in range(period.months):
            first, last = period.month_bounds(m)
            last_drop = min(last, period.end)
            month = model.month(m)
            rows, items, stats = schedule_month(rng, month, period, m, drawn)
            drawn = (drawn[0] + int((rows["defect"] > 0).sum()), drawn[1] + int((items["defect"] > 0).sum()))
            scenarios.update(stats)
            del month
            orders_due, carried_orders = _due(pd.concat([carried_orders, rows], ignore_index=True), last_drop)
            items_due, carried_items = _due(pd.concat([carried_items, items], ignore_index=True), last_drop)
            del rows, items
            orders_due = orders_due.sort_values(["drop", "updated", "order_no"], kind="stable")
            items_due = items_due.sort_values(["drop", "order_no", "line_no"], kind="stable")
            crm_due = crm[(crm["drop"] >= first) & (crm["drop"] <= last_drop)]
            fx_due = fx[(fx["drop"] >= first) & (fx["drop"] <= last_drop)]
            batches = [
                _Batch("oms_orders", orders_due, render_orders(orders_due, order_width, base.id_width)),
                _Batch("oms_order_items", items_due, render_items(items_due, catalogue, order_width)),
                _Batch("crm_customers", crm_due, render_crm(crm_due, base)),
                _Batch("fx_rates", fx_due, render_fx(fx_due)),
                *_marketing_batches(campaigns, spend, touches, first, last_drop, plan, period, base, touch_width),
            ]
            del orders_due, items_due
            for batch in batches:
                malformed[batch.name] += batch.malformed
            for day in range(first, last_drop + 1):
                if day in store_drops:
                    body = stores[store_drops[day]]
                    writer.write(day, "pos_stores", body, body.count(b"\n"))
                for batch in batches:
                    batch.write(writer, day)
                bar.update(1)

    summary = {
        "customers": customers,
        "months": months,
        "seed": seed,
        "end_date": end_date.isoformat(),
        "period_start": day_to_date(period.start).isoformat(),
        **writer.drop_summary(),
        "malformed_rows": dict(sorted(malformed.items())),
        "scenarios": dict(sorted(scenarios.items())),
    }
    writer.write_manifest({"generator": "analytics.generate", "generator_version": GENERATOR_VERSION,
                           "parameters": {"customers": customers, "months": months, "seed": seed,
                                          "end_date": end_date.isoformat()},
                           **{k: v for k, v in summary.items() if k not in ("customers", "months", "seed",
                                                                              "end_date")}})
    return summary
