"""Hand-made landing folders for tests (DESIGN §2): a small builder plus two golden data sets.

Typical use::

    b = LandingBuilder(tmp_path)
    b.stores("2025-07-01")                                  # the standard store set
    b.fx_daily("2025-07-01", "2025-07-01", "2025-10-31")    # SAR rates, one per day
    b.customers("2025-07-01", [{"customer_id_nat": "C1", "loyalty_tier": "GOLD"}])
    b.orders("2025-07-13", [{"customer_id_nat": "C1", "order_ts": "2025-07-12T18:45:00+04:00",
                             "net_amount": "250.00"}])
    b.raw_file("2025-07-14", "oms_orders", "order_id\\nbroken\\n")   # malformed content, verbatim
    b.write()

Rows are dicts keyed by contract column; missing keys get defaults (see each method). Values may be
``str`` (written verbatim, so malformed values are easy), ``int``, ``Decimal``, ``float``, ``bool``,
``date``/``datetime`` (ISO format) or ``None`` (empty). Keys outside the contract become extra columns.
Nothing is written until :meth:`LandingBuilder.write`.

Golden sets (each returns the ``as_of`` date to use):

* :func:`build_c00582` — customer C00582: first qualified order 2025-07, three qualified orders in
  2025-10 totalling 540.00 AED at a UAE store (active, repeat), with noise.
* :func:`build_october_2025` — October 2025 with exactly 12,430 active, 7,900 repeat and 4,530 new
  customers and about 5.8 M AED net spend across UAE and KSA, with excluded noise.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.contract import FILE_SPECS

__all__ = [
    "STANDARD_STORES",
    "COUNTRY_CURRENCY",
    "COUNTRY_VAT",
    "DEFAULT_SAR_RATE",
    "LandingBuilder",
    "build_c00582",
    "build_october_2025",
    "OCTOBER_2025",
]

# The standard store set: one physical store and one web store per country.
STANDARD_STORES: tuple[dict[str, str], ...] = (
    {
        "store_id": "AE-DXB-01",
        "store_name": "Dubai Mall",
        "country_code": "AE",
        "region": "UAE",
        "timezone": "Asia/Dubai",
        "channel": "POS",
    },
    {
        "store_id": "AE-WEB-01",
        "store_name": "UAE Online Store",
        "country_code": "AE",
        "region": "UAE",
        "timezone": "Asia/Dubai",
        "channel": "WEB",
    },
    {
        "store_id": "SA-RUH-01",
        "store_name": "Riyadh Park",
        "country_code": "SA",
        "region": "KSA",
        "timezone": "Asia/Riyadh",
        "channel": "POS",
    },
    {
        "store_id": "SA-WEB-01",
        "store_name": "KSA Online Store",
        "country_code": "SA",
        "region": "KSA",
        "timezone": "Asia/Riyadh",
        "channel": "WEB",
    },
)
COUNTRY_CURRENCY = {"AE": "AED", "SA": "SAR"}
COUNTRY_VAT = {"AE": Decimal("0.05"), "SA": Decimal("0.15")}
COUNTRY_CITY = {"AE": "Dubai", "SA": "Riyadh"}
DEFAULT_SAR_RATE = "0.97930000"
_UTC_OFFSET = {"Asia/Dubai": "+04:00", "Asia/Riyadh": "+03:00"}

DateLike = dt.date | str


def _day(value: DateLike) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _fmt(value: Any) -> str:
    """A Python value as CSV text (strings verbatim)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _local_noon(day: dt.date, timezone: str) -> str:
    offset = _UTC_OFFSET.get(timezone)
    if offset is None:
        from zoneinfo import ZoneInfo

        return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(timezone)).isoformat()
    return f"{day.isoformat()}T12:00:00{offset}"


