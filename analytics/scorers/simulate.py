"""Customers drawn from BG/NBD and Gamma-Gamma with known parameters, for recovery tests and benchmarks.

Exact and vectorised, no per-customer loop. BG/NBD (Fader, Hardie & Lee 2005): with lambda ~ Gamma(r,
alpha) and p ~ Beta(a, b), a live customer's repeat purchases form a Poisson(lambda) process and they
leave right after the J-th repeat purchase, J ~ Geometric(p). So with n ~ Poisson(lambda T) purchases the
process would make by T, frequency x = min(n, J); given n, purchase times are n uniform order statistics
on (0, T), so recency is T times the x-th of them, T * Beta(x, n - x + 1). Gamma-Gamma: nu ~ Gamma(q,
gamma) and each purchase value ~ Gamma(p, nu), so the mean of x values is Gamma(p x, nu x).

``simulate_churn_frames`` draws order histories with a known churn mechanism and summarises them into the
churn scorer's feature extract (training frame with its label, and scoring frame).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["simulate_bgnbd", "simulate_churn_frames", "simulate_gamma_gamma"]


def simulate_bgnbd(
    r: float, alpha: float, a: float, b: float, T: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, recency) for customers observed for ``T`` (one value per customer) after their first
    purchase; recency in the unit of T and alpha."""
    T = np.asarray(T, dtype=float)
    rate = rng.gamma(r, 1.0 / alpha, T.shape)
    dropout_p = np.clip(rng.beta(a, b, T.shape), 1e-12, 1.0)
    would_buy = rng.poisson(rate * T)
    leaves_after = rng.geometric(dropout_p)
    frequency = np.minimum(would_buy, leaves_after)
    repeat = frequency > 0
    last = rng.beta(np.where(repeat, frequency, 1), np.where(repeat, would_buy - frequency + 1, 1))
    return frequency.astype(np.int64), np.where(repeat, T * last, 0.0)


def simulate_gamma_gamma(
    p: float, q: float, gamma: float, frequency: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Mean value of each customer's ``frequency`` repeat purchases (0 where frequency is 0)."""
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / gamma, x.shape)
    repeat = x > 0
    mean = rng.gamma(np.where(repeat, p * x, 1.0), 1.0 / (nu * np.where(repeat, x, 1.0)))
    return np.where(repeat, mean, 0.0)


