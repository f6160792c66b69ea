"""Marketing campaigns and their daily spend: ``mkt_campaigns.csv`` and ``mkt_spend.csv``.

Every month of the period runs one acquisition campaign per paid acquisition channel of the CRM
(paid search, social, referral, in-store sign-up, marketplace) and five lifecycle campaigns (retention,
reactivation, upsell and cross-sell by email, SMS, direct mail and in store). A campaign is delivered a week
before it starts (PLANNED, or ACTIVE when it is already running) and again the day after it ends
(COMPLETED): the later delivery wins. Acquisition budgets follow the sign-ups each channel brings that month
at a target cost per customer, so generated CAC is realistic; daily spend spreads the budget with noise,
with impressions and clicks at each channel's cost per mille and click-through rate. Paid search and social
also spend outside campaigns (brand terms, always-on ads: empty campaign_id). A few rows are malformed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.generate.customers import CustomerBase
from analytics.generate.period import Period, day_to_date
from analytics.generate.reference import ACQUISITION_CHANNELS
from analytics.generate.render import Defect, amounts, apply_defects, dates, ids, integers, join_lines, lookup

__all__ = ["CAMPAIGN_DEFECTS", "SPEND_DEFECTS", "CampaignPlan", "LIFECYCLE_SLOTS", "plan_campaigns",
           "spend_rows", "render_campaigns", "render_spend", "campaign_ids"]

# Acquisition campaigns: (CRM acquisition channel index, campaign channel, target CAC in AED,
# cost per 1,000 impressions or -1 (none), click-through rate or -1 (none)).
ACQUISITION_SLOTS: tuple[tuple[int, str, float, float, float], ...] = (
    (ACQUISITION_CHANNELS.index("PAID_SEARCH"), "paid_search", 62.0, 28.0, 0.035),
    (ACQUISITION_CHANNELS.index("SOCIAL"), "social", 44.0, 11.0, 0.009),
    (ACQUISITION_CHANNELS.index("REFERRAL"), "referral", 55.0, -1.0, -1.0),
    (ACQUISITION_CHANNELS.index("STORE"), "in_store", 18.0, -1.0, -1.0),
    (ACQUISITION_CHANNELS.index("MARKETPLACE"), "marketplace", 48.0, 20.0, 0.015),
)
# Lifecycle campaigns: (type, channel, spend code, AED per customer per month, cost per mille, CTR, share of
# the lifecycle touches).
LIFECYCLE_SLOTS: tuple[tuple[str, str, str, float, float, float, float], ...] = (
    ("retention", "email", "EMAIL", 0.04, 20.0, 0.025, 0.35),
    ("reactivation", "sms", "SMS", 0.06, 80.0, 0.010, 0.20),
    ("upsell", "email", "EMAIL", 0.03, 20.0, 0.030, 0.20),
    ("cross_sell", "direct_mail", "DIRECT_MAIL", 0.08, -1.0, -1.0, 0.10),
    ("retention", "in_store", "IN_STORE", 0.05, -1.0, -1.0, 0.15),
)
SLOTS = len(ACQUISITION_SLOTS) + len(LIFECYCLE_SLOTS)
ALWAYS_ON = ((ACQUISITION_CHANNELS.index("PAID_SEARCH"), 0.12, 28.0, 0.045),  # (channel, share of budget,
             (ACQUISITION_CHANNELS.index("SOCIAL"), 0.08, 11.0, 0.008))       # CPM, CTR)
CAMPAIGN_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("unknown_campaign_type", "campaign_type", "loyalty"),
    Defect("invalid_end_date", "end_date", "{year}-02-30"),
)
SPEND_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("non_numeric_spend", "spend_aed", "1,250.00"),
    Defect("negative_clicks", "clicks", "-3"),
)
CAMPAIGN_ID_WIDTH = 5
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def campaign_ids(numbers: np.ndarray) -> pa.Array:
    """``CMP00001`` for campaign number 0; empty for -1 (no campaign)."""
    return ids("CMP", np.where(numbers >= 0, numbers + 1, -1), CAMPAIGN_ID_WIDTH)


@dataclass(frozen=True)
class CampaignPlan:
    """Campaign number = month * SLOTS + slot; per campaign its first and last day and budget in cents."""

    start: np.ndarray
    end: np.ndarray
    budget: np.ndarray

    def acquisition_campaign(self, month: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """The acquisition campaign of each (month, CRM acquisition channel), -1 for a channel without one."""
        slot_of = np.full(len(ACQUISITION_CHANNELS), -1)
        slot_of[[s[0] for s in ACQUISITION_SLOTS]] = np.arange(len(ACQUISITION_SLOTS))
        slot = slot_of[channel]
        return np.where(slot >= 0, month * SLOTS + slot, -1)


def plan_campaigns(rng: np.random.Generator, base: CustomerBase, period: Period) -> CampaignPlan:
    """Monthly campaigns with budgets sized to the sign-ups (acquisition) or the customer base (lifecycle)."""
    months = period.months
    first = period.month_starts[:-1].astype(np.int64)
    last = period.month_starts[1:].astype(np.int64) - 1
    signup_month = period.month_of(base.signup)
    budget = np.zeros((months, SLOTS))
    for slot, (channel, _, cac, _, _) in enumerate(ACQUISITION_SLOTS):
        joined = np.bincount(signup_month[(signup_month >= 0) & (base.acquisition == channel)], minlength=months)
        budget[:, slot] = np.maximum(joined, 1) * cac
    known = np.cumsum(np.bincount(np.maximum(signup_month + 1, 0), minlength=months + 1))[:months]
    for k, (_, _, _, per_customer, _, _, _) in enumerate(LIFECYCLE_SLOTS):
        budget[:, len(ACQUISITION_SLOTS) + k] = np.maximum(known, 100) * per_customer
    budget *= rng.uniform(0.85, 1.15, budget.shape)
    cents = np.maximum(np.round(budget / 100), 5).astype(np.int64) * 10_000  # whole hundreds of AED
    return CampaignPlan(np.repeat(first, SLOTS), np.repeat(last, SLOTS), cents.ravel())


def _campaign_texts(period: Period) -> tuple[list[str], list[str], list[str], list[str]]:
    """Per campaign number: code, name, type and channel."""
    codes, names, types, channels = [], [], [], []
    slots = [("acquisition", channel) for _, channel, *_ in ACQUISITION_SLOTS]
    slots += [(kind, channel) for kind, channel, *_ in LIFECYCLE_SLOTS]
    for m in range(period.months):
        month = day_to_date(int(period.month_starts[m]))
        for kind, channel in slots:
            codes.append(f"{kind[:3].upper()}-{channel.upper().replace('_', '')}-{month:%Y%m}")
            names.append(f"{_MONTH_NAMES[month.month - 1]} {month.year} {channel.replace('_', ' ')} {kind}")
            types.append(kind)
            channels.append(channel)
    return codes, names, types, channels


def campaign_rows(rng: np.random.Generator, plan: CampaignPlan, period: Period) -> pd.DataFrame:
    """Deliveries of every campaign: planned (a week ahead) and completed (the day after its end)."""
    number = np.arange(len(plan.start))
    announce = np.maximum(plan.start - 7, period.start)
    planned = pd.DataFrame({"campaign": number, "drop": announce,
                            "status": np.where(announce <= plan.start - 1, 0, 1)})
    done = pd.DataFrame({"campaign": number, "drop": plan.end + 1, "status": 2})
    rows = pd.concat([planned, done], ignore_index=True)
    rows = rows[rows["drop"] <= period.end].copy()
    rows["defect"] = 0
    broken = rows.sample(n=min(2, len(rows)), random_state=rng.integers(2**31)).copy()
    broken["drop"] = np.minimum(broken["drop"] + 1, period.end)
    broken["defect"] = 1 + np.arange(len(broken)) % (len(CAMPAIGN_DEFECTS) - 1)
    rows = pd.concat([rows, broken], ignore_index=True)
    return rows.sort_values(["drop", "campaign", "status"], kind="stable").reset_index(drop=True)


def render_campaigns(rows: pd.DataFrame, plan: CampaignPlan, period: Period) -> pa.Array:
    """CSV lines of ``mkt_campaigns.csv``."""
    codes, names, types, channels = _campaign_texts(period)
    c = rows["campaign"].to_numpy()
    columns = {
        "campaign_id": campaign_ids(c),
        "campaign_code": lookup(codes, c),
        "campaign_name": lookup(names, c),
        "campaign_type": lookup(types, c),
        "campaign_channel": lookup(channels, c),
        "start_date": dates(plan.start[c]),
        "end_date": dates(plan.end[c]),
        "budget_aed": amounts(plan.budget[c], 2),
        "status": lookup(("PLANNED", "ACTIVE", "COMPLETED"), rows["status"].to_numpy()),
    }
    lines = join_lines(list(columns.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), CAMPAIGN_DEFECTS, "start_date")


def spend_rows(rng: np.random.Generator, plan: CampaignPlan, period: Period) -> pd.DataFrame:
    """Daily spend per campaign day and per always-on channel, with impressions and clicks (-1 = none)."""
    days = np.arange(period.start, period.end)  # the drop dated D carries day D-1
    month = period.month_of(days)
    slot = np.tile(np.arange(SLOTS), len(days))
    day = np.repeat(days, SLOTS)
    campaign = np.repeat(month, SLOTS) * SLOTS + slot
    length = plan.end[campaign] - plan.start[campaign] + 1
    daily = plan.budget[campaign] / length * rng.gamma(8.0, 1 / 8.0, len(campaign))
    channel_code = np.array([ACQUISITION_CHANNELS[s[0]] for s in ACQUISITION_SLOTS]
                            + [s[2] for s in LIFECYCLE_SLOTS], dtype=object)[slot]
    cpm = np.array([s[3] for s in ACQUISITION_SLOTS] + [s[4] for s in LIFECYCLE_SLOTS])[slot]
    ctr = np.array([s[4] for s in ACQUISITION_SLOTS] + [s[5] for s in LIFECYCLE_SLOTS])[slot]
    frames = [pd.DataFrame({"day": day, "channel": channel_code, "campaign": campaign, "cents": daily,
                            "cpm": cpm, "ctr": ctr})]
    for channel, share, channel_cpm, channel_ctr in ALWAYS_ON:
        slot_budget = plan.budget[month * SLOTS + [s[0] for s in ACQUISITION_SLOTS].index(channel)]
        length = plan.end[month * SLOTS] - plan.start[month * SLOTS] + 1
        frames.append(pd.DataFrame({
            "day": days, "channel": ACQUISITION_CHANNELS[channel], "campaign": -1,
            "cents": slot_budget * share / length * rng.gamma(8.0, 1 / 8.0, len(days)),
            "cpm": channel_cpm, "ctr": channel_ctr}))
    rows = pd.concat(frames, ignore_index=True)
    rows["cents"] = np.maximum(np.round(rows["cents"].to_numpy()), 1).astype(np.int64)
    has_reach = rows["cpm"].to_numpy() > 0
    impressions = np.where(has_reach, np.round(rows["cents"].to_numpy() / 100 / np.where(has_reach, rows["cpm"], 1)
                                               * 1000), -1).astype(np.int64)
    clicks = rng.binomial(np.maximum(impressions, 0), np.clip(rows["ctr"].to_numpy(), 0, 1))
    rows["impressions"] = impressions
    rows["clicks"] = np.where(has_reach, clicks, -1)
    rows["drop"] = rows["day"] + 1
    rows["defect"] = 0
    broken = rows.iloc[rng.choice(len(rows), size=min(2, len(rows)), replace=False)].copy()
    broken["defect"] = 1 + np.arange(len(broken)) % (len(SPEND_DEFECTS) - 1)
    rows = pd.concat([rows, broken], ignore_index=True)
    return rows.sort_values(["drop", "channel", "campaign"], kind="stable").reset_index(drop=True)


def render_spend(rows: pd.DataFrame) -> pa.Array:
    """CSV lines of ``mkt_spend.csv``."""
    impressions, clicks = rows["impressions"].to_numpy(), rows["clicks"].to_numpy()
    columns = {
        "spend_date": dates(rows["day"].to_numpy()),
        "acquisition_channel": pa.array(rows["channel"].to_numpy(), pa.string()),
        "campaign_id": campaign_ids(rows["campaign"].to_numpy()),
        "spend_aed": amounts(rows["cents"].to_numpy(), 2),
        "impressions": _optional_integers(impressions),
        "clicks": _optional_integers(clicks),
    }
    lines = join_lines(list(columns.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), SPEND_DEFECTS, "spend_date")


def _optional_integers(values: np.ndarray) -> pa.Array:
    return pa.array(np.where(values < 0, "", integers(np.maximum(values, 0)).to_numpy(zero_copy_only=False)),
                    pa.string())
