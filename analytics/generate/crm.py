"""CRM rows of ``crm_customers.csv``: first deliveries, later updates, merges, re-sends and bad rows.

Every row is a full snapshot of the customer as of its ``updated_at``. Updates (tier, VIP, name, flag,
merge) are drawn as events, sorted per customer and forward-filled, so a later update carries the
changes of the earlier ones. A merged customer gets no update after its merge and stops ordering.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.generate.customers import CustomerBase, count_for, local_instants, pick
from analytics.generate.period import Period
from analytics.generate.reference import (
    ACQUISITION_CHANNELS,
    CITIES,
    COUNTRIES,
    EMAIL_DOMAINS,
    FEMALE_FIRST_NAMES,
    FLAGS,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    NICKNAMES,
    PHONE_PREFIXES,
    TIERS,
    UTC_OFFSETS,
)
from analytics.generate.render import (
    Defect,
    apply_defects,
    dates,
    ids,
    integers,
    join_lines,
    lookup,
    quote_needed,
    timestamps,
)

__all__ = ["CRM_DEFECTS", "crm_rows", "render_crm"]

CRM_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("is_vip_not_0_or_1", "is_vip", "yes"),
    Defect("invalid_signup_date", "signup_date", "{year}-02-30"),
    Defect("extra_column", None, "extra"),
)
VALUE_COLUMNS = ["last", "tier", "vip", "flag", "merged_into"]


def _event_days(rng: np.random.Generator, base: CustomerBase, who: np.ndarray, period: Period,
                earliest: np.ndarray | None = None) -> np.ndarray:
    """A random update day after the customer's first delivery, early enough to be delivered."""
    lo = base.crm_drop[who] if earliest is None else np.maximum(base.crm_drop[who], earliest)
    hi = period.end - 1
    return lo + np.floor(rng.random(len(who)) * np.maximum(hi - lo + 1, 1)).astype(np.int64)


