"""Orders of one calendar month: who buys where and when, and what each order becomes.

Per customer and month the order count is Poisson with a gamma-distributed rate (heterogeneous
customers) over the days the customer is active (sign-up to drop-out), scaled by a seasonal factor.
Guests add about 8 % of orders. The month's orders are then shaped in vectorised steps — store and
channel, time of day, a few orders moved next to the month boundary, returns, statuses, flags, lines —
and ``delivery.py`` decides in which drops their rows arrive.

Rare scenarios the loader must handle are drawn at their rate but with a floor per month, so that a
small test data set contains each of them; orders carrying a guaranteed scenario are ``protected``
from the other random twists (a flag, a cancellation, a defect) that would hide it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.generate.customers import CustomerBase, count_for, pick, spread_minimum
from analytics.generate.items import Lines, build_lines, vat_cents
from analytics.generate.period import SECONDS_PER_DAY, Period
from analytics.generate.reference import (
    ALL_STORES,
    CANCELLED,
    COMPLETED,
    FULFILLED,
    NEW_STORE_INDEX,
    RETURN,
    UTC_OFFSETS,
    VAT_PERCENT,
    Catalogue,
    home_store_table,
)

__all__ = ["MonthOrders", "OrderModel"]

CUSTOMER_ORDERS_PER_24_MONTHS = 13.8   # plus ~8 % guest orders: ~15 orders per customer in all
GUEST_SHARE = 0.08
OTHER_COUNTRY_SHARE = 0.03
CHANNEL_SHARES = (0.62, 0.28, 0.10)    # POS, WEB, MARKETPLACE
HOME_STORE_SHARE = 0.85
RETURN_SHARE = 0.058                   # of customer orders with an earlier purchase: ~5 % overall
# Month-of-year demand: Dubai Shopping Festival (Dec-Jan), summer lull, White Friday (Nov).
SEASON = (1.10, 0.92, 0.95, 1.00, 0.95, 0.88, 0.85, 0.95, 0.97, 1.00, 1.25, 1.18)
# Hour-of-day shares: malls trade 10:00-24:00 (later at weekends); online peaks in the evening.
POS_HOURS = np.array([2, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10, 9, 6], float)
WEB_HOURS = np.array([3, 2, 1, .5, .5, .5, 1, 2, 3, 4, 4, 4, 5, 5, 5, 5, 5, 6, 7, 8, 9, 9, 8, 5], float)
STATUS_POS = (0.955, 0.0, 0.025, 0.02)     # COMPLETED, FULFILLED, CANCELLED, PENDING
STATUS_ONLINE = (0.03, 0.85, 0.07, 0.05)
STATUS_RETURN = (0.97, 0.0, 0.01, 0.02)

STORE_COUNTRY = np.array([s.country for s in ALL_STORES])
STORE_OFFSET = np.asarray(UTC_OFFSETS)[STORE_COUNTRY]
STORE_ONLINE = np.array([s.channel != "POS" for s in ALL_STORES])


@dataclass
class MonthOrders:
    """The orders of one month, sorted by time (position = order number - ``first_no``)."""

    first_no: int
    customer: np.ndarray     # customer position, -1 for a guest
    store: np.ndarray
    day: np.ndarray          # store-local date (day number)
    utc: np.ndarray          # order_ts as UTC epoch seconds
    zulu: np.ndarray         # order_ts written in UTC with Z instead of the local offset
    order_type: np.ndarray
    status: np.ndarray       # status of the first delivery
    flag: np.ndarray
    net: np.ndarray          # cents
    vat: np.ndarray          # cents
    lines: Lines
    protected: np.ndarray    # carries a guaranteed scenario: no flag, late delivery or defect on top

    def __len__(self) -> int:
        return len(self.customer)


def _hours_cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


class OrderModel:
    """Draws the orders of the period month by month (months must be asked for in order)."""

    def __init__(self, rng: np.random.Generator, base: CustomerBase, period: Period,
                 catalogue: Catalogue, new_store_day: int | None) -> None:
        self.rng, self.base, self.period, self.catalogue = rng, base, period, catalogue
        self.new_store_day = new_store_day if new_store_day is not None else period.end + 1
        self.next_no = 1
        self.flagged_so_far = 0
        target = CUSTOMER_ORDERS_PER_24_MONTHS * base.n * period.months / 24
        exposure = np.zeros(base.n)
        for m in range(period.months):
            exposure += self._active_days(m)[2] * self._season(m)
        weighted = float((base.propensity * exposure).sum())
        self.daily_rate = base.propensity * (target / weighted if weighted > 0 else 0.0)

    def _season(self, m: int) -> float:
        month_of_year = int(np.datetime64(int(self.period.month_starts[m]), "D").astype("datetime64[M]")
                            .astype(np.int64) % 12)
        return SEASON[month_of_year]

    def _active_days(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        first, last = self.period.month_bounds(m)
        lo = np.maximum(self.base.active_start, first)
        hi = np.minimum(self.base.active_end, last)
        return lo, hi, np.maximum(hi - lo + 1, 0)

    # -- who, where and when ---------------------------------------------------------------------------
    def _draw_customers_and_days(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng, base = self.rng, self.base
        first, last = self.period.month_bounds(m)
        lo, _, days = self._active_days(m)
        counts = rng.poisson(self.daily_rate * days * self._season(m))
        customer = np.repeat(np.arange(base.n), counts)
        day = lo[customer] + np.floor(rng.random(len(customer)) * days[customer]).astype(np.int64)
        early = np.flatnonzero((base.early_first_order >= first) & (base.early_first_order <= last))
        n_guest = rng.poisson(len(customer) * GUEST_SHARE / (1 - GUEST_SHARE))
        guest_day = first + rng.integers(0, last - first + 1, n_guest)
        customer = np.concatenate([customer, early, np.full(n_guest, -1)])
        day = np.concatenate([day, base.early_first_order[early], guest_day])
        forced = np.zeros(len(customer), dtype=bool)
        forced[len(customer) - n_guest - len(early): len(customer) - n_guest] = True
        return customer, day, forced

    def _stores(self, customer: np.ndarray, day: np.ndarray) -> np.ndarray:
        rng, base = self.rng, self.base
        n = len(customer)
        guest = customer < 0
        home_country = np.where(guest, (rng.random(n) < 0.4).astype(np.int64), base.country[customer])
        abroad = ~guest & (rng.random(n) < OTHER_COUNTRY_SHARE)
        country = np.where(abroad, 1 - home_country, home_country)
        channel = rng.choice(3, size=n, p=CHANNEL_SHARES)
        opened = day >= self.new_store_day
        store = np.empty(n, dtype=np.int64)
        for c in (0, 1):  # walk-in traffic spread over the country's malls by their weight
            for is_open in (False, True):
                pos = [i for i, s in enumerate(ALL_STORES) if s.country == c and s.channel == "POS"
                       and (is_open or i != NEW_STORE_INDEX)]
                weights = np.array([ALL_STORES[i].weight for i in pos])
                mask = (country == c) & (opened == is_open)
                store[mask] = np.asarray(pos)[rng.choice(len(pos), size=int(mask.sum()),
                                                         p=weights / weights.sum())]
        at_home = ~guest & ~abroad & (rng.random(n) < HOME_STORE_SHARE)
        city = base.city[np.maximum(customer, 0)]
        pick_u = rng.random(n)
        for is_open in (False, True):
            table, counts = home_store_table(is_open)
            mask = at_home & (opened == is_open)
            c = city[mask]
            store[mask] = table[c, np.floor(pick_u[mask] * counts[c]).astype(np.int64)]
        web = {(s.country, s.channel): i for i, s in enumerate(ALL_STORES) if s.channel != "POS"}
        for c in (0, 1):
            store[(channel == 1) & (country == c)] = web[(c, "WEB")]
            store[(channel == 2) & (country == c)] = web[(c, "MARKETPLACE")]
        return store

    def _times(self, store: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Store-local seconds since midnight, from the channel's hour-of-day profile."""
        rng = self.rng
        online = STORE_ONLINE[store]
        u = rng.random(len(store))
        hour = np.where(online, np.searchsorted(_hours_cdf(WEB_HOURS), u, side="right"),
                        np.searchsorted(_hours_cdf(POS_HOURS), u, side="right"))
        return np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, len(store))

    def _month_boundary(self, m: int, customer: np.ndarray, store: np.ndarray, day: np.ndarray,
                        seconds: np.ndarray, forced: np.ndarray) -> np.ndarray:
        """Move ~1 % of orders to within 2 hours of local midnight at the month's edges.

        Orders in the first two local hours of the 1st fall in the previous month in UTC, in both zones.
        Only customers active the whole month are moved, so no order lands outside their window.
        """
        first, last = self.period.month_bounds(m)
        base = self.base
        c = np.maximum(customer, 0)
        whole_month = (customer < 0) | ((base.active_start[c] <= first) & (base.active_end[c] >= last))
        moved = np.zeros(len(customer), dtype=bool)
        for country in (0, 1):
            candidates = np.flatnonzero(whole_month & ~forced & (STORE_COUNTRY[store] == country))
            k = count_for(0.005, len(candidates), 1)
            chosen = pick(self.rng, candidates, 2 * k)
            after = chosen[: len(chosen) // 2 + len(chosen) % 2]
            before = chosen[len(after):]
            day[after], seconds[after] = first, self.rng.integers(0, 7200, len(after))
            day[before], seconds[before] = last, self.rng.integers(22 * 3600, 24 * 3600, len(before))
            moved[chosen] = True
        return moved

    # -- what the orders are --------------------------------------------------------------------------
    def _statuses(self, store: np.ndarray, is_return: np.ndarray) -> np.ndarray:
        n = len(store)
        rng = self.rng
        pos = rng.choice(4, size=n, p=STATUS_POS)
        online = rng.choice(4, size=n, p=STATUS_ONLINE)
        returned = rng.choice(4, size=n, p=STATUS_RETURN)
        return np.where(is_return, returned, np.where(STORE_ONLINE[store], online, pos))

    def _returns(self, customer: np.ndarray, utc: np.ndarray, status: np.ndarray,
                 forced: np.ndarray) -> np.ndarray:
        """RETURN orders, only for customers with an earlier, not cancelled purchase."""
        candidate = (customer >= 0) & ~forced & (self.rng.random(len(customer)) < RETURN_SHARE)
        if len(customer) == 0:
            return candidate
        anchor = (customer >= 0) & ~candidate & (status != CANCELLED)
        order = np.lexsort((utc, customer))
        c, a = customer[order], anchor[order].astype(np.int64)
        before = np.cumsum(a) - a
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        group = np.cumsum(np.r_[True, c[1:] != c[:-1]]) - 1
        prior = np.empty(len(order), dtype=np.int64)
        prior[order] = before - before[starts][group]
        bought_before = self.base.has_bought[np.maximum(customer, 0)]
        return candidate & (bought_before | (prior > 0))

    def _ensure_cross_region(self, customer: np.ndarray, store: np.ndarray, utc: np.ndarray,
                             order_type: np.ndarray, status: np.ndarray, protected: np.ndarray) -> None:
        """Make sure some customer has qualified orders in both countries in this month."""
        qualified = ((customer >= 0) & (order_type == 0) & ((status == COMPLETED) | (status == FULFILLED))
                     & ~self.base.ever_flagged[np.maximum(customer, 0)] & ~protected)
        q = np.flatnonzero(qualified)
        countries = np.zeros((self.base.n, 2), dtype=np.int64)
        np.add.at(countries, (customer[q], STORE_COUNTRY[store[q]]), 1)
        both = np.flatnonzero((countries > 0).all(axis=1))
        if len(both) == 0:
            several = np.flatnonzero(countries.sum(axis=1) >= 2)
            if len(several) == 0:
                return
            who = pick(self.rng, several, 1)[0]
            mine = q[customer[q] == who]
            moved, other = mine[-1], 1 - STORE_COUNTRY[store[mine[-1]]]
            web = next(i for i, s in enumerate(ALL_STORES) if s.country == other and s.channel == "WEB")
            utc[moved] += STORE_OFFSET[store[moved]] - STORE_OFFSET[web]  # same local wall time
            store[moved] = web
        else:
            who = pick(self.rng, both, 1)[0]
        protected[q[customer[q] == who]] = True

    def _ensure_return_only(self, m: int, customer: np.ndarray, order_type: np.ndarray,
                            status: np.ndarray, protected: np.ndarray, forced: np.ndarray) -> None:
        """Make sure some customer has only RETURN orders in this month (from the second month)."""
        if m == 0:
            return
        known = customer >= 0
        orders = np.bincount(customer[known], minlength=self.base.n)
        returns = np.bincount(customer[known], weights=order_type[known] == RETURN, minlength=self.base.n)
        only = np.flatnonzero((orders > 0) & (returns == orders))
        if len(only) == 0:
            single = np.flatnonzero((orders == 1) & self.base.has_bought)
            single = single[~self.base.ever_flagged[single]]
            rows = np.flatnonzero(known & ~protected & ~forced)
            rows = rows[np.isin(customer[rows], single)]
            if len(rows) == 0:
                return
            row = pick(self.rng, rows, 1)
            order_type[row], status[row] = RETURN, COMPLETED
            protected[row] = True
        else:
            protected[np.isin(customer, pick(self.rng, only, 1))] = True

    def month(self, m: int) -> MonthOrders:
        """Draw the orders whose store-local date falls in month ``m``."""
        rng, base = self.rng, self.base
        customer, day, forced = self._draw_customers_and_days(m)
        store = self._stores(customer, day)
        seconds = self._times(store, day)
        boundary = self._month_boundary(m, customer, store, day, seconds, forced)
        utc = day * SECONDS_PER_DAY + seconds - STORE_OFFSET[store]
        order = np.lexsort((customer, utc))
        customer, day, forced, store, utc, boundary = (a[order] for a in (customer, day, forced, store, utc,
                                                                          boundary))
        n = len(customer)
        status = self._statuses(store, np.zeros(n, dtype=bool))
        status[forced] = np.where(STORE_ONLINE[store[forced]], FULFILLED, COMPLETED)
        is_return = self._returns(customer, utc, status, forced)
        status = np.where(is_return, self._statuses(store, np.ones(n, dtype=bool)), status)
        order_type = is_return.astype(np.int64)
        protected = forced | boundary
        self._ensure_cross_region(customer, store, utc, order_type, status, protected)
        self._ensure_return_only(m, customer, order_type, status, protected, forced)

        flag = np.zeros(n, dtype=np.int64)
        flagged = pick(rng, np.flatnonzero(~protected),
                       spread_minimum(0.003, n, 3, m, self.period.months, self.flagged_so_far))
        flag[flagged] = 1 + (np.arange(len(flagged)) + self.flagged_so_far) % 3
        self.flagged_so_far += len(flagged)
        currency = STORE_COUNTRY[store]
        lines = build_lines(rng, self.catalogue, order_type == RETURN, currency)
        net = lines.order_net
        vat = vat_cents(net, np.asarray(VAT_PERCENT)[currency])

        sold = customer[(customer >= 0) & (order_type == 0) & (status != CANCELLED)]
        base.has_bought[sold] = True
        first_no = self.next_no
        self.next_no += n
        return MonthOrders(first_no=first_no, customer=customer, store=store, day=day, utc=utc,
                           zulu=rng.random(n) < 0.20, order_type=order_type, status=status, flag=flag,
                           net=net, vat=vat, lines=lines, protected=protected)
