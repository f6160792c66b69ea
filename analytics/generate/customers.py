"""The customer base: who the customers are, when they sign up and how they buy.

Customer ids follow signup order (``C00001`` signed up first), as in a CRM with sequential keys. About
30 % signed up before the period and arrive in the first drop; the others arrive in the drop after their
signup day, except ~2 % whose CRM row lags a few days behind their first order. The buying behaviour
(activity window and relative purchase rate) lives here too because it is a property of the customer;
``orders.py`` turns it into orders month by month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.generate.period import SECONDS_PER_DAY, Period
from analytics.generate.reference import (
    ACQUISITION_WEIGHTS,
    CITIES,
    EMAIL_DOMAIN_WEIGHTS,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    NICKNAMES,
    TIER_WEIGHTS,
    UTC_OFFSETS,
)

__all__ = ["CustomerBase", "build_customers", "pick", "count_for", "spread_minimum", "local_instants"]

PRE_PERIOD_SHARE = 0.30
SA_SHARE = 0.40
EARLY_ORDER_SHARE = 0.02       # first order delivered before the CRM row
DORMANT_PRE_PERIOD = 0.25      # old customers who no longer buy at all
NEVER_BUY_SHARE = 0.08         # new sign-ups who never place an order
MEAN_LIFETIME_DAYS = 720       # exponential time to drop-out once active
VIP_BY_TIER = (0.01, 0.03, 0.08, 0.25)


def count_for(rate: float, n: int, minimum: int = 0) -> int:
    """How many of ``n`` items a share ``rate`` means, but never fewer than ``minimum``."""
    return max(int(round(rate * n)), minimum)


def spread_minimum(rate: float, rows: int, minimum: int, m: int, months: int, so_far: int) -> int:
    """``rate`` of this month's ``rows``, topped up so that the whole period reaches ``minimum``.

    The floor is spread evenly: by the end of month ``m`` (0-based) at least ``minimum * (m+1) / months``
    items exist, so a small data set has a few of each kind without a long one having too many.
    """
    return max(count_for(rate, rows), math.ceil(minimum * (m + 1) / months) - so_far)


def pick(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct items of ``candidates`` (all of them if fewer), returned sorted."""
    k = min(k, len(candidates))
    if k == 0:
        return candidates[:0]
    return np.sort(rng.choice(candidates, size=k, replace=False))


def local_instants(rng: np.random.Generator, days: np.ndarray, offsets: np.ndarray,
                   first_hour: int = 8, last_hour: int = 23) -> np.ndarray:
    """UTC epoch seconds of a random local time of day between the given hours on each day."""
    seconds = rng.integers(first_hour * 3600, last_hour * 3600, size=len(days))
    return days.astype(np.int64) * SECONDS_PER_DAY + seconds - offsets


@dataclass
class CustomerBase:
    """Arrays indexed by customer position (customer number = position + 1)."""

    n: int
    id_width: int
    signup: np.ndarray          # day number
    country: np.ndarray         # 0 AE, 1 SA
    city: np.ndarray            # index into reference.CITIES
    first: np.ndarray           # index into MALE_FIRST_NAMES + FEMALE_FIRST_NAMES
    last: np.ndarray            # index into LAST_NAMES (name at signup; the email is built from it)
    nickname: np.ndarray        # index into NICKNAMES or -1
    email_domain: np.ndarray    # index into EMAIL_DOMAINS or -1 (no email)
    email_number: np.ndarray    # two-digit suffix or -1
    phone: np.ndarray           # 8 subscriber digits or -1 (no phone)
    tier: np.ndarray
    vip: np.ndarray
    flag: np.ndarray            # flag at signup, index into reference.FLAGS
    acquisition: np.ndarray
    crm_drop: np.ndarray        # day of the drop that first delivers the CRM row
    crm_updated: np.ndarray     # updated_at (UTC epoch seconds) of that first row
    propensity: np.ndarray      # relative purchase rate (gamma distributed)
    active_start: np.ndarray    # first day the customer may order
    active_end: np.ndarray      # last day the customer may order (before start: never orders)
    early_first_order: np.ndarray  # day of a forced first order before the CRM row arrives, or -1
    ever_flagged: np.ndarray    # flagged at signup or by a later update
    has_bought: np.ndarray      # state carried across months: bought (not cancelled) before

    @property
    def offsets(self) -> np.ndarray:
        return np.asarray(UTC_OFFSETS)[self.country]