def _merges(rng: np.random.Generator, base: CustomerBase, eligible: np.ndarray,
            period: Period) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(source, target, day) of merges, including chains A→B→C where B is merged later."""
    n = base.n
    sources = pick(rng, eligible, count_for(0.005, n, 3))
    is_source = np.zeros(n, dtype=bool)
    is_source[sources] = True
    pool = np.flatnonzero(~is_source & (base.crm_drop == period.start))
    if len(pool) < 2:
        pool = np.flatnonzero(~is_source)
    if len(sources) == 0 or len(pool) < 2:
        return sources, sources, sources, 0
    days = _event_days(rng, base, sources, period)
    targets = pool[rng.integers(0, len(pool), len(sources))]
    # Chains: a merge target is itself merged into a third customer on a later day.
    room = np.flatnonzero(days <= period.end - 3)
    links = pick(rng, room, max(1, len(sources) // 50))
    middles, first_link = np.unique(targets[links], return_index=True)
    links = links[first_link]
    gap = np.floor(rng.random(len(links)) * (period.end - 1 - days[links])).astype(np.int64)
    later = days[links] + 1 + gap
    is_middle = np.zeros(n, dtype=bool)
    is_middle[middles] = True
    ends = pool[~is_middle[pool]]
    if len(ends) == 0:
        return sources, targets, days, 0
    finals = ends[rng.integers(0, len(ends), len(links))]
    keep = finals != middles
    return (np.concatenate([sources, middles[keep]]), np.concatenate([targets, finals[keep]]),
            np.concatenate([days, later[keep]]), int(keep.sum()))


def crm_rows(rng: np.random.Generator, base: CustomerBase, period: Period) -> tuple[pd.DataFrame, dict]:
    """All CRM rows with their drop day, and counts of the scenarios they contain.

    Side effect on ``base``: merged customers stop ordering on their merge day; customers flagged by
    an update are marked ``ever_flagged``.
    """
    n = base.n
    eligible = np.flatnonzero(base.crm_drop <= period.end - 1)
    events = []

    def add(who: np.ndarray, days: np.ndarray, **values: np.ndarray) -> None:
        frame = pd.DataFrame({"customer": who, "day": days})
        for column in VALUE_COLUMNS:
            frame[column] = values.get(column, np.full(len(who), np.nan))
        events.append(frame)

    who = pick(rng, eligible, count_for(0.05, n, 3))
    step = np.where(rng.random(len(who)) < 0.7, 1, -1)
    step = np.where((base.tier[who] + step < 0) | (base.tier[who] + step > 3), -step, step)
    add(who, _event_days(rng, base, who, period), tier=base.tier[who] + step)
    who = pick(rng, eligible, count_for(0.01, n, 2))
    add(who, _event_days(rng, base, who, period), vip=1 - base.vip[who])
    who = pick(rng, eligible, count_for(0.003, n, 1))
    add(who, _event_days(rng, base, who, period),
        last=(base.last[who] + rng.integers(1, len(LAST_NAMES), len(who))) % len(LAST_NAMES))
    who = pick(rng, eligible[base.flag[eligible] == 0], count_for(0.0025, n, 1))
    add(who, _event_days(rng, base, who, period), flag=1 + np.arange(len(who)) % 3)
    base.ever_flagged[who] = True
    sources, targets, merge_days, chains = _merges(rng, base, eligible, period)
    add(sources, merge_days, merged_into=targets)

    updates = pd.concat(events, ignore_index=True)
    who = updates["customer"].to_numpy()
    updates["updated"] = local_instants(rng, updates["day"].to_numpy(), base.offsets[who])
    merged_at = pd.Series(np.where(updates["merged_into"].notna(), updates["updated"], np.nan))
    merged_at = merged_at.groupby(updates["customer"]).transform("min")
    updates = updates[~(updates["updated"] > merged_at)]  # nothing after a customer's merge
    updates = updates.sort_values(["customer", "updated"], kind="stable")
    updates[VALUE_COLUMNS] = updates.groupby("customer")[VALUE_COLUMNS].ffill()
    c = updates["customer"].to_numpy()
    for column, initial in (("last", base.last), ("tier", base.tier), ("vip", base.vip), ("flag", base.flag)):
        updates[column] = updates[column].fillna(pd.Series(initial[c], index=updates.index))
    updates["merged_into"] = updates["merged_into"].fillna(-1)
    updates["drop"] = updates["day"] + 1
    base.active_end[sources] = np.minimum(base.active_end[sources], merge_days)

    first = pd.DataFrame({"customer": np.arange(n), "drop": base.crm_drop, "updated": base.crm_updated,
                          "last": base.last, "tier": base.tier, "vip": base.vip, "flag": base.flag,
                          "merged_into": -1})
    quiet = np.setdiff1d(eligible, updates["customer"].to_numpy())
    resent = pick(rng, quiet, count_for(0.005, n, 2))
    again = first.iloc[resent].copy()
    again["drop"] = np.minimum(again["drop"] + rng.integers(1, 31, len(again)), period.end)
    broken = pick(rng, np.setdiff1d(quiet, resent), count_for(0.0001, n, 3))
    bad = first.iloc[broken].copy()
    bad_days = _event_days(rng, base, broken, period)
    bad["updated"] = local_instants(rng, bad_days, base.offsets[broken])
    bad["drop"] = bad_days + 1
    bad["defect"] = 1 + np.arange(len(bad)) % (len(CRM_DEFECTS) - 1)

    rows = pd.concat([first, updates.drop(columns="day"), again, bad], ignore_index=True)
    rows["defect"] = rows["defect"].fillna(0)
    rows = rows.astype({"customer": np.int64, "drop": np.int64, "updated": np.int64, "last": np.int64,
                        "tier": np.int64, "vip": np.int64, "flag": np.int64, "merged_into": np.int64,
                        "defect": np.int64})
    rows = rows[rows["drop"] <= period.end].sort_values(["drop", "customer", "updated"], kind="stable")
    stats = {"customer_updates": len(updates), "customer_merges": len(sources), "merge_chains": chains,
             "crm_rows_resent": len(again),
             "customers_early_orders": int((base.early_first_order >= 0).sum())}
    return rows.reset_index(drop=True), stats


def _email(base: CustomerBase, c: np.ndarray) -> pa.Array:
    first_tokens = [name.lower() for name in MALE_FIRST_NAMES + FEMALE_FIRST_NAMES]
    last_tokens = [name.lower().replace(" ", "").replace("'", "") for name in LAST_NAMES]
    number = base.email_number[c]
    digits = pc.if_else(pa.array(number < 0), "", pc.utf8_lpad(integers(np.maximum(number, 0)), 2, "0"))
    domain = base.email_domain[c]
    text = pc.binary_join_element_wise(lookup(first_tokens, base.first[c]), ".",
                                       lookup(last_tokens, base.last[c]), digits, "@",
                                       lookup(EMAIL_DOMAINS, np.maximum(domain, 0)), "")
    return pc.if_else(pa.array(domain < 0), "", text)


def render_crm(rows: pd.DataFrame, base: CustomerBase) -> pa.Array:
    """CSV lines of ``crm_customers.csv`` for ``rows`` (in their order)."""
    c = rows["customer"].to_numpy()
    nick = base.nickname[c]
    nick_text = pc.if_else(pa.array(nick < 0), "",
                           pc.binary_join_element_wise('"', lookup(NICKNAMES, np.maximum(nick, 0)), '" ', ""))
    full_name = pc.binary_join_element_wise(lookup(MALE_FIRST_NAMES + FEMALE_FIRST_NAMES, base.first[c]), " ",
                                            nick_text, lookup(LAST_NAMES, rows["last"].to_numpy()), "")
    phone = base.phone[c]
    phone_text = pc.binary_join_element_wise(lookup(PHONE_PREFIXES, base.country[c]),
                                             pc.utf8_lpad(integers(np.maximum(phone, 0)), 8, "0"), "")
    country = base.country[c]
    merged = rows["merged_into"].to_numpy()
    columns = {
        "customer_id_nat": ids("C", c + 1, base.id_width),
        "full_name": full_name,
        "email": _email(base, c),
        "phone": pc.if_else(pa.array(phone < 0), "", phone_text),
        "city": lookup([row[0] for row in CITIES], base.city[c]),
        "country_code": lookup(COUNTRIES, country),
        "loyalty_tier": lookup(TIERS, rows["tier"].to_numpy()),
        "is_vip": lookup(("0", "1"), rows["vip"].to_numpy()),
        "customer_flag": lookup(FLAGS, rows["flag"].to_numpy()),
        "acquisition_channel": lookup(ACQUISITION_CHANNELS, base.acquisition[c]),
        "signup_date": dates(base.signup[c]),
        "merged_into": ids("C", np.where(merged >= 0, merged + 1, -1), base.id_width),
        "updated_at": timestamps(rows["updated"].to_numpy(), np.asarray(UTC_OFFSETS)[country],
                                 np.zeros(len(rows), dtype=bool)),
    }
    quoted = dict(columns, full_name=quote_needed(columns["full_name"]))
    lines = join_lines(list(quoted.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), CRM_DEFECTS, "signup_date")
