"""Per-SKU price-behaviour flags from the SKU's price history (DESIGN §5, issue 4 item 4).

History: the classified lines whose category is in ``PriceFlagSettings.history_categories`` — by default
the product-sale lines ``sale``, ``missing_customer`` (a guest pays the same shelf price) and
``zero_price`` (the free items, which ``zero_or_manual`` is about). Returns, charges, corrections and
stock movements are not prices a customer was offered and stay out.

Definitions (all per SKU, prices compared exactly in micro-units):

- **price level**: the distinct prices sorted ascending are cut into levels wherever a price exceeds the
  previous one by more than ``tolerance`` (relative; default 2 %) — so 2.55 and 2.56 are one level,
  2.55 and 2.95 two. ``price_levels`` counts them, ``distinct_prices`` counts exact prices.
- **price_changes**: the lines in time order (ties at one timestamp ordered by level), the number of
  times the level differs from the previous line's.

Flags, the first that applies:

1. ``zero_or_manual`` — some price is zero or negative, or (``flag_sub_cent_prices``) not a whole
   number of cents (0.001: a hand-keyed token price, not a list price).
2. ``normal`` — max price <= min price × (1 + ``tolerance``): one price, or all within the tolerance.
3. ``one_off_price_change`` — exactly two levels and one change: every line at the first level is
   older than every line at the second, i.e. the two levels' date ranges do not overlap.
4. ``oscillating_or_promotional`` — 2 to ``max_oscillating_levels`` (default 3) levels and at least as
   many changes as levels, i.e. the price went back to a level it had left: the levels' date ranges
   interleave (promotions, alternating price lists).
5. ``complex`` — anything else: more levels than ``max_oscillating_levels``, a one-way staircase of
   several changes, or many small steps that drift beyond the tolerance.

One groupby pass and two sorts over the history; no per-SKU Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PRICE_FLAGS", "PRICE_FLAG_COLUMNS", "PriceFlagSettings", "flag_prices"]

PRICE_FLAGS = ("normal", "oscillating_or_promotional", "zero_or_manual", "one_off_price_change", "complex")
PRICE_FLAG_COLUMNS = ["stock_code", "description", "lines", "distinct_prices", "price_levels", "min_price",
                      "max_price", "first_sold", "last_sold", "price_changes", "price_flag"]
_REQUIRED = ("StockCode", "Description", "UnitPrice", "InvoiceDate", "category")


@dataclass(frozen=True)
class PriceFlagSettings:
    """Thresholds of the price flags (see the module docstring for how each is used)."""

    tolerance: float = 0.02
    max_oscillating_levels: int = 3
    history_categories: tuple[str, ...] = ("sale", "missing_customer", "zero_price")
    flag_sub_cent_prices: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1), got {self.tolerance}")
        if self.max_oscillating_levels < 2:
            raise ValueError(f"max_oscillating_levels must be at least 2, got {self.max_oscillating_levels}")


def _sort_order(*keys: np.ndarray) -> np.ndarray:
    """Indices sorting by ``keys`` (most significant first), stable: one int64 sort when the keys fit."""
    spans = [int(k.max()) - int(k.min()) + 1 if len(k) else 1 for k in keys]
    if float(np.prod([float(x) for x in spans])) >= 2.0**62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, span in zip(keys, spans, strict=True):
        packed = packed * span + (key - key.min() if len(key) else key)
    return np.argsort(packed, kind="stable")


def _most_frequent(sku: np.ndarray, label: np.ndarray, n_skus: int) -> np.ndarray:
    """Per SKU, the most frequent label code (labels coded in sorted order, -1 = none; ties: smallest code)."""
    best = np.full(n_skus, -1, dtype=np.int64)
    known = label >= 0
    if not known.any():
        return best
    width = int(label.max()) + 1
    pairs, counts = np.unique(sku[known] * width + label[known], return_counts=True)
    pair_sku, pair_label = np.divmod(pairs, width)
    order = _sort_order(pair_sku, -counts, pair_label)  # per SKU: most lines first, then smallest code
    first = order[np.r_[True, pair_sku[order][1:] != pair_sku[order][:-1]]]
    best[pair_sku[first]] = pair_label[first]
    return best


def _levels(sku: np.ndarray, micros: np.ndarray, tolerance: float, n_skus: int) -> tuple[np.ndarray, np.ndarray]:
    """(level id of each line, number of levels per SKU): cuts where a price jumps by more than ``tolerance``."""
    order = _sort_order(sku, micros)
    s_sku, s_price = sku[order], micros[order]
    first_of_sku = np.r_[True, s_sku[1:] != s_sku[:-1]]
    previous = np.r_[0, s_price[:-1]]
    jump = np.where(previous > 0, s_price > previous * (1.0 + tolerance), s_price != previous)
    new_level = first_of_sku | jump
    level = np.empty(len(sku), dtype=np.int64)
    level[order] = np.cumsum(new_level) - 1
    return level, np.bincount(s_sku, weights=new_level, minlength=n_skus).astype(np.int64)


def _changes(sku: np.ndarray, stamp: np.ndarray, level: np.ndarray, n_skus: int) -> np.ndarray:
    """Per SKU, how often the level differs from the previous line's, in time order."""
    order = _sort_order(sku, stamp, level)
    s_sku, s_level = sku[order], level[order]
    changed = (s_sku[1:] == s_sku[:-1]) & (s_level[1:] != s_level[:-1])
    return np.bincount(s_sku[1:][changed], minlength=n_skus).astype(np.int64)


