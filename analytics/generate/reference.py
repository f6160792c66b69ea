"""Reference tables of the synthetic retailer: stores, cities, names, product catalogue, code lists.

Everything here is static except the product catalogue, which is drawn from the run's random generator
so that it belongs to the seed. Tables are tuples in a fixed order: codes used in the generated arrays
are positions in these tuples, so the order is part of the output and must not change casually.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

__all__ = [
    "Store",
    "STORES",
    "NEW_STORE",
    "COUNTRIES",
    "CURRENCIES",
    "UTC_OFFSETS",
    "CITIES",
    "MALE_FIRST_NAMES",
    "FEMALE_FIRST_NAMES",
    "LAST_NAMES",
    "NICKNAMES",
    "EMAIL_DOMAINS",
    "TIERS",
    "ACQUISITION_CHANNELS",
    "FLAGS",
    "STATUSES",
    "ORDER_TYPES",
    "CATEGORIES",
    "Catalogue",
    "build_catalogue",
    "home_store_table",
]

# Country codes by position: 0 = AE, 1 = SA. Currency, region, time zone and offset follow the same index.
COUNTRIES = ("AE", "SA")
REGIONS = ("UAE", "KSA")
TIMEZONES = ("Asia/Dubai", "Asia/Riyadh")
CURRENCIES = ("AED", "SAR")
UTC_OFFSETS = (4 * 3600, 3 * 3600)  # neither zone observes daylight saving time
OFFSET_SUFFIXES = ("+04:00", "+03:00")
VAT_PERCENT = (5, 15)  # UAE 5 %, KSA 15 %
PHONE_PREFIXES = ("+9715", "+9665")


@dataclass(frozen=True)
class Store:
    """One row of ``pos_stores.csv`` plus the city it serves (not part of the file)."""

    store_id: str
    store_name: str
    country: int
    channel: str
    city: str
    weight: float  # share of the country's walk-in traffic, for guests and occasional other-store visits


STORES: tuple[Store, ...] = (
    Store("AE-DXB-01", "Dubai Mall, Downtown Dubai", 0, "POS", "Dubai", 0.22),
    Store("AE-DXB-02", "Mall of the Emirates, Al Barsha", 0, "POS", "Dubai", 0.18),
    Store("AE-DXB-03", "Dubai Marina Mall", 0, "POS", "Dubai", 0.10),
    Store("AE-DXB-04", "City Centre Deira", 0, "POS", "Dubai", 0.10),
    Store("AE-AUH-01", "Yas Mall, Abu Dhabi", 0, "POS", "Abu Dhabi", 0.16),
    Store("AE-AUH-02", "The Galleria Al Maryah Island", 0, "POS", "Abu Dhabi", 0.10),
    Store("AE-SHJ-01", "City Centre Sharjah", 0, "POS", "Sharjah", 0.14),
    Store("AE-WEB", "Online Store UAE", 0, "WEB", "", 0.0),
    Store("AE-MKT", "Marketplace UAE (Noon, Amazon.ae)", 0, "MARKETPLACE", "", 0.0),
    Store("SA-RUH-01", "Riyadh Park, Northern Ring Road", 1, "POS", "Riyadh", 0.28),
    Store("SA-RUH-02", "Kingdom Centre, Riyadh", 1, "POS", "Riyadh", 0.20),
    Store("SA-JED-01", "Red Sea Mall, Jeddah", 1, "POS", "Jeddah", 0.20),
    Store("SA-JED-02", "Mall of Arabia Jeddah", 1, "POS", "Jeddah", 0.14),
    Store("SA-DMM-01", "Dhahran Mall, Dammam", 1, "POS", "Dammam", 0.18),
    Store("SA-WEB", "Online Store KSA", 1, "WEB", "", 0.0),
    Store("SA-MKT", "Marketplace KSA (Noon, Amazon.sa)", 1, "MARKETPLACE", "", 0.0),
)
# Opens part-way through the period; delivered in a later, full pos_stores.csv.
NEW_STORE = Store("AE-AIN-01", "Al Ain Mall", 0, "POS", "Al Ain", 0.05)
ALL_STORES: tuple[Store, ...] = STORES + (NEW_STORE,)
NEW_STORE_INDEX = len(STORES)

# (name, country, share of the country's customers, home POS stores before / after the new store opens;
# a store listed twice is twice as likely to be a customer's home store)
CITIES: tuple[tuple[str, int, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Dubai", 0, 0.46, ("AE-DXB-01", "AE-DXB-01", "AE-DXB-02", "AE-DXB-02", "AE-DXB-03", "AE-DXB-04"), ()),
    ("Abu Dhabi", 0, 0.22, ("AE-AUH-01", "AE-AUH-02"), ()),
    ("Sharjah", 0, 0.16, ("AE-SHJ-01",), ()),
    ("Ajman", 0, 0.06, ("AE-SHJ-01",), ()),
    ("Al Ain", 0, 0.06, ("AE-AUH-01",), ("AE-AIN-01",)),
    ("Ras Al Khaimah", 0, 0.04, ("AE-DXB-04",), ()),
    ("Riyadh", 1, 0.42, ("SA-RUH-01", "SA-RUH-01", "SA-RUH-02"), ()),
    ("Jeddah", 1, 0.28, ("SA-JED-01", "SA-JED-02"), ()),
    ("Dammam", 1, 0.12, ("SA-DMM-01",), ()),
    ("Khobar", 1, 0.08, ("SA-DMM-01",), ()),
    ("Mecca", 1, 0.06, ("SA-JED-01",), ()),
    ("Medina", 1, 0.04, ("SA-JED-02",), ()),
)

MALE_FIRST_NAMES = (
    "Mohammed", "Ahmed", "Abdullah", "Omar", "Khalid", "Saeed", "Rashid", "Yousef", "Hamad", "Sultan",
    "Faisal", "Saud", "Fahad", "Abdulrahman", "Majed", "Nasser", "Tariq", "Hassan", "Ali", "Ibrahim",
    "Mansour", "Turki", "Bandar", "Waleed", "Hamdan", "Zayed", "Karim", "Rami", "Samir", "Youssef",
    "John", "David", "Michael", "James", "Daniel", "Rahul", "Arjun", "Vikram", "Imran", "Bilal",
    "Jose", "Mark", "Paolo", "Ramon", "Thomas", "Oliver", "Liam", "Ethan", "Sanjay", "Ravi",
)
FEMALE_FIRST_NAMES = (
    "Fatima", "Aisha", "Mariam", "Noura", "Sara", "Hessa", "Latifa", "Maitha", "Reem", "Shamma",
    "Amal", "Huda", "Lama", "Nouf", "Asma", "Dana", "Rania", "Layla", "Yasmin", "Salma",
    "Hind", "Lulwa", "Ghada", "Abeer", "Jawaher", "Razan", "Dalia", "Nadia", "Zainab", "Khadija",
    "Emily", "Sarah", "Jessica", "Sophie", "Hannah", "Priya", "Ananya", "Neha", "Sana", "Ayesha",
    "Maria", "Grace", "Joy", "Angelica", "Anna", "Chloe", "Olivia", "Deepa", "Kavya", "Meera",
)
LAST_NAMES = (
    "Al Mansoori", "Al Shamsi", "Al Mazrouei", "Al Ketbi", "Al Dhaheri", "Al Nuaimi", "Al Suwaidi",
    "Al Falasi", "Al Marri", "Al Hammadi", "Al Zaabi", "Al Kaabi", "Al Qasimi", "Al Blooshi",
    "Al Qahtani", "Al Otaibi", "Al Ghamdi", "Al Harbi", "Al Zahrani", "Al Shehri", "Al Dosari",
    "Al Mutairi", "Al Anazi", "Al Subaie", "Al Rashidi", "Al Amri", "Al Malki", "Al Sayed",
    "Haddad", "Khoury", "Nasser", "Mansour", "Saleh", "Hussein", "Abbas", "Farouk", "Aziz",
    "Khan", "Sharma", "Patel", "Nair", "Menon", "Iyer", "Qureshi", "Siddiqui", "Hussain", "Sheikh",
    "Santos", "Reyes", "Cruz", "Fernandes", "D'Souza", "Pereira", "Smith", "Brown", "Williams",
    "O'Brien", "Taylor", "Johnson", "Wilson", "Evans", "Walker", "Murphy", "Kelly", "Rossi",
)
# A few CRM names carry a quoted nickname, which exercises RFC 4180 quote doubling in the files.
NICKNAMES = ("Mo", "Abu Omar", "Sunny", "Jo", "Kay", "Bu Khalid")
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com", "live.com")
EMAIL_DOMAIN_WEIGHTS = (0.46, 0.18, 0.10, 0.12, 0.10, 0.04)

TIERS = ("BRONZE", "SILVER", "GOLD", "PLATINUM")
TIER_WEIGHTS = (0.60, 0.25, 0.11, 0.04)
ACQUISITION_CHANNELS = ("ORGANIC", "PAID_SEARCH", "SOCIAL", "REFERRAL", "STORE", "MARKETPLACE")
ACQUISITION_WEIGHTS = (0.28, 0.18, 0.20, 0.08, 0.20, 0.06)
FLAGS = ("", "TEST", "INTERNAL", "FRAUD")  # code 0 = no flag
STATUSES = ("COMPLETED", "FULFILLED", "CANCELLED", "PENDING")
COMPLETED, FULFILLED, CANCELLED, PENDING = range(4)
ORDER_TYPES = ("SALE", "RETURN")
SALE, RETURN = 0, 1

# (category, SKU prefix, popularity, median unit price in AED, log-sd of price, cost share range)
CATEGORIES: tuple[tuple[str, str, float, float, float, tuple[float, float]], ...] = (
    ("Apparel", "APP", 0.24, 109.0, 0.55, (0.55, 0.68)),
    ("Footwear", "FTW", 0.12, 199.0, 0.50, (0.58, 0.70)),
    ("Beauty", "BTY", 0.14, 75.0, 0.60, (0.55, 0.66)),
    ("Fragrance", "FRG", 0.09, 279.0, 0.55, (0.60, 0.72)),
    ("Electronics", "ELC", 0.07, 379.0, 0.80, (0.66, 0.75)),
    ("Home", "HOM", 0.10, 99.0, 0.70, (0.56, 0.70)),
    ("Toys", "TOY", 0.07, 85.0, 0.60, (0.58, 0.70)),
    ("Accessories", "ACC", 0.10, 69.0, 0.65, (0.55, 0.66)),
    ("Sports", "SPT", 0.07, 135.0, 0.60, (0.58, 0.72)),
)


@dataclass(frozen=True)
class Catalogue:
    """The product catalogue: SKU codes, their category, list prices per currency and cost shares."""

    sku: pa.Array             # SKU code per SKU (string)
    category: np.ndarray      # category index per SKU
    price_cents: np.ndarray   # shape (n_sku, 2): list price in AED cents and SAR cents
    cost_share: np.ndarray    # unit cost as a share of net revenue
    popularity_cdf: np.ndarray

    @property
    def category_names(self) -> pa.Array:
        return pa.array([c[0] for c in CATEGORIES])


def _shelf_price(raw: np.ndarray) -> np.ndarray:
    """Round raw prices to shelf prices in cents: whole units, half of them ending in .95 or .50."""
    whole = np.maximum(np.round(raw), 5).astype(np.int64) * 100
    ending = np.select([raw % 1 < 0.35, raw % 1 < 0.55], [-5, -50], 0)
    return whole + ending


def build_catalogue(rng: np.random.Generator, n_sku: int = 3000) -> Catalogue:
    """Draw a catalogue of ``n_sku`` products with a long-tailed popularity (Zipf-like)."""
    weights = np.array([c[2] for c in CATEGORIES])
    category = rng.choice(len(CATEGORIES), size=n_sku, p=weights / weights.sum())
    medians = np.array([c[3] for c in CATEGORIES])[category]
    sigmas = np.array([c[4] for c in CATEGORIES])[category]
    raw_aed = medians * np.exp(rng.normal(0.0, 1.0, n_sku) * sigmas)
    price = np.empty((n_sku, 2), dtype=np.int64)
    price[:, 0] = _shelf_price(raw_aed)
    price[:, 1] = _shelf_price(raw_aed * 1.02)  # KSA shelf prices are set a little above the AED ones
    low = np.array([c[5][0] for c in CATEGORIES])[category]
    high = np.array([c[5][1] for c in CATEGORIES])[category]
    cost_share = low + (high - low) * rng.random(n_sku)
    serial = np.zeros(n_sku, dtype=np.int64)
    for k in range(len(CATEGORIES)):  # running number within the category, e.g. APP-000123
        mask = category == k
        serial[mask] = np.arange(1, mask.sum() + 1) * 7 + 100000
    prefixes = np.array([c[1] for c in CATEGORIES], dtype=object)[category]
    sku = pa.array([f"{p}-{s}" for p, s in zip(prefixes, serial, strict=True)])
    popularity = 1.0 / np.arange(1, n_sku + 1) ** 0.8
    popularity = popularity[rng.permutation(n_sku)]
    cdf = np.cumsum(popularity)
    return Catalogue(sku, category, price, cost_share, cdf / cdf[-1])


def home_store_table(opened: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per city: a padded table of home-store indices and the number of valid entries in each row."""
    index = {s.store_id: i for i, s in enumerate(ALL_STORES)}
    rows = [(after if (opened and after) else before) for _, _, _, before, after in CITIES]
    width = max(len(r) for r in rows)
    table = np.zeros((len(rows), width), dtype=np.int64)
    counts = np.zeros(len(rows), dtype=np.int64)
    for c, row in enumerate(rows):
        table[c, : len(row)] = [index[s] for s in row]
        counts[c] = len(row)
    return table, counts
