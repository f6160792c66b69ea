"""The generated period: its months, its daily drops and the calendar arithmetic on day numbers.

Dates are handled as day numbers (days since 1970-01-01, numpy ``datetime64[D]`` as integers) and
instants as epoch seconds, so that every calculation over millions of orders is integer numpy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_END_DATE", "Period", "build_period", "day_number", "day_to_date"]

DEFAULT_END_DATE = dt.date(2025, 11, 30)
SECONDS_PER_DAY = 86_400


def day_number(value: dt.date) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(value, "D").astype(np.int64))


def day_to_date(day: int) -> dt.date:
    return np.datetime64(int(day), "D").astype(dt.date)


@dataclass(frozen=True)
class Period:
    """The order period and its drops.

    ``month_starts`` holds the first day of each month of the period plus the first day after it;
    drops are dated ``start .. end`` (one per day) and the drop dated D carries what happened on D-1.
    """

    start: int
    end: int
    month_starts: np.ndarray

    @property
    def months(self) -> int:
        return len(self.month_starts) - 1

    @property
    def drop_days(self) -> np.ndarray:
        return np.arange(self.start, self.end + 1)

    def month_bounds(self, m: int) -> tuple[int, int]:
        """First and last day of month ``m`` (0-based)."""
        return int(self.month_starts[m]), int(self.month_starts[m + 1]) - 1

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """0-based month index of each day (-1 before the period)."""
        return np.searchsorted(self.month_starts, days, side="right") - 1

    def store_schedule(self) -> tuple[int | None, int | None]:
        """Drop days of the identical re-drop of pos_stores.csv and of the file with the new store."""
        length = self.end - self.start
        redrop = self.start + max(2, round(0.15 * length))
        new_store = self.start + max(4, round(0.40 * length))
        return (redrop if redrop <= self.end else None,
                new_store if redrop < new_store <= self.end else None)

    def fx_correction(self) -> tuple[int, int] | None:
        """(rate day, drop day) of the SAR rate that is first delivered wrong and corrected later.

        The 10th of the middle month, corrected four days later: inside the month, before its freeze.
        """
        m = self.months // 2
        first, last = self.month_bounds(m)
        rate_day = min(first + 9, last)
        correction_drop = rate_day + 5
        if correction_drop > self.end:
            rate_day, correction_drop = self.start + 1, self.start + 6
        return (rate_day, correction_drop) if correction_drop <= self.end else None


def build_period(months: int, end_date: dt.date) -> Period:
    """The ``months`` calendar months ending with ``end_date``'s month; drops run through ``end_date``."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    end_month = np.datetime64(end_date, "M")
    starts = np.arange(end_month - (months - 1), end_month + 2).astype("datetime64[D]")
    month_starts = starts.astype(np.int64)
    return Period(int(month_starts[0]), day_number(end_date), month_starts)