def _empty_flags() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in PRICE_FLAG_COLUMNS})
    return frame.assign(price_flag=pd.Categorical([], categories=list(PRICE_FLAGS)))


def flag_prices(classified: pd.DataFrame, settings: PriceFlagSettings | None = None) -> pd.DataFrame:
    """One row per SKU of the price history: counts, range, dates and ``price_flag`` (``PRICE_FLAGS``).

    Required columns: StockCode, Description, UnitPrice, InvoiceDate, category (``classify``'s output).
    Sorted by stock code; ``price_flag`` is categorical in ``PRICE_FLAGS`` order.
    """
    settings = settings or PriceFlagSettings()
    missing = [c for c in _REQUIRED if c not in classified.columns]
    if missing:
        raise ValueError(f"flag_prices: missing columns {missing}")
    in_history = classified["category"].isin(settings.history_categories).to_numpy()
    if not in_history.any():
        return _empty_flags()
    # factorised over all rows (cheap on Arrow strings), then narrowed to the history: no string copies
    sku, codes = pd.factorize(classified["StockCode"], sort=True)
    label, descriptions = pd.factorize(classified["Description"], sort=True)
    sku, label = sku[in_history], label[in_history]
    used, sku = np.unique(sku, return_inverse=True)
    codes, n_skus = np.asarray(codes, dtype=object)[used], len(used)
    micros = np.rint(classified["UnitPrice"].to_numpy(dtype=np.float64)[in_history] * 1e6).astype(np.int64)
    stamp = classified["InvoiceDate"].to_numpy()[in_history].astype("datetime64[s]").astype(np.int64)
    best = _most_frequent(sku, label, n_skus)
    description = np.where(best >= 0, np.asarray(descriptions, dtype=object)[np.maximum(best, 0)], None)

    by_sku = pd.DataFrame({"sku": sku, "micros": micros, "stamp": stamp,
                           "zero": micros <= 0, "sub_cent": micros % 10_000 != 0}).groupby("sku", sort=True)
    stats = by_sku.agg(lines=("micros", "size"), distinct_prices=("micros", "nunique"), low=("micros", "min"),
                       high=("micros", "max"), first=("stamp", "min"), last=("stamp", "max"),
                       zero=("zero", "any"), sub_cent=("sub_cent", "any")).reindex(range(n_skus))
    level, levels = _levels(sku, micros, settings.tolerance, n_skus)
    changes = _changes(sku, stamp, level, n_skus)

    low, high = stats["low"].to_numpy(dtype=np.int64), stats["high"].to_numpy(dtype=np.int64)
    manual = stats["zero"].to_numpy(dtype=bool)
    if settings.flag_sub_cent_prices:
        manual = manual | stats["sub_cent"].to_numpy(dtype=bool)
    flag = np.select(
        [manual,
         high <= low * (1.0 + settings.tolerance),
         (levels == 2) & (changes == 1),
         (levels >= 2) & (levels <= settings.max_oscillating_levels) & (changes >= levels)],
        ["zero_or_manual", "normal", "one_off_price_change", "oscillating_or_promotional"],
        default="complex")
    return pd.DataFrame({
        "stock_code": codes,
        "description": description,
        "lines": stats["lines"].to_numpy(dtype=np.int64),
        "distinct_prices": stats["distinct_prices"].to_numpy(dtype=np.int64),
        "price_levels": levels,
        "min_price": low / 1e6,
        "max_price": high / 1e6,
        "first_sold": stats["first"].to_numpy(dtype=np.int64).astype("datetime64[s]"),
        "last_sold": stats["last"].to_numpy(dtype=np.int64).astype("datetime64[s]"),
        "price_changes": changes,
        "price_flag": pd.Categorical(flag, categories=list(PRICE_FLAGS)),
    }, columns=PRICE_FLAG_COLUMNS)
