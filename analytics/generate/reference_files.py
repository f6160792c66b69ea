"""The small reference files: ``pos_stores.csv`` and ``fx_rates.csv``.

Stores: the full file in the first drop, the same bytes again in a later drop (a re-dropped file the
loader must skip by content hash), and a full file with one new store in a later drop.

FX: the drop dated D carries the AED and SAR rates of day D-1 (so every order, delivered at the earliest
the day after its local date, finds its rate in the same or an earlier drop). One SAR rate is first
delivered with two digits swapped (0.9739… instead of 0.9793…) and corrected a few drops later with the
same rate_date; the latest ingestion wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.generate.period import Period
from analytics.generate.reference import ALL_STORES, COUNTRIES, CURRENCIES, REGIONS, STORES, TIMEZONES
from analytics.generate.render import amounts, dates, join_lines, lookup, quote_needed

__all__ = ["fx_rows", "render_fx", "stores_body"]

SAR_RATE = 0.9793
RATE_UNITS = 10**8  # rates carry 8 decimals


def fx_rows(rng: np.random.Generator, period: Period) -> tuple[pd.DataFrame, dict]:
    """FX rows with their drop day: a rate per currency per day, plus one corrected rate."""
    rate_days = np.arange(period.start - 1, period.end)
    # The SAR peg moves very little: mean-reverting noise of a few hundredths of a percent.
    shocks = rng.normal(0.0, 0.00004, len(rate_days))
    level = np.empty(len(rate_days))
    previous = 0.0
    for i, shock in enumerate(shocks):  # a loop over days, not rows
        previous = 0.8 * previous + shock
        level[i] = SAR_RATE + previous
    sar = np.round(level * RATE_UNITS).astype(np.int64)
    frame = pd.DataFrame({
        "drop": np.repeat(rate_days + 1, 2),
        "rate_day": np.repeat(rate_days, 2),
        "currency": np.tile([0, 1], len(rate_days)),
        "rate": np.column_stack([np.full(len(rate_days), RATE_UNITS), sar]).ravel(),
    })
    stats = {"fx_corrections": 0}
    correction = period.fx_correction()
    if correction is not None:
        rate_day, correction_drop = correction
        wrong = (frame["rate_day"] == rate_day) & (frame["currency"] == 1)
        right = frame[wrong].copy()
        right["drop"] = correction_drop
        frame.loc[wrong, "rate"] -= 540_000  # 0.9793… delivered as 0.9739…
        frame = pd.concat([frame, right], ignore_index=True)
        stats["fx_corrections"] = 1
    frame = frame.sort_values(["drop", "rate_day", "currency"], kind="stable").reset_index(drop=True)
    return frame, stats


def render_fx(rows: pd.DataFrame) -> pa.Array:
    """CSV lines of ``fx_rates.csv``."""
    return join_lines([dates(rows["rate_day"].to_numpy()), lookup(CURRENCIES, rows["currency"].to_numpy()),
                       amounts(rows["rate"].to_numpy(), 8)])


def stores_body(with_new_store: bool) -> bytes:
    """The body (without header) of a full ``pos_stores.csv``."""
    stores = ALL_STORES if with_new_store else STORES
    country = np.array([s.country for s in stores])
    columns = [
        lookup([s.store_id for s in stores], np.arange(len(stores))),
        quote_needed(lookup([s.store_name for s in stores], np.arange(len(stores)))),
        lookup(COUNTRIES, country),
        lookup(REGIONS, country),
        lookup(TIMEZONES, country),
        lookup([s.channel for s in stores], np.arange(len(stores))),
    ]
    return "".join(join_lines(columns).to_pylist()).encode("utf-8")
