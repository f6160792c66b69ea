"""Reference data of the online-retail POS log generator: products and their price behaviours, countries,
non-product codes and the clerks' stock-adjustment wordings.

Every SKU gets one price behaviour so that each price flag of ``analytics.pos.price_consistency`` occurs:
a fixed price, a promotion every third week, a one-off rise on a given day, a price drawn per line from
six levels, or a fixed price plus free (zero-price) lines. The first five SKUs by popularity carry one
behaviour each, so even a tiny log shows all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Behaviour",
    "CUSTOMER_COUNTRIES",
    "EXCLUDED_COUNTRIES",
    "INVENTORY_DESCRIPTIONS",
    "PosCatalogue",
    "SPECIAL_LINES",
    "build_pos_catalogue",
]


class Behaviour:
    """Price behaviour codes of a SKU."""

    NORMAL, PROMOTION, ONE_OFF, LEVELS, FREE_ITEMS = range(5)
    SHARES = (0.62, 0.14, 0.14, 0.07, 0.03)


# Country names as the UCI file spells them (EIRE, RSA, USA…), with the share of customers in each.
CUSTOMER_COUNTRIES = (
    ("United Kingdom", 0.855), ("Germany", 0.022), ("France", 0.020), ("EIRE", 0.015), ("Spain", 0.007),
    ("Netherlands", 0.006), ("Belgium", 0.005), ("Switzerland", 0.005), ("Portugal", 0.004),
    ("Italy", 0.003), ("Australia", 0.003), ("Norway", 0.003), ("Channel Islands", 0.003),
    ("Unspecified", 0.003), ("European Community", 0.002), ("RSA", 0.002), ("USA", 0.002),
    ("Finland", 0.002), ("Sweden", 0.002), ("Japan", 0.002), ("Denmark", 0.002), ("Cyprus", 0.002),
    ("Poland", 0.002), ("Austria", 0.002), ("Canada", 0.001), ("Israel", 0.001), ("Greece", 0.001),
    ("Iceland", 0.001), ("Singapore", 0.001), ("Malta", 0.001), ("Lithuania", 0.001), ("Hong Kong", 0.001),
    ("United Arab Emirates", 0.001), ("Brazil", 0.0005), ("Bahrain", 0.0005), ("Lebanon", 0.0005),
    ("Czech Republic", 0.0005), ("Saudi Arabia", 0.0005),
)
EXCLUDED_COUNTRIES = ("Unspecified", "European Community")

# Non-product lines: (key, StockCode, Description). Prices and quantities are drawn by the generator.
SPECIAL_LINES = (
    ("post", "POST", "POSTAGE"),
    ("dot", "DOT", "DOTCOM POSTAGE"),
    ("carriage", "C2", "CARRIAGE"),
    ("cruk", "CRUK", "CRUK Commission"),
    ("bank", "BANK CHARGES", "Bank Charges"),
    ("amazon", "AMAZONFEE", "AMAZON FEE"),
    ("pads", "PADS", "PADS TO MATCH ALL CUSHIONS"),
    ("samples", "S", "SAMPLES"),
    ("gift", "gift_0001_20", "Dotcomgiftshop Gift Voucher £20.00"),
    ("discount", "D", "Discount"),
    ("manual", "M", "Manual"),
    ("bad_debt", "B", "Adjust bad debt"),
)

# What clerks type on zero-value stock lines in the UCI file.
INVENTORY_DESCRIPTIONS = (
    "damaged", "Damaged", "damages", "?", "??", "???missing", "check", "CHECK", "wrongly coded 20713",
    "wrongly marked", "wrongly sold as sets", "given away", "missing", "test", "lost", "lost??", "found",
    "Found", "thrown away", "Water damaged", "wet damaged", "adjustment", "crushed", "smashed", "counted",
    "mixed up", "incorrect stock entry.", "showroom", "display", "dotcom", "amazon", "sold as set on dotcom",
)

_COLOURS = ("RED", "PINK", "BLUE", "GREEN", "WHITE", "IVORY", "BLACK", "VINTAGE", "RETRO", "SPOTTY", "REGENCY",
            "HEART", "STRIPE", "FLORAL", "GINGHAM", "PAISLEY", "SILVER", "GOLD", "ROSE", "CREAM")
_THINGS = ("T-LIGHT HOLDER", "LUNCH BAG", "CAKE STAND", "TEA TOWEL", "JAM JAR", "PHOTO FRAME", "NOTEBOOK",
           "CANDLE", "CUSHION COVER", "DOORSTOP", "BUNTING", "PARTY CUPS", "MUG", "TEACUP AND SAUCER",
           "HOT WATER BOTTLE", "CHRISTMAS DECORATION", "CHALKBOARD", "STORAGE TIN", "WALL CLOCK", "PURSE",
           "CAKE TINS, SET OF 3", "PENCILS, SMALL TUBE", 'SIGN "HOME SWEET HOME"')
_SIZES = ("", "SMALL ", "LARGE ", "SET OF 4 ", "JUMBO ", "MINI ")
_PRICE_POINTS = np.array([29, 42, 55, 65, 85, 125, 145, 165, 195, 210, 250, 255, 295, 375, 425, 495, 595, 795,
                          850, 995, 1275, 1495])  # cents


@dataclass(frozen=True)
class PosCatalogue:
    """Products: codes, descriptions, popularity and the parameters of each SKU's price behaviour."""

    codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    popularity: np.ndarray    # probability of each SKU on a line
    behaviour: np.ndarray     # Behaviour code
    base_cents: np.ndarray
    promo_cents: np.ndarray   # PROMOTION: price in promotion weeks
    promo_phase: np.ndarray   # PROMOTION: week offset
    change_day: np.ndarray    # ONE_OFF: first day (day number) of the new price
    raised_cents: np.ndarray  # ONE_OFF: the new price

    @property
    def free_item_skus(self) -> np.ndarray:
        return np.flatnonzero(self.behaviour == Behaviour.FREE_ITEMS)

    def prices(self, rng: np.random.Generator, sku: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Unit price in cents of each line (SKU, day) under its SKU's behaviour."""
        kind = self.behaviour[sku]
        base = self.base_cents[sku]
        promo = ((day // 7 + self.promo_phase[sku]) % 3) == 0
        level = rng.integers(0, 6, len(sku))  # LEVELS: 0–35 % above base in 7 % steps, per line
        return np.select(
            [kind == Behaviour.PROMOTION, kind == Behaviour.ONE_OFF, kind == Behaviour.LEVELS],
            [np.where(promo, self.promo_cents[sku], base),
             np.where(day >= self.change_day[sku], self.raised_cents[sku], base),
             np.rint(base * (1 + 0.07 * level)).astype(np.int64)],
            default=base)


def _stock_codes(rng: np.random.Generator, n: int) -> tuple[str, ...]:
    """Unique UCI-like codes: five digits, a fifth of them with a letter suffix (85123A)."""
    numbers = rng.choice(np.arange(10_002, 90_000), n, replace=False)
    suffix = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), -1)
    return tuple(f"{number}{'ABCDE'[s] if s >= 0 else ''}" for number, s in zip(numbers, suffix, strict=True))


def build_pos_catalogue(rng: np.random.Generator, n_skus: int, first_day: int, last_day: int) -> PosCatalogue:
    """``n_skus`` products (at least 5) whose one-off price changes fall inside ``first_day..last_day``."""
    n_skus = max(5, n_skus)
    codes = _stock_codes(rng, n_skus)
    words = (rng.integers(0, len(_SIZES), n_skus), rng.integers(0, len(_COLOURS), n_skus),
             rng.integers(0, len(_THINGS), n_skus))
    descriptions = tuple(f"{_SIZES[s]}{_COLOURS[c]} {_THINGS[t]}" for s, c, t in zip(*words, strict=True))
    rank = np.r_[np.arange(5), 5 + rng.permutation(n_skus - 5)]
    popularity = 1.0 / (rank + 8.0)
    behaviour = np.r_[np.arange(5), rng.choice(5, n_skus - 5, p=Behaviour.SHARES)]
    base = rng.choice(_PRICE_POINTS, n_skus)
    span = max(last_day - first_day, 1)
    return PosCatalogue(
        codes=codes,
        descriptions=descriptions,
        popularity=popularity / popularity.sum(),
        behaviour=behaviour,
        base_cents=base,
        promo_cents=np.rint(base * 0.8).astype(np.int64),
        promo_phase=rng.integers(0, 3, n_skus),
        change_day=first_day + np.rint(span * rng.uniform(0.3, 0.7, n_skus)).astype(np.int64),
        raised_cents=np.rint(base * rng.uniform(1.10, 1.25, n_skus)).astype(np.int64),
    )