def simulate_churn_frames(
    customers: int, seed: int, snapshot: Any = "2025-10-31", horizon_days: int = 90
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, score): the churn scorer's feature extract at cut-off C = snapshot - horizon with its label
    ``churned`` (no order in (C, snapshot]), and the same customers' extract at ``snapshot`` (no label).

    Order histories are drawn day by day, then summarised exactly as the SQL extract defines its columns, so
    windows nest and the label is the future of the same histories. The churn mechanism, per customer:
    a purchase rate lambda ~ Gamma (mean one order per 40 days, loyalty tier and VIP a little higher); 30% leave
    right after the first order; the others leave after an exponential lifetime that is shorter for customers
    who return much (return propensity ~ Beta(0.6, 8)) and longer for VIPs; in their last 150 days before
    leaving they buy at 35% of their rate (so trends and "overdue vs own interval" carry signal). Whether a
    customer orders in the next ``horizon_days`` depends on being alive and on lambda, so recency, frequency,
    trend and returns all inform the label and none decides it alone.
    """
    rng = np.random.default_rng(seed)
    n = int(customers)
    h = int(horizon_days)
    end = pd.Timestamp(snapshot).normalize()
    # days relative to the cut-off C = 0; the snapshot is day h
    first = rng.integers(-720, h + 1, n)
    tier_code = rng.choice(4, n, p=[0.45, 0.3, 0.18, 0.07])  # none, Silver, Gold, Platinum
    vip = rng.random(n) < 0.05
    rate = rng.gamma(1.5, 1.0 / (1.5 * 40.0), n) * (1.0 + 0.15 * tier_code) * np.where(vip, 1.3, 1.0)
    return_p = rng.beta(0.6, 8.0, n)
    lifetime = rng.exponential(700.0 * np.exp(-6.0 * return_p) * np.where(vip, 1.8, 1.0))
    death = np.where(rng.random(n) < 0.25, first.astype(float), first + lifetime)
    wind_down = np.maximum(death - 150.0, first)
    stop = np.minimum(death, float(h) + 1.0)  # nothing after the snapshot is needed

    # repeat orders: a Poisson process at `rate` on (first, wind_down) and at 0.35 rate on (wind_down, stop)
    seg_start = np.concatenate([first.astype(float), wind_down])
    seg_end = np.concatenate([np.minimum(wind_down, stop), stop])
    seg_rate = np.concatenate([rate, 0.35 * rate])
    seg_len = np.clip(seg_end - seg_start, 0.0, None)
    counts = rng.poisson(seg_rate * seg_len)
    owner = np.repeat(np.tile(np.arange(n), 2), counts)
    times = np.repeat(seg_start, counts) + rng.random(counts.sum()) * np.repeat(seg_len, counts)
    cust = np.concatenate([np.arange(n), owner])
    day = np.concatenate([first, np.floor(times).astype(np.int64)])
    keep = day <= h
    cust, day = cust[keep], day[keep]
    basket = rng.lognormal(np.log(220.0), 0.45, n)
    value = np.round(basket[cust] * rng.lognormal(0.0, 0.5, len(cust)), 2)
    returned = rng.random(len(cust)) < return_p[cust]

    extras = {
        "loyalty_tier": np.array([None, "Silver", "Gold", "Platinum"], dtype=object)[tier_code],
        "is_vip_flag": vip.astype(np.int64),
        "region": rng.choice(np.array(["UAE", "KSA", None], dtype=object), n, p=[0.6, 0.37, 0.03]),
        "acquisition_channel": rng.choice(
            np.array(["web", "pos", "marketplace", "referral", None], dtype=object), n, p=[0.4, 0.3, 0.15, 0.1, 0.05]
        ),
        "costed": rng.random(n) < 0.5,
    }
    ids = pd.Series(np.arange(n)).map("C{:07d}".format).to_numpy()
    train = _churn_features(ids, cust, day, value, returned, extras, as_of=0, n=n, date=end - pd.Timedelta(days=h))
    future = np.bincount(cust[(day > 0) & (day <= h)], minlength=n) > 0
    train = train.assign(churned=(~future[train.index.to_numpy()]).astype(np.int64)).reset_index(drop=True)
    score = _churn_features(ids, cust, day, value, returned, extras, as_of=h, n=n, date=end).reset_index(drop=True)
    return train, score


def _churn_features(
    ids: np.ndarray,
    cust: np.ndarray,
    day: np.ndarray,
    value: np.ndarray,
    returned: np.ndarray,
    extras: dict[str, np.ndarray],
    as_of: int,
    n: int,
    date: pd.Timestamp,
) -> pd.DataFrame:
    """The feature extract at day ``as_of`` from order events (customer index, day, value, returned); rows
    are the customers with an order on or before ``as_of``, indexed by customer index."""
    seen = day <= as_of
    cust, day, value, returned = cust[seen], day[seen], value[seen], returned[seen]
    order = np.lexsort((day, cust))
    cust, day, value, returned = cust[order], day[order], value[order], returned[order]
    age = as_of - day  # 0 = today; window "last k days" is age < k

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cust[mask], weights=None if weights is None else weights[mask], minlength=n)

    every = np.ones(len(cust), dtype=bool)
    # purchase days: orders of one customer on one day are one purchase day
    new_day = np.ones(len(cust), dtype=bool)
    new_day[1:] = (cust[1:] != cust[:-1]) | (day[1:] != day[:-1])
    p_cust, p_day = cust[new_day], day[new_day]
    p_value = np.add.reduceat(value, np.flatnonzero(new_day)) if len(value) else value
    first_of_cust = np.ones(len(p_cust), dtype=bool)
    first_of_cust[1:] = p_cust[1:] != p_cust[:-1]
    days_total = np.bincount(p_cust, minlength=n)
    first_day = np.full(n, np.iinfo(np.int64).max)
    last_day = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first_day, p_cust, p_day)
    np.maximum.at(last_day, p_cust, p_day)
    first_value = np.bincount(p_cust[first_of_cust], weights=p_value[first_of_cust], minlength=n)
    gap = np.diff(p_day).astype(float)
    inner = ~first_of_cust[1:]  # gaps between two purchase days of the same customer
    gap_cust = p_cust[1:][inner]
    gap = gap[inner]
    g_n = np.bincount(gap_cust, minlength=n)
    g_sum = np.bincount(gap_cust, weights=gap, minlength=n)
    g_sq = np.bincount(gap_cust, weights=gap * gap, minlength=n)

    rows = np.flatnonzero(days_total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_gap = np.where(g_n >= 1, g_sum / g_n, np.nan)
        var_gap = np.where(g_n >= 2, (g_sq - g_n * avg_gap**2) / (g_n - 1), np.nan)
    spend_total = count(every, value)
    costed = extras["costed"]
    base = pd.Timestamp(date) - pd.Timedelta(days=as_of)  # the calendar date of day 0
    frame = {
        "customer_id_nat": ids,
        "snapshot_date": np.full(n, pd.Timestamp(date).normalize().to_datetime64()),
        "first_order_date": base + pd.to_timedelta(np.where(days_total > 0, first_day, 0), unit="D"),
        "last_order_date": base + pd.to_timedelta(np.where(days_total > 0, last_day, 0), unit="D"),
        "orders_total": count(every),
        "purchase_days_total": days_total,
        **{f"orders_{k}d": count(age < k) for k in (30, 90, 180, 365)},
        "orders_prev_90d": count((age >= 90) & (age < 180)),
        "spend_total_aed": spend_total,
        **{f"spend_{k}d_aed": count(age < k, value) for k in (30, 90, 180, 365)},
        "spend_prev_90d_aed": count((age >= 90) & (age < 180), value),
        "repeat_spend_aed": spend_total - first_value,
        "recency_days": last_day - first_day,
        "T_days": as_of - first_day,
        "days_since_last_order": as_of - last_day,
        "tenure_days": as_of - first_day,
        "avg_days_between_orders": avg_gap,
        "std_days_between_orders": np.sqrt(np.clip(var_gap, 0.0, None)),
        "returns_90d": count(returned & (age < 90)),
        "returns_90d_aed": count(returned & (age < 90), value),
        "revenue_with_cost_aed": np.where(costed, spend_total, 0.0),
        "cost_aed": np.where(costed, np.round(0.62 * spend_total, 2), 0.0),
        "loyalty_tier": extras["loyalty_tier"],
        "is_vip_flag": extras["is_vip_flag"],
        "region": extras["region"],
        "acquisition_channel": extras["acquisition_channel"],
    }
    out = pd.DataFrame({k: (v[rows] if isinstance(v, np.ndarray) else np.asarray(v)[rows]) for k, v in frame.items()},
                       index=rows)
    for k in ("spend_total_aed", "repeat_spend_aed", "revenue_with_cost_aed", "cost_aed", "returns_90d_aed",
              "spend_prev_90d_aed", *(f"spend_{d}d_aed" for d in (30, 90, 180, 365))):
        out[k] = out[k].round(2)
    return out