def _signup_days(rng: np.random.Generator, n: int, period: Period) -> np.ndarray:
    n_pre = int(round(PRE_PERIOD_SHARE * n)) if period.end > period.start else n
    before = period.start - 1 - rng.integers(0, 5 * 365, size=n_pre)
    # In-period sign-ups grow mildly over time (square-root shaped cumulative curve inverted).
    span = max(period.end - period.start, 1)
    during = period.start + np.floor(span * rng.random(n - n_pre) ** 0.85).astype(np.int64)
    return np.sort(np.concatenate([before, during]))


def _cities(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    city = np.zeros(len(country), dtype=np.int16)
    for c in (0, 1):
        members = [i for i, row in enumerate(CITIES) if row[1] == c]
        weights = np.array([CITIES[i][2] for i in members])
        mask = country == c
        city[mask] = np.asarray(members)[rng.choice(len(members), size=int(mask.sum()),
                                                     p=weights / weights.sum())]
    return city


def build_customers(rng: np.random.Generator, n: int, period: Period) -> CustomerBase:
    """Draw ``n`` customers: identity, CRM attributes, first delivery and buying behaviour."""
    if n < 1:
        raise ValueError(f"customers must be at least 1, got {n}")
    signup = _signup_days(rng, n, period)
    country = (rng.random(n) < SA_SHARE).astype(np.int8)
    female = rng.random(n) < 0.48
    first = np.where(female, len(MALE_FIRST_NAMES) + rng.integers(0, len(FEMALE_FIRST_NAMES), n),
                     rng.integers(0, len(MALE_FIRST_NAMES), n)).astype(np.int16)
    nickname = np.where(rng.random(n) < 0.001, rng.integers(0, len(NICKNAMES), n), -1).astype(np.int8)
    email_domain = np.where(rng.random(n) < 0.04, -1,
                            rng.choice(len(EMAIL_DOMAIN_WEIGHTS), size=n, p=EMAIL_DOMAIN_WEIGHTS))
    email_number = np.where(rng.random(n) < 0.6, rng.integers(0, 100, n), -1)
    phone = np.where(rng.random(n) < 0.03, -1, rng.integers(0, 100_000_000, n))
    tier = rng.choice(len(TIER_WEIGHTS), size=n, p=TIER_WEIGHTS).astype(np.int8)
    vip = (rng.random(n) < np.asarray(VIP_BY_TIER)[tier]).astype(np.int8)
    flag = np.zeros(n, dtype=np.int8)
    flagged = pick(rng, np.arange(n), count_for(0.0025, n, 1))
    flag[flagged] = 1 + np.arange(len(flagged)) % 3
    acquisition = rng.choice(len(ACQUISITION_WEIGHTS), size=n, p=ACQUISITION_WEIGHTS).astype(np.int8)
    offsets = np.asarray(UTC_OFFSETS)[country]

    pre = signup < period.start
    crm_drop = np.where(pre, period.start, signup + 1)
    # Early-arriving orders: the first order is placed (and delivered) before the CRM row arrives.
    early = pick(rng, np.flatnonzero(~pre & (signup <= period.end - 9)), count_for(EARLY_ORDER_SHARE, n, 2))
    crm_drop[early] = signup[early] + 1 + rng.integers(2, 7, size=len(early))
    last_touch = np.where(pre, signup + rng.integers(0, np.maximum(period.start - signup, 1)), signup)
    crm_updated = local_instants(rng, last_touch, offsets)
    crm_updated = np.where(pre, np.minimum(crm_updated, period.start * SECONDS_PER_DAY - offsets - 1),
                           crm_updated)

    active_start = np.where(pre, period.start, signup)
    lifetime = np.ceil(rng.exponential(MEAN_LIFETIME_DAYS, n)).astype(np.int64)
    never = np.where(pre, rng.random(n) < DORMANT_PRE_PERIOD, rng.random(n) < NEVER_BUY_SHARE)
    active_end = np.where(never, active_start - 1, active_start + lifetime)
    early_first_order = np.full(n, -1, dtype=np.int64)
    early_first_order[early] = signup[early]
    active_start[early] = signup[early] + 1  # the forced order is the first; random ones follow
    active_end[early] = np.maximum(active_end[early], signup[early] + 30)

    return CustomerBase(
        n=n, id_width=max(5, len(str(n))), signup=signup, country=country, city=_cities(rng, country),
        first=first, last=rng.integers(0, len(LAST_NAMES), n).astype(np.int16), nickname=nickname,
        email_domain=email_domain, email_number=email_number, phone=phone, tier=tier, vip=vip,
        flag=flag, acquisition=acquisition, crm_drop=crm_drop, crm_updated=crm_updated,
        propensity=rng.gamma(0.9, 1.0, n), active_start=active_start, active_end=active_end,
        early_first_order=early_first_order, ever_flagged=flag > 0, has_bought=np.zeros(n, dtype=bool),
    )
