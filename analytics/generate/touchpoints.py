"""Marketing touchpoints of ``mkt_touchpoints.csv``: leads, contacts and conversions, drawn per customer.

- Every customer who signs up during the period was a lead first: a lead touch 0–30 days (geometric, mean
  about a week) before the sign-up, for six in ten a contact in between, and a conversion touch on the
  sign-up day. The channel is the customer's CRM acquisition channel and the campaign that channel's
  acquisition campaign of the touch's month (organic leads have none). Only the conversion names the
  customer; the lead's earlier touches carry just its lead id, as a lead-capture system would.
- About 45 leads for every 100 conversions never convert (a lead touch, sometimes a contact).
- After sign-up, customers receive lifecycle campaign touches (about 1.2 a year: retention, reactivation,
  upsell and cross-sell contacts), which give last-touch attribution orders to attribute.

Touches on day D arrive in the drop dated D+1; about 0.3 % are re-sent unchanged later, and a few malformed
copies of touches are delivered too. Everything is vectorised over customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.generate.campaigns import ACQUISITION_SLOTS, LIFECYCLE_SLOTS, SLOTS, CampaignPlan, campaign_ids
from analytics.generate.customers import CustomerBase, count_for, local_instants, pick
from analytics.generate.period import Period
from analytics.generate.reference import ACQUISITION_CHANNELS, ACQUISITION_WEIGHTS, UTC_OFFSETS
from analytics.generate.render import Defect, apply_defects, ids, join_lines, lookup, timestamps

__all__ = ["TOUCH_DEFECTS", "touch_rows", "render_touches"]

TOUCH_TYPES = ("lead", "contact", "conversion")
LEAD, CONTACT, CONVERSION = range(3)
# Touch channels: the CRM acquisition channels, then the lifecycle campaigns' channels.
TOUCH_CHANNELS = ACQUISITION_CHANNELS + tuple(dict.fromkeys(s[2] for s in LIFECYCLE_SLOTS))
CONTACT_SHARE = 0.6
UNCONVERTED_LEADS = 0.45        # per converted lead
LIFECYCLE_TOUCHES_PER_YEAR = 1.2
TOUCH_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("unknown_touch_type", "touch_type", "click"),
    Defect("invalid_touch_ts", "touch_ts", "{year}-13-01T10:00:00+04:00"),
    Defect("empty_touch_id", "touch_id", ""),
)
# (type, first hour, last hour): a day's lead comes before its contact, which comes before its conversion.
_HOURS = {LEAD: (8, 12), CONTACT: (12, 16), CONVERSION: (16, 23)}


Touches = dict[str, np.ndarray]


def _frame(customer: np.ndarray, named: bool, lead: np.ndarray, day: np.ndarray, channel: np.ndarray,
           campaign: np.ndarray, kind: int) -> Touches:
    """Touch columns; ``customer`` is the person touched (-1: a lead who never converts), ``named`` whether the
    row carries their customer id."""
    n = len(customer)
    return {"customer": customer, "named": np.full(n, named), "lead": lead, "day": day, "channel": channel,
            "campaign": campaign, "type": np.full(n, kind, dtype=np.int8)}


def _acquisition_touches(rng: np.random.Generator, base: CustomerBase, period: Period,
                         plan: CampaignPlan) -> list[Touches]:
    """Lead, contact and conversion touches of the customers who sign up in the period, and of lost leads."""
    who = np.flatnonzero((base.signup >= period.start) & (base.signup <= period.end - 1))
    signup = base.signup[who]
    lead_day = np.maximum(signup - (rng.geometric(0.15, len(who)) - 1), period.start)
    lost = count_for(UNCONVERTED_LEADS, len(who))
    lost_day = period.start + np.floor(rng.random(lost) * (period.end - period.start)).astype(np.int64)
    lost_channel = rng.choice(len(ACQUISITION_WEIGHTS), size=lost, p=ACQUISITION_WEIGHTS)

    day = np.concatenate([lead_day, lost_day])
    channel = np.concatenate([base.acquisition[who], lost_channel])
    customer = np.concatenate([who, np.full(lost, -1)])
    # Lead numbers follow the day the lead was created.
    lead = np.empty(len(day), dtype=np.int64)
    lead[np.argsort(day, kind="stable")] = np.arange(len(day))
    converted = np.arange(len(day)) < len(who)
    end = np.where(converted, np.concatenate([signup, lost_day + 15]), 0)
    gap = end - day
    contacted = (rng.random(len(day)) < CONTACT_SHARE) & (gap >= 1)
    contact_day = day + np.floor(rng.random(len(day)) * np.maximum(gap, 1)).astype(np.int64)
    contacted &= contact_day <= period.end - 1

    def touches(mask: np.ndarray, days: np.ndarray, kind: int, named: bool) -> Touches:
        campaign = plan.acquisition_campaign(period.month_of(days[mask]), channel[mask])
        return _frame(customer[mask], named, lead[mask], days[mask], channel[mask], campaign, kind)

    return [touches(np.ones(len(day), dtype=bool), day, LEAD, False),
            touches(contacted, contact_day, CONTACT, False),
            touches(converted, np.concatenate([signup, lost_day]), CONVERSION, True)]


def _lifecycle_touches(rng: np.random.Generator, base: CustomerBase, period: Period) -> Touches:
    """Lifecycle campaign contacts of customers after their sign-up."""
    first = np.maximum(base.signup + 1, period.start)
    span = np.maximum(period.end - first, 0)
    count = rng.poisson(span / 365.0 * LIFECYCLE_TOUCHES_PER_YEAR)
    who = np.repeat(np.arange(base.n), count)
    day = first[who] + np.floor(rng.random(len(who)) * span[who]).astype(np.int64)
    shares = np.array([s[6] for s in LIFECYCLE_SLOTS])
    slot = rng.choice(len(LIFECYCLE_SLOTS), size=len(who), p=shares / shares.sum())
    campaign = period.month_of(day) * SLOTS + len(ACQUISITION_SLOTS) + slot
    channel = np.array([TOUCH_CHANNELS.index(s[2]) for s in LIFECYCLE_SLOTS])[slot]
    return _frame(who, True, np.full(len(who), -1), day, channel, campaign, CONTACT)


def touch_rows(rng: np.random.Generator, base: CustomerBase, period: Period,
               plan: CampaignPlan) -> tuple[pd.DataFrame, dict]:
    """All touch rows with their drop day and touch number, and counts of what they contain."""
    parts = [*_acquisition_touches(rng, base, period, plan), _lifecycle_touches(rng, base, period)]
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    who, kind = columns["customer"], columns["type"]
    country = np.where(who >= 0, base.country[np.maximum(who, 0)], rng.integers(0, 2, len(who)))
    columns["offset"] = np.asarray(UTC_OFFSETS)[country]
    utc = np.zeros(len(who), dtype=np.int64)
    for touch_type, (low, high) in _HOURS.items():
        mask = kind == touch_type
        utc[mask] = local_instants(rng, columns["day"][mask], columns["offset"][mask], low, high)
    columns["utc"] = utc
    # Touch numbers follow time (a day's touches lie in a UTC range of their own), then the funnel step.
    order = np.argsort(utc * len(TOUCH_TYPES) + kind, kind="stable")
    rows = pd.DataFrame({name: values[order] for name, values in columns.items()})
    n = len(rows)
    rows["touch"] = np.arange(n)
    rows["drop"] = rows["day"] + 1
    rows["defect"] = np.zeros(n, dtype=np.int64)
    resent = pick(rng, np.flatnonzero(rows["drop"].to_numpy() < period.end), count_for(0.003, n, 1))
    broken = pick(rng, np.arange(n), min(3, n))
    extra = rows.iloc[np.concatenate([resent, broken])].copy()
    extra.iloc[:len(resent), extra.columns.get_loc("drop")] = np.minimum(
        rows["drop"].to_numpy()[resent] + rng.integers(1, 11, len(resent)), period.end)
    extra.iloc[len(resent):, extra.columns.get_loc("defect")] = 1 + np.arange(len(broken)) % (len(TOUCH_DEFECTS) - 1)
    stats = {"touchpoints": n, "touchpoints_resent": len(resent),
             "leads": int(np.unique(columns["lead"][kind == LEAD]).size),
             "conversions": int((kind == CONVERSION).sum())}
    rows = pd.concat([rows, extra], ignore_index=True)
    order = np.argsort(rows["drop"].to_numpy() * (n + 1) + rows["touch"].to_numpy(), kind="stable")
    return rows.take(order).reset_index(drop=True), stats


def render_touches(rows: pd.DataFrame, base: CustomerBase, width: int) -> pa.Array:
    """CSV lines of ``mkt_touchpoints.csv``; touch and lead numbers are ``width`` digits wide."""
    customer = np.where(rows["named"].to_numpy(), rows["customer"].to_numpy(), -1)
    columns = {
        "touch_id": ids("T", rows["touch"].to_numpy() + 1, width),
        "customer_id_nat": ids("C", np.where(customer >= 0, customer + 1, -1), base.id_width),
        "lead_id": ids("L", np.where(rows["lead"].to_numpy() >= 0, rows["lead"].to_numpy() + 1, -1), width),
        "touch_ts": timestamps(rows["utc"].to_numpy(), rows["offset"].to_numpy(), np.zeros(len(rows), dtype=bool)),
        "acquisition_channel": lookup(TOUCH_CHANNELS, rows["channel"].to_numpy()),
        "campaign_id": campaign_ids(rows["campaign"].to_numpy()),
        "touch_type": lookup(TOUCH_TYPES, rows["type"].to_numpy()),
    }
    lines = join_lines(list(columns.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), TOUCH_DEFECTS, "touch_ts")