def _decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class LandingBuilder:
    """Collects extract rows per (drop date, file) and writes ``<root>/<YYYY-MM-DD>/<name>.csv[.gz]``.

    ``compress=True`` writes ``.csv.gz`` (deterministic gzip) instead of ``.csv``.
    """

    def __init__(self, root: Path, *, compress: bool = False) -> None:
        self.root = Path(root)
        self.compress = compress
        self._chunks: dict[tuple[dt.date, str], list[pd.DataFrame]] = {}
        self._raw: dict[tuple[dt.date, str], bytes] = {}
        self._stores: dict[str, dict[str, str]] = {s["store_id"]: dict(s) for s in STANDARD_STORES}
        self._orders_with_items: set[str] = set()
        self._pending_orders: list[tuple[dt.date, dict[str, str]]] = []
        self._seq = itertools.count(1)

    # ---------------------------------------------------------------- generic
    def _add(self, drop_date: DateLike, name: str, rows: list[dict[str, Any]] | pd.DataFrame) -> None:
        if name not in FILE_SPECS:
            raise ValueError(f"unknown extract file {name!r}; use raw_file() for arbitrary files")
        if isinstance(rows, pd.DataFrame):
            frame = rows.copy()
            for col in rows.columns:
                s = rows[col]
                if not (isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(s)):
                    frame[col] = s.astype(object).where(s.notna(), None).map(_fmt)
        else:
            frame = pd.DataFrame([{k: _fmt(v) for k, v in row.items()} for row in rows], dtype=object)
        self._chunks.setdefault((_day(drop_date), name), []).append(frame)

    def frame(self, drop_date: DateLike, name: str, df: pd.DataFrame) -> LandingBuilder:
        """Append a whole DataFrame to ``<drop>/<name>`` as is (no defaults, no automatic items).

        Missing optional columns are written empty; a missing required column raises (use
        :meth:`raw_file` to produce a file without one).
        """
        missing = [f.name for f in FILE_SPECS[name].fields if f.required and f.name not in df.columns]
        if missing:
            raise ValueError(f"{name}: frame lacks required columns {missing}")
        self._add(drop_date, name, df)
        if name == "oms_order_items":
            self._orders_with_items.update(df["order_id"].astype(str))
        return self

    def raw_file(self, drop_date: DateLike, name: str, text: str | bytes) -> LandingBuilder:
        """Write ``text`` verbatim as ``<drop>/<name>``; ``.csv`` is appended when ``name`` has no
        extension, a ``.gz`` name is gzip-compressed. The file must not also receive rows."""
        if not (name.endswith(".csv") or name.endswith(".csv.gz") or "." in name):
            name += ".csv"
        data = text.encode("utf-8") if isinstance(text, str) else text
        if name.endswith(".gz"):
            data = gzip.compress(data, mtime=0)
        self._raw[(_day(drop_date), name)] = data
        return self

    # ---------------------------------------------------------------- reference data
    def stores(self, drop_date: DateLike, rows: list[dict[str, Any]] | None = None) -> LandingBuilder:
        """``pos_stores`` rows; ``rows=None`` writes :data:`STANDARD_STORES`. Defaults: country AE,
        region/timezone from the country, channel POS, store_name = store_id."""
        out = []
        for row in rows if rows is not None else STANDARD_STORES:
            r = dict(row)
            country = str(r.get("country_code", "AE"))
            r.setdefault("country_code", country)
            r.setdefault("region", {"AE": "UAE", "SA": "KSA"}.get(country, "UAE"))
            r.setdefault("timezone", {"AE": "Asia/Dubai", "SA": "Asia/Riyadh"}.get(country, "Asia/Dubai"))
            r.setdefault("channel", "POS")
            r.setdefault("store_name", r["store_id"])
            out.append(r)
            self._stores[str(r["store_id"])] = {k: _fmt(v) for k, v in r.items()}
        self._add(drop_date, "pos_stores", out)
        return self

    def fx(self, drop_date: DateLike, rows: list[dict[str, Any]]) -> LandingBuilder:
        """``fx_rates`` rows. Defaults: currency SAR, rate :data:`DEFAULT_SAR_RATE` (AED: 1)."""
        out = []
        for row in rows:
            r = dict(row)
            r.setdefault("currency_code", "SAR")
            r.setdefault("rate_to_aed", "1.00000000" if r["currency_code"] == "AED" else DEFAULT_SAR_RATE)
            out.append(r)
        self._add(drop_date, "fx_rates", out)
        return self

    def fx_daily(
        self,
        drop_date: DateLike,
        start: DateLike,
        end: DateLike,
        *,
        sar: str = DEFAULT_SAR_RATE,
        aed: bool = False,
    ) -> LandingBuilder:
        """One SAR rate per day from ``start`` to ``end`` inclusive (and AED = 1 rows if ``aed``)."""
        days = pd.date_range(_day(start), _day(end), freq="D").date
        rows = [{"rate_date": d, "currency_code": "SAR", "rate_to_aed": sar} for d in days]
        if aed:
            rows += [{"rate_date": d, "currency_code": "AED", "rate_to_aed": "1.00000000"} for d in days]
        return self.fx(drop_date, rows)

    # ---------------------------------------------------------------- CRM
    def customers(self, drop_date: DateLike, rows: list[dict[str, Any]]) -> LandingBuilder:
        """``crm_customers`` rows; ``customer_id_nat`` is required. Defaults: name/email/phone from the
        id, country AE (city from it), loyalty_tier BRONZE, is_vip 0, no flag, channel ORGANIC,
        signup_date = drop - 1 day, no merge, updated_at = drop - 1 day 12:00 Asia/Riyadh."""
        day = _day(drop_date)
        out = []
        for row in rows:
            r = dict(row)
            cid = _fmt(r["customer_id_nat"])
            country = _fmt(r.get("country_code", "AE")) or "AE"
            r.setdefault("full_name", f"Customer {cid}")
            r.setdefault("email", f"{cid.lower()}@example.com")
            r.setdefault("phone", "+971500000000" if country == "AE" else "+966500000000")
            r.setdefault("city", COUNTRY_CITY.get(country, ""))
            r.setdefault("country_code", country)
            r.setdefault("loyalty_tier", "BRONZE")
            r.setdefault("is_vip", 0)
            r.setdefault("customer_flag", "")
            r.setdefault("acquisition_channel", "ORGANIC")
            r.setdefault("signup_date", day - dt.timedelta(days=1))
            r.setdefault("merged_into", "")
            r.setdefault("updated_at", _local_noon(day - dt.timedelta(days=1), "Asia/Riyadh"))
            out.append(r)
        self._add(day, "crm_customers", out)
        return self

    # ---------------------------------------------------------------- OMS
    def orders(self, drop_date: DateLike, rows: list[dict[str, Any]]) -> LandingBuilder:
        """``oms_orders`` rows. Defaults: order_id generated, guest (no customer), store AE-DXB-01,
        channel from the store, SALE / COMPLETED / no flag, order_ts = drop - 1 day 12:00 store time,
        currency from the store's country, net 100.00 (RETURN: -100.00), VAT 5 % (AE) / 15 % (SA)
        of the net rounded half up, updated_at = order_ts. Every order also gets one item line equal
        to its net unless items for that order_id are given with :meth:`items` (before ``write``)."""
        day = _day(drop_date)
        out = []
        for row in rows:
            r = dict(row)
            store = self._stores.get(_fmt(r.get("store_id", "AE-DXB-01")), {})
            country = store.get("country_code", "AE")
            r.setdefault("order_id", f"ORD-{next(self._seq):07d}")
            r.setdefault("customer_id_nat", "")
            r.setdefault("store_id", "AE-DXB-01")
            r.setdefault("channel", store.get("channel", "POS"))
            r.setdefault("order_type", "SALE")
            r.setdefault("final_status", "COMPLETED")
            r.setdefault("order_flag", "")
            if "order_ts" not in r:
                r["order_ts"] = _local_noon(day - dt.timedelta(days=1), store.get("timezone", "Asia/Dubai"))
            r.setdefault("currency_code", COUNTRY_CURRENCY.get(country, "AED"))
            is_return = _fmt(r["order_type"]).strip().upper() == "RETURN"
            r.setdefault("net_amount", "-100.00" if is_return else "100.00")
            if "vat_amount" not in r:
                net = _decimal_or_none(_fmt(r["net_amount"]))
                vat = COUNTRY_VAT.get(country, Decimal("0.05"))
                r["vat_amount"] = (
                    "0.00" if net is None else (net * vat).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                )
            r.setdefault("updated_at", r["order_ts"])
            formatted = {k: _fmt(v) for k, v in r.items()}
            out.append(formatted)
            self._pending_orders.append((day, formatted))
        self._add(day, "oms_orders", out)
        return self

    def items(self, drop_date: DateLike, rows: list[dict[str, Any]]) -> LandingBuilder:
        """``oms_order_items`` rows; ``order_id`` and ``net_amount`` are required. Defaults: line_no
        1, 2, ... per order in this call, sku SKU-0001, category GENERAL, quantity 1 (-1 when the net
        is negative), unit_price = |net|, discount 0.00, cost empty."""
        out = []
        counters: dict[str, itertools.count] = {}
        for row in rows:
            r = dict(row)
            oid = _fmt(r["order_id"])
            net = _fmt(r["net_amount"])
            negative = net.strip().startswith("-")
            r.setdefault("line_no", next(counters.setdefault(oid, itertools.count(1))))
            r.setdefault("sku", "SKU-0001")
            r.setdefault("category", "GENERAL")
            r.setdefault("quantity", "-1" if negative else "1")
            r.setdefault("unit_price", net.strip().lstrip("+-") or "0.00")
            r.setdefault("discount_amount", "0.00")
            r.setdefault("cost_amount", "")
            out.append(r)
            self._orders_with_items.add(oid)
        self._add(drop_date, "oms_order_items", out)
        return self

    # ---------------------------------------------------------------- output
    def _automatic_items(self) -> dict[dt.date, list[dict[str, str]]]:
        auto: dict[dt.date, list[dict[str, str]]] = {}
        for day, order in self._pending_orders:
            if order["order_id"] in self._orders_with_items:
                continue
            net = order.get("net_amount", "")
            negative = net.strip().startswith("-")
            auto.setdefault(day, []).append(
                {
                    "order_id": order["order_id"],
                    "line_no": "1",
                    "sku": "SKU-0001",
                    "category": "GENERAL",
                    "quantity": "-1" if negative else "1",
                    "unit_price": net.strip().lstrip("+-") or "0.00",
                    "discount_amount": "0.00",
                    "net_amount": net,
                    "cost_amount": "",
                }
            )
        return auto

    def write(self) -> Path:
        """Write every collected file (overwriting) and return the landing root."""
        chunks = {k: list(v) for k, v in self._chunks.items()}
        for day, rows in self._automatic_items().items():
            chunks.setdefault((day, "oms_order_items"), []).append(pd.DataFrame(rows, dtype=object))
        suffix = ".csv.gz" if self.compress else ".csv"
        for (day, name), parts in sorted(chunks.items()):
            target = self.root / day.isoformat() / f"{name}{suffix}"
            if (day, target.name) in self._raw:
                raise ValueError(f"{target}: both rows and raw_file() content given")
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            contract = list(FILE_SPECS[name].columns)
            extra = [c for c in frame.columns if c not in contract]
            columns = contract + extra
            frame = frame.reindex(columns=columns)
            buf = io.StringIO()
            frame.to_csv(buf, index=False, na_rep="", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            data = buf.getvalue().encode("utf-8")
            if self.compress:
                data = gzip.compress(data, mtime=0)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for (day, name), data in sorted(self._raw.items()):
            target = self.root / day.isoformat() / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return self.root


# ====================================================================================================
# Golden set 1: customer C00582
# ====================================================================================================


def build_c00582(root: Path) -> dt.date:
    """Customer C00582 (REFERENCE §A acceptance example); returns as_of = 2025-10-31.

    Expected at 2025-10: first_order_month 2025-07, orders_count_month 3, total 540.00 AED (AE-DXB-01,
    AED), active 1, new 0, repeat 1, loyalty_tier GOLD (upgraded 2025-10-20). Months 2025-08 and 2025-09
    are inactive rows (last_order_month 2025-07), 2025-07 is the new month (250.00 AED, SILVER).

    The three October orders: one placed 2025-10-01 01:30 Dubai time but written in UTC (2025-09-30
    21:30Z) that first arrives PENDING and is COMPLETED in a later drop; one FULFILLED; one COMPLETED.
    Noise: a CANCELLED order and a RETURN in 2025-10, another customer (C00777, KSA, SAR) and a guest.
    """
    b = LandingBuilder(root)
    b.stores("2025-07-01")
    b.fx_daily("2025-07-01", "2025-07-01", "2025-10-31")
    b.customers(
        "2025-07-01",
        [
            {
                "customer_id_nat": "C00582",
                "full_name": "Fatima Al Mansouri",
                "loyalty_tier": "SILVER",
                "updated_at": "2025-06-30T12:00:00+03:00",
            },
            {
                "customer_id_nat": "C00777",
                "full_name": "Omar Al Harbi",
                "country_code": "SA",
                "loyalty_tier": "BRONZE",
                "updated_at": "2025-06-30T12:00:00+03:00",
            },
        ],
    )
    b.orders(
        "2025-07-13",
        [
            {
                "order_id": "OMS-582-0001",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-07-12T18:45:00+04:00",
                "net_amount": "250.00",
            },
        ],
    )
    b.orders(
        "2025-10-02",
        [
            {
                "order_id": "OMS-582-0002",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-09-30T21:30:00Z",
                "final_status": "PENDING",
                "net_amount": "180.00",
            },
        ],
    )
    b.orders(
        "2025-10-04",
        [
            {
                "order_id": "OMS-582-0002",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-09-30T21:30:00Z",
                "final_status": "COMPLETED",
                "net_amount": "180.00",
                "updated_at": "2025-10-03T10:00:00+04:00",
            },
        ],
    )
    b.orders(
        "2025-10-11",
        [
            {
                "order_id": "OMS-777-0001",
                "customer_id_nat": "C00777",
                "store_id": "SA-RUH-01",
                "order_ts": "2025-10-10T19:20:00+03:00",
                "net_amount": "350.00",
            },
            {
                "order_id": "OMS-GUEST-0001",
                "customer_id_nat": "",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-10-10T11:00:00+04:00",
                "net_amount": "75.00",
            },
        ],
    )
    b.orders(
        "2025-10-15",
        [
            {
                "order_id": "OMS-582-0003",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-10-14T13:05:00+04:00",
                "final_status": "FULFILLED",
                "net_amount": "200.00",
            },
            {
                "order_id": "OMS-582-0005",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-10-14T15:00:00+04:00",
                "final_status": "CANCELLED",
                "net_amount": "300.00",
            },
        ],
    )
    b.customers(
        "2025-10-21",
        [
            {
                "customer_id_nat": "C00582",
                "full_name": "Fatima Al Mansouri",
                "loyalty_tier": "GOLD",
                "updated_at": "2025-10-20T09:00:00+03:00",
            },
        ],
    )
    b.orders(
        "2025-10-28",
        [
            {
                "order_id": "OMS-582-0004",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_ts": "2025-10-27T20:10:00+04:00",
                "net_amount": "160.00",
            },
        ],
    )
    b.orders(
        "2025-10-30",
        [
            {
                "order_id": "OMS-582-0006",
                "customer_id_nat": "C00582",
                "store_id": "AE-DXB-01",
                "order_type": "RETURN",
                "order_ts": "2025-10-29T11:00:00+04:00",
                "net_amount": "-160.00",
            },
        ],
    )
    b.write()
    return dt.date(2025, 10, 31)


# ====================================================================================================
# Golden set 2: October 2025
# ====================================================================================================

# The October 2025 acceptance figures (REFERENCE §A) the set is built to produce.
OCTOBER_2025 = {"active": 12_430, "repeat": 7_900, "new": 4_530, "aed_about": Decimal("5800000")}

_OCT_STORES = STANDARD_STORES + (
    {
        "store_id": "AE-AUH-01",
        "store_name": "Yas Mall",
        "country_code": "AE",
        "region": "UAE",
        "timezone": "Asia/Dubai",
        "channel": "POS",
    },
    {
        "store_id": "SA-JED-01",
        "store_name": "Red Sea Mall",
        "country_code": "SA",
        "region": "KSA",
        "timezone": "Asia/Riyadh",
        "channel": "POS",
    },
    {
        "store_id": "AE-MKT-01",
        "store_name": "UAE Marketplace",
        "country_code": "AE",
        "region": "UAE",
        "timezone": "Asia/Dubai",
        "channel": "MARKETPLACE",
    },
)
_STORES_BY_COUNTRY = {
    "AE": np.array([s["store_id"] for s in _OCT_STORES if s["country_code"] == "AE"], dtype=object),
    "SA": np.array([s["store_id"] for s in _OCT_STORES if s["country_code"] == "SA"], dtype=object),
}
_STORE_INFO = {s["store_id"]: s for s in _OCT_STORES}

# October drops: (drop date, first local day, last local day). History months drop on the 1st after.
_OCT_DROPS = [
    (dt.date(2025, 10, 8), 1, 7),
    (dt.date(2025, 10, 15), 8, 14),
    (dt.date(2025, 10, 22), 15, 21),
    (dt.date(2025, 10, 29), 22, 28),
    (dt.date(2025, 10, 31), 29, 30),
]


def _cents_text(cents: np.ndarray) -> np.ndarray:
    cents = np.asarray(cents, dtype="int64")
    mag = np.abs(cents)
    whole = (mag // 100).astype(str)
    frac = np.char.zfill((mag % 100).astype(str), 2)
    sign = np.where(cents < 0, "-", "")
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac).astype(object)


class _OrderSet:
    """Column arrays of generated orders, concatenated at the end (no per-row Python work)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.next_id = 1

    def add(
        self,
        customer,
        store,
        local_ts,
        net_cents,
        *,
        status="COMPLETED",
        order_type="SALE",
        flag="",
        utc_text=False,
        updated_delay_days=0,
        order_ids=None,
    ) -> np.ndarray:
        """Add orders; ``order_ids`` (from an earlier ``add``) makes these later versions of them."""
        n = len(customer)
        if order_ids is None:
            order_ids = np.char.add(
                "OMS-", np.char.zfill(np.arange(self.next_id, self.next_id + n).astype(str), 8)
            )
            self.next_id += n
        part = pd.DataFrame(
            {
                "order_id": np.asarray(order_ids, dtype=object),
                "customer_id_nat": np.asarray(customer, dtype=object),
                "store_id": np.asarray(store, dtype=object),
                "local_ts": pd.to_datetime(np.asarray(local_ts)).astype("datetime64[s]"),
                "net_cents": np.asarray(net_cents, dtype="int64"),
                "final_status": np.broadcast_to(np.asarray(status, dtype=object), n),
                "order_type": np.broadcast_to(np.asarray(order_type, dtype=object), n),
                "order_flag": np.broadcast_to(np.asarray(flag, dtype=object), n),
                "utc_text": np.broadcast_to(np.asarray(utc_text), n),
                "updated_delay_days": np.broadcast_to(np.asarray(updated_delay_days), n),
            }
        )
        self.parts.append(part)
        return part["order_id"].to_numpy()

    def frame(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def _random_local_ts(
    rng: np.random.Generator, month: np.ndarray, day_lo: np.ndarray | int, day_hi: np.ndarray | int
) -> np.ndarray:
    """Random store-local timestamps in 2025-<month>, day in [day_lo, day_hi], 09:00-21:59."""
    n = len(month)
    days_in = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month - 1]
    hi = np.minimum(np.broadcast_to(day_hi, n), days_in)
    day = rng.integers(np.broadcast_to(day_lo, n), hi + 1)
    base = (np.array(["2025-01-01"], dtype="datetime64[M]") + (month - 1)).astype("datetime64[D]")
    seconds = rng.integers(9 * 3600, 22 * 3600, size=n)
    return (
        base.astype("datetime64[s]") + (day - 1).astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    )


def build_october_2025(root: Path, *, seed: int = 20251031) -> dt.date:
    """A month of data in which October 2025 has exactly 12,430 active customers, 7,900 repeat and
    4,530 new, about 5.8 M AED net spend across UAE and KSA. Returns as_of = 2025-10-31.

    Populations (customer ids are C00001..C16380, shuffled):

    * 7,900 repeat: 1-3 qualified orders in 2025-01..09 and 1-3 in October; 150 of them have their
      history under an old id merged into them (merge arrives 2025-09-15); 250 also buy in the other
      region in October (mixed currency); 1,000 get a CRM tier upgrade on 2025-10-21.
    * 4,530 new: 1-2 qualified orders in October only; 40 have a single order at 00:30 on 1 October
      Dubai time written in UTC (still September in UTC); 500 have an order that arrives PENDING and
      is COMPLETED a drop later; 25 are absent from the CRM (they still count).
    * 3,000 churned: history only; 300 return goods in October (RETURN, never active), 200 have a
      CANCELLED October order, 40 KSA ones order at 23:30 on 30 September Riyadh time (= 00:30 on 1
      October in Dubai) at a Riyadh store, which is September.
    * 200 TEST-flagged customers with otherwise qualifying orders in every month they buy.
    * 600 noise customers with only non-qualifying October orders (CANCELLED, PENDING, TEST /
      INTERNAL / FRAUD flags, completed-then-cancelled, malformed rows the loader must reject).
    * 800 guest orders; 1,050 non-qualifying orders (cancelled, returns, flagged, pending) of active
      customers.
    """
    rng = np.random.default_rng(seed)
    n_repeat, n_new, n_churn, n_test, n_noise, n_old = 7_900, 4_530, 3_000, 200, 600, 150
    total = n_repeat + n_new + n_churn + n_test + n_noise + n_old
    ids = np.array([f"C{i:05d}" for i in rng.permutation(np.arange(1, total + 1))], dtype=object)
    cut = np.cumsum([n_repeat, n_new, n_churn, n_test, n_noise])
    repeat, new, churn, test, noise, old = np.split(ids, cut)
    country = pd.Series(np.where(rng.random(total) < 0.6, "AE", "SA"), index=ids, dtype=object)

    def country_of(cust: np.ndarray) -> np.ndarray:
        return country.reindex(cust).to_numpy(dtype=object)

    def stores_for(cust: np.ndarray, swap: bool = False) -> np.ndarray:
        ctry = country_of(cust)
        if swap:
            ctry = np.where(ctry == "AE", "SA", "AE")
        out = np.empty(len(cust), dtype=object)
        for c, pool in _STORES_BY_COUNTRY.items():
            mask = ctry == c
            out[mask] = rng.choice(pool, size=int(mask.sum()))
        return out

    def amounts(n: int, store: np.ndarray) -> np.ndarray:
        aed = rng.integers(5_000, 45_500, size=n)
        sar = rng.integers(5_100, 46_500, size=n)
        return np.where(np.char.startswith(store.astype(str), "SA"), sar, aed)

    orders = _OrderSet()
    merged_old_of = dict(zip(repeat[:n_old], old, strict=True))  # survivor -> old id

    # --- history (Jan..Sep): repeat (old ids for the merged ones), churned, TEST-flagged
    hist_owner = np.concatenate([old, repeat[n_old:], churn, test])
    k = rng.integers(1, 4, size=len(hist_owner))
    cust = np.repeat(hist_owner, k)
    month = rng.integers(1, 10, size=len(cust))
    store = stores_for(cust)
    orders.add(cust, store, _random_local_ts(rng, month, 1, 31), amounts(len(cust), store))

    # --- October qualified orders of repeat and new customers
    oct_owner = np.concatenate([repeat, new[40:]])
    k = np.concatenate([rng.integers(1, 4, size=n_repeat), rng.integers(1, 3, size=n_new - 40)])
    cust = np.repeat(oct_owner, k)
    store = stores_for(cust)
    ts = _random_local_ts(rng, np.full(len(cust), 10), 1, 30)
    net = amounts(len(cust), store)
    # 500 new customers: one order arrives PENDING first, COMPLETED a drop later (days 1..21 only).
    pend_cust = new[40:540]
    is_new_order = np.isin(cust, pend_cust)
    first_of_cust = np.r_[True, cust[1:] != cust[:-1]]
    pend = is_new_order & first_of_cust
    ts[pend] = _random_local_ts(rng, np.full(int(pend.sum()), 10), 1, 21)
    orders.add(cust[~pend], store[~pend], ts[~pend], net[~pend])
    ids = orders.add(cust[pend], store[pend], ts[pend], net[pend], status="PENDING")
    orders.add(
        cust[pend], store[pend], ts[pend], net[pend], status="COMPLETED", updated_delay_days=7, order_ids=ids
    )
    # 250 repeat customers also buy in the other region (mixed currency month).
    cross = repeat[n_old : n_old + 250]
    store = stores_for(cross, swap=True)
    orders.add(cross, store, _random_local_ts(rng, np.full(250, 10), 1, 30), amounts(250, store))
    # 40 new UAE customers: single order at 00:30 on 1 Oct Dubai (2025-09-30T20:30Z), written in UTC.
    edge_new = new[:40]
    orders.add(
        edge_new,
        np.full(40, "AE-DXB-01", dtype=object),
        np.full(40, np.datetime64("2025-10-01T00:30:00")),
        amounts(40, np.full(40, "AE-DXB-01")),
        utc_text=True,
    )
    # TEST-flagged customers also buy in October (excluded).
    store = stores_for(test)
    orders.add(test, store, _random_local_ts(rng, np.full(n_test, 10), 1, 30), amounts(n_test, store))

    # --- churned customers' October noise and the Riyadh month-boundary orders
    store = stores_for(churn[:300])
    orders.add(
        churn[:300],
        store,
        _random_local_ts(rng, np.full(300, 10), 1, 30),
        -amounts(300, store),
        order_type="RETURN",
    )
    store = stores_for(churn[300:500])
    orders.add(
        churn[300:500],
        store,
        _random_local_ts(rng, np.full(200, 10), 1, 30),
        amounts(200, store),
        status="CANCELLED",
    )
    ksa_churn = churn[country_of(churn) == "SA"][:40]
    orders.add(
        ksa_churn,
        np.full(len(ksa_churn), "SA-RUH-01", dtype=object),
        np.full(len(ksa_churn), np.datetime64("2025-09-30T23:30:00")),
        amounts(len(ksa_churn), np.full(len(ksa_churn), "SA-RUH-01")),
        utc_text=True,
    )

    # --- non-qualifying October orders of active customers (must not change counts or amounts)
    active_pool = np.concatenate([repeat, new])
    for n, kw in (
        (400, {"status": "CANCELLED"}),
        (300, {"order_type": "RETURN"}),
        (200, {"flag": "TEST"}),
        (150, {"status": "PENDING"}),
    ):
        cust = rng.choice(active_pool, size=n, replace=False)
        store = stores_for(cust)
        net = amounts(n, store)
        orders.add(
            cust,
            store,
            _random_local_ts(rng, np.full(n, 10), 1, 30),
            -net if kw.get("order_type") == "RETURN" else net,
            **kw,
        )

    # --- noise-only customers (never in the fact)
    groups = np.split(noise, [200, 300, 350, 400, 450, 550])
    for cust, kw in zip(
        groups[:5],
        (
            {"status": "CANCELLED"},
            {"status": "PENDING"},
            {"flag": "TEST"},
            {"flag": "INTERNAL"},
            {"flag": "FRAUD"},
        ),
        strict=True,
    ):
        store = stores_for(cust)
        orders.add(
            cust, store, _random_local_ts(rng, np.full(len(cust), 10), 1, 30), amounts(len(cust), store), **kw
        )
    cust = groups[5]  # completed, then cancelled a drop later
    store = stores_for(cust)
    ts = _random_local_ts(rng, np.full(len(cust), 10), 1, 21)
    net = amounts(len(cust), store)
    ids = orders.add(cust, store, ts, net)
    orders.add(cust, store, ts, net, status="CANCELLED", updated_delay_days=7, order_ids=ids)
    malformed = groups[6]  # 50 customers whose only orders are malformed (rejected by the loader)

    # --- guests
    store = rng.choice(np.concatenate(list(_STORES_BY_COUNTRY.values())), size=800)
    orders.add(
        np.full(800, "", dtype=object),
        store,
        _random_local_ts(rng, np.full(800, 10), 1, 30),
        amounts(800, store),
    )

    frame = _order_frame(orders.frame())
    frame = pd.concat([frame, _malformed_orders(malformed, rng)], ignore_index=True)

    b = LandingBuilder(root)
    _write_orders_and_fx(b, frame, rng)
    _write_customers(b, repeat, new, churn, test, noise, old, merged_old_of, country, rng)
    b.write()
    return dt.date(2025, 10, 31)


def _order_frame(o: pd.DataFrame) -> pd.DataFrame:
    """Contract columns (as text) for the generated orders, with their drop dates."""
    n = len(o)
    info = pd.DataFrame(_OCT_STORES).set_index("store_id")
    ctry = o["store_id"].map(info["country_code"])
    tz = o["store_id"].map(info["timezone"])
    offset_h = np.where(tz == "Asia/Dubai", 4, 3)
    offset_text = np.where(tz == "Asia/Dubai", "+04:00", "+03:00")
    local = o["local_ts"]
    utc = local - pd.to_timedelta(offset_h, unit="h")
    # Mostly local offsets; the flagged ones and every 5th order in UTC "Z" form.
    use_utc = o["utc_text"].to_numpy() | (np.arange(n) % 5 == 0)
    ts_text = np.where(
        use_utc, utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ"), local.dt.strftime("%Y-%m-%dT%H:%M:%S") + offset_text
    )
    delay = pd.to_timedelta(o["updated_delay_days"].astype("int64"), unit="D")
    upd_text = (local + delay).dt.strftime("%Y-%m-%dT%H:%M:%S") + offset_text
    net = o["net_cents"].to_numpy()
    vat_rate = np.where(ctry == "AE", 5, 15)
    vat = np.sign(net) * ((np.abs(net) * vat_rate + 50) // 100)

    # Drop: history month m -> 1st of month m+1; October day d -> the weekly drop covering it; a
    # delayed version lands in the next weekly drop.
    local_day = local.dt.normalize()
    month_start = local_day.dt.to_period("M").dt.to_timestamp()
    drop = (month_start + pd.offsets.MonthBegin(1)).astype("datetime64[s]")
    in_oct = (local_day >= pd.Timestamp("2025-10-01")).to_numpy()
    oct_drop_idx = np.searchsorted([hi for _, _, hi in _OCT_DROPS], local_day.dt.day.to_numpy(), side="left")
    oct_drop_idx = oct_drop_idx + (o["updated_delay_days"].to_numpy() > 0)
    oct_drop_dates = np.array([np.datetime64(d, "s") for d, _, _ in _OCT_DROPS])
    drop = np.where(in_oct, oct_drop_dates[np.minimum(oct_drop_idx, len(_OCT_DROPS) - 1)], drop.to_numpy())

    channel = o["store_id"].map(info["channel"])
    currency = ctry.map(COUNTRY_CURRENCY)
    return pd.DataFrame(
        {
            "order_id": o["order_id"].to_numpy(),
            "customer_id_nat": o["customer_id_nat"].to_numpy(),
            "store_id": o["store_id"].to_numpy(),
            "channel": channel.to_numpy(),
            "order_type": o["order_type"].to_numpy(),
            "order_ts": ts_text,
            "final_status": o["final_status"].to_numpy(),
            "order_flag": o["order_flag"].to_numpy(),
            "currency_code": currency.to_numpy(),
            "net_amount": _cents_text(net),
            "vat_amount": _cents_text(vat),
            "updated_at": upd_text,
            "_drop": pd.to_datetime(drop).date,
        }
    )


def _malformed_orders(customers: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Otherwise qualifying orders of ``customers`` that each break one contract rule."""
    n = len(customers)
    day = rng.integers(1, 8, size=n)
    ts = np.array([f"2025-10-{d:02d}T14:00:00+04:00" for d in day], dtype=object)
    frame = pd.DataFrame(
        {
            "order_id": [f"OMS-BAD-{i:05d}" for i in range(n)],
            "customer_id_nat": customers,
            "store_id": "AE-DXB-01",
            "channel": "POS",
            "order_type": "SALE",
            "order_ts": ts,
            "final_status": "COMPLETED",
            "order_flag": "",
            "currency_code": "AED",
            "net_amount": "210.00",
            "vat_amount": "10.50",
            "updated_at": ts,
            "_drop": dt.date(2025, 10, 8),
        }
    )
    breakers = [
        ("order_ts", "2025-10-03 14:00:00"),  # no offset
        ("order_ts", "03/10/2025 14:00"),  # not ISO 8601
        ("net_amount", "210.005"),  # 3 fraction digits
        ("net_amount", "2l0.00"),  # not a number
        ("currency_code", "USD"),  # unknown code
        ("order_type", "EXCHANGE"),  # unknown code
        ("order_flag", "VIP"),  # unknown flag
        ("store_id", ""),  # required field empty
        ("updated_at", "2025-10-32T10:00:00Z"),  # invalid calendar date
        ("channel", "PHONE"),  # unknown code
    ]
    for i, (col, value) in enumerate(breakers):
        frame.loc[frame.index % len(breakers) == i, col] = value
    return frame


def _write_orders_and_fx(b: LandingBuilder, frame: pd.DataFrame, rng: np.random.Generator) -> None:
    b.stores("2025-02-01", [dict(s) for s in _OCT_STORES])
    items = pd.DataFrame(
        {
            "order_id": frame["order_id"],
            "line_no": "1",
            "sku": "SKU-" + pd.Series(rng.integers(1, 5000, size=len(frame))).astype(str).str.zfill(5),
            "category": rng.choice(np.array(["APPAREL", "BEAUTY", "HOME", "ELECTRONICS"]), size=len(frame)),
            "quantity": np.where(frame["net_amount"].str.startswith("-"), "-1", "1"),
            "unit_price": frame["net_amount"].str.lstrip("-"),
            "discount_amount": "0.00",
            "net_amount": frame["net_amount"],
            "cost_amount": "",
            "_drop": frame["_drop"],
        }
    )
    for drop, part in frame.groupby("_drop", sort=True):
        b.frame(drop, "oms_orders", part.drop(columns="_drop"))
    for drop, part in items.groupby("_drop", sort=True):
        b.frame(drop, "oms_order_items", part.drop(columns="_drop"))
    # One SAR rate per day (8 decimals, so the AED rounding is exercised); AED has no rows (rate 1).
    # A history month's rates come with its drop; October's in each weekly drop for its days.
    days = pd.date_range("2025-01-01", "2025-10-31", freq="D")
    rate = 97_900_000 + rng.integers(0, 100_000, size=len(days))
    fx = pd.DataFrame(
        {
            "rate_date": days.strftime("%Y-%m-%d"),
            "currency_code": "SAR",
            "rate_to_aed": [f"0.{r:08d}" for r in rate],
        }
    )
    month_drop = (days.to_period("M").to_timestamp() + pd.offsets.MonthBegin(1)).date
    oct_idx = np.searchsorted([hi for _, _, hi in _OCT_DROPS], days.day, side="left")
    oct_dates = np.array([d for d, _, _ in _OCT_DROPS], dtype=object)
    drop = np.where(days.month == 10, oct_dates[np.minimum(oct_idx, len(_OCT_DROPS) - 1)], month_drop)
    for d, part in fx.groupby(drop, sort=True):
        b.frame(d, "fx_rates", part)


def _write_customers(
    b: LandingBuilder, repeat, new, churn, test, noise, old, merged_old_of, country, rng: np.random.Generator
) -> None:
    tiers = np.array(["BRONZE", "SILVER", "GOLD", "PLATINUM"])

    def crm(cust: np.ndarray, updated_at: str, **over: Any) -> pd.DataFrame:
        n = len(cust)
        ctry = country.reindex(cust).to_numpy(dtype=object)
        df = pd.DataFrame(
            {
                "customer_id_nat": cust,
                "full_name": np.char.add("Customer ", cust.astype(str)).astype(object),
                "email": np.char.add(np.char.lower(cust.astype(str)), "@example.com").astype(object),
                "phone": np.where(ctry == "AE", "+971500000000", "+966500000000"),
                "city": np.where(ctry == "AE", "Dubai", "Riyadh"),
                "country_code": ctry,
                "loyalty_tier": rng.choice(tiers[:3], size=n),
                "is_vip": (rng.random(n) < 0.05).astype(int).astype(str),
                "customer_flag": "",
                "acquisition_channel": rng.choice(
                    np.array(["ORGANIC", "PAID_SOCIAL", "SEARCH", "REFERRAL"]), size=n
                ),
                "signup_date": "2024-12-15",
                "merged_into": "",
                "updated_at": updated_at,
            }
        )
        for col, value in over.items():
            df[col] = value
        return df

    # Customers with history arrive in the first drop; the merge of old ids lands on 2025-09-15.
    b.frame(
        "2025-02-01",
        "crm_customers",
        crm(np.concatenate([repeat[len(old) :], churn, old]), "2025-01-31T12:00:00+03:00"),
    )
    b.frame("2025-02-01", "crm_customers", crm(test, "2025-01-31T12:00:00+03:00", customer_flag="TEST"))
    survivors = np.array(list(merged_old_of), dtype=object)
    b.frame("2025-09-15", "crm_customers", crm(survivors, "2025-09-14T12:00:00+03:00"))
    b.frame(
        "2025-09-15",
        "crm_customers",
        crm(
            np.array(list(merged_old_of.values()), dtype=object),
            "2025-09-14T12:00:00+03:00",
            merged_into=survivors,
        ),
    )
    # New customers (25 of them never reach the CRM) and the noise-only customers.
    b.frame(
        "2025-10-08", "crm_customers", crm(np.concatenate([new[:-25], noise]), "2025-10-07T12:00:00+03:00")
    )
    # 1,000 repeat customers upgraded on 2025-10-21.
    up = repeat[len(old) : len(old) + 1000]
    b.frame(
        "2025-10-22",
        "crm_customers",
        crm(
            up,
            "2025-10-21T10:00:00+03:00",
            loyalty_tier=rng.choice(tiers[2:], size=len(up)),
            is_vip=np.where(rng.random(len(up)) < 0.3, "1", "0"),
        ),
    )
