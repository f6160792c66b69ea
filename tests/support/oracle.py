"""An independent pandas oracle of ``core.fact_customer_monthly_activity`` (DESIGN §2, §4; REFERENCE §A).

Integration tests compare the SQL pipeline with this module row by row. It reads a landing folder
directly, applies the extract contract and the activity rules literally, and shares no code with the
product except the column table of :mod:`analytics.contract`.

Public API::

    read_landing(landing, as_of, names=None) -> dict[str, DataFrame]   # well-formed rows, typed
    expected_monthly_activity(landing, as_of) -> DataFrame
    expected_region_summary(landing, as_of) -> DataFrame
    compare_frames(expected, actual, key) -> list[str]                 # readable row-by-row diff

Decisions where the rules are silent (kept here so tests and reviewers see them):

* Contract checks: TIMESTAMPTZ = ``YYYY-MM-DD[T| ]HH:MM[:SS[.f+]]`` followed by ``Z`` or ``±HH[[:]MM]``
  and a valid instant; DATE = ``YYYY-MM-DD`` valid calendar date; AMOUNT = ``[+-]digits[.1..scale
  digits]`` (no exponent, no bare ``.5`` / ``5.``) plus the field's sign rule; INTEGER = ``[+-]digits``
  within PostgreSQL ``integer`` plus the sign rule; FLAG01 = ``0``/``1``. CODE values are upper-cased
  (also when no allowed set is given, e.g. ``final_status``, ``loyalty_tier``). A missing *required*
  column skips the file; a missing *optional* column reads as empty. Extra columns are ignored. A
  ``pos_stores`` row whose ``timezone`` is not an IANA zone name is treated as malformed.
* "File order" across several files of one drop (``x.csv`` and ``x.csv.gz``) = file name order.
* An order whose store is unknown (no well-formed ``pos_stores`` row) has no local date: it never counts.
* Merge chains that run into a cycle are ignored: every id on or leading into the cycle keeps its own id.
  A merge into an id with no CRM row still moves the orders there (that id has tier None, VIP 0). Only
  the order's own id and the final survivor are checked for ``customer_flag`` (not ids mid-chain).
* A record with the wrong field count (including a blank line) is dropped like any malformed row.
* A non-AED order with no FX row for (local date, currency) still counts as an order, but its AED is
  unknown: the month's ``total_net_amount_aed_month`` (and the region total) is ``None``.
* Rule 9 fallback "earliest row" = smallest ``updated_at``; equal ``updated_at`` versions of one
  customer collapse to the latest ingestion (then last in file order) before any choice is made.
* Region summary is dense: every month present in the activity rows gets the three rows UAE, KSA, ALL
  (zeros where nobody was active), ordered by month_key then UAE, KSA, ALL.

Results are memoised per folder state (paths, sizes, mtimes), so asking for the activity and the region
summary of one folder computes once.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.contract import FILE_SPECS, FieldKind, FileSpec

__all__ = [
    "ACTIVITY_COLUMNS",
    "REGION_COLUMNS",
    "read_landing",
    "expected_monthly_activity",
    "expected_region_summary",
    "compare_frames",
]

ACTIVITY_COLUMNS = [
    "customer_id_nat",
    "month_key",
    "is_active_flag",
    "is_new_flag",
    "is_repeat_flag",
    "orders_count_month",
    "total_net_amount_native_month",
    "native_currency_code",
    "total_net_amount_aed_month",
    "first_order_month",
    "last_order_month",
    "loyalty_tier",
    "is_vip_flag",
]
REGION_COLUMNS = [
    "month_key",
    "region",
    "active_customers",
    "new_customers",
    "repeat_customers",
    "total_net_amount_aed",
]
REGIONS = ("UAE", "KSA", "ALL")
QUALIFYING_STATUSES = ("COMPLETED", "FULFILLED")
CUTOFF_TIMEZONE = "Asia/Riyadh"  # rule 9: month-end boundary for loyalty_tier / is_vip_flag

_CENT = Decimal("0.01")
_DROP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TS_RE = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)"
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_INT_RE = r"[+-]?\d+"
_INT4_MAX = 2**31 - 1
_ORDER_KEYS = ["_ingest", "_file", "_row"]  # ingestion date, then file order, then row order
_VALID_TIMEZONES = sorted(zoneinfo.available_timezones())


# --------------------------------------------------------------------------------------------------
# Reading and the contract
# --------------------------------------------------------------------------------------------------


def _drops(landing: Path, as_of: dt.date) -> list[tuple[dt.date, Path]]:
    """Drop folders named YYYY-MM-DD with ingestion date <= as_of (rule 1), oldest first."""
    out = []
    for child in Path(landing).iterdir():
        if not child.is_dir() or not _DROP_RE.match(child.name):
            continue
        try:
            day = dt.date.fromisoformat(child.name)
        except ValueError:
            continue
        if day <= as_of:
            out.append((day, child))
    return sorted(out)


def _read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _as_str(series: pd.Series) -> pd.Series:
    return series.astype(str)


def _amount_units(text: pd.Series, scale: int) -> pd.Series:
    """'-12.3' -> -1230 for scale 2 (exact integer in units of 10**-scale). Input already validated."""
    dot = text.str.find(".").to_numpy(dtype="int64")
    length = text.str.len().to_numpy(dtype="int64")
    frac_len = np.where(dot >= 0, length - dot - 1, 0)
    digits = text.str.replace(r"[+\-.]", "", regex=True)
    neg = text.str.startswith("-").to_numpy(dtype=bool)
    pad = scale - frac_len
    if len(digits) == 0 or int((digits.str.len().to_numpy() + pad).max()) <= 18:
        mag = digits.astype("int64").to_numpy() * (10 ** pad.astype("int64"))
        return pd.Series(np.where(neg, -mag, mag), index=text.index, dtype="int64")
    mags = [int(d) * 10 ** int(p) for d, p in zip(digits, pad, strict=True)]
    return pd.Series([-m if n else m for m, n in zip(mags, neg, strict=True)], index=text.index, dtype=object)


def _validate(df: pd.DataFrame, spec: FileSpec) -> pd.DataFrame:
    """Typed well-formed rows of one file: rows failing any field check are dropped."""
    ok = pd.Series(True, index=df.index)
    out: dict[str, pd.Series] = {}
    for field in spec.fields:
        if field.name in df.columns:
            s = _as_str(df[field.name]).str.strip()
        else:
            s = pd.Series("", index=df.index, dtype=object).astype(str)
        empty = s == ""
        if field.required:
            ok &= ~empty
        present = ~empty
        kind = field.kind
        if kind is FieldKind.TEXT:
            out[field.name] = s.astype(object).where(present, None)
        elif kind is FieldKind.CODE:
            s = s.str.upper()
            if field.allowed:
                ok &= empty | s.isin(field.allowed)
            out[field.name] = s.astype(object).where(present, None)
        elif kind is FieldKind.TIMESTAMPTZ:
            shaped = s.str.fullmatch(_TS_RE)
            parsed = pd.to_datetime(s.where(shaped & present), utc=True, format="ISO8601", errors="coerce")
            ok &= empty | (shaped & parsed.notna())
            out[field.name] = parsed
        elif kind is FieldKind.DATE:
            shaped = s.str.fullmatch(_DATE_RE)
            parsed = pd.to_datetime(s.where(shaped & present), format="%Y-%m-%d", errors="coerce")
            ok &= empty | (shaped & parsed.notna())
            out[field.name] = parsed
        elif kind is FieldKind.AMOUNT:
            rx = rf"[+-]?\d+(?:\.\d{{1,{field.scale}}})?"
            shaped = s.str.fullmatch(rx) & present
            units = pd.Series(0, index=df.index, dtype="int64")
            if shaped.any():
                got = _amount_units(s[shaped], field.scale)
                if got.dtype == object:
                    units = units.astype(object)
                units.loc[got.index] = got.to_numpy()
            sign = np.sign(units) if units.dtype != object else units.map(lambda v: (v > 0) - (v < 0))
            good = shaped.copy()
            if field.sign == "nonneg":
                good &= sign >= 0
            elif field.sign == "positive":
                good &= sign > 0
            ok &= empty | good
            keep = good & present
            out[field.name] = (
                units.astype("Int64").where(keep) if units.dtype != object else units.where(keep, None)
            )
        elif kind is FieldKind.INTEGER:
            shaped = s.str.fullmatch(_INT_RE) & present
            vals = pd.Series(0, index=df.index, dtype=object)
            vals.loc[shaped[shaped].index] = [int(v) for v in s[shaped]]
            good = shaped & vals.map(lambda v: abs(v) <= _INT4_MAX)
            if field.sign == "nonneg":
                good &= vals.map(lambda v: v >= 0)
            elif field.sign == "positive":
                good &= vals.map(lambda v: v > 0)
            ok &= empty | good
            out[field.name] = vals.where(good, None)
        elif kind is FieldKind.LOCAL_TIMESTAMP:
            parsed = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
            for layout in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
                parsed = parsed.fillna(pd.to_datetime(s.where(present), format=layout, errors="coerce"))
            ok &= empty | parsed.notna()
            out[field.name] = parsed
        elif kind is FieldKind.FLAG01:
            ok &= empty | s.isin(["0", "1"])
            out[field.name] = (s == "1").astype("int64")
        else:  # pragma: no cover - a new kind in the contract must be mirrored here
            raise NotImplementedError(f"contract kind {kind!r} not handled by the oracle")
    if spec.name == "pos_stores":
        ok &= out["timezone"].isin(_VALID_TIMEZONES)
    keep = ok.to_numpy()
    return pd.DataFrame({name: col[keep] for name, col in out.items()}, index=df.index[keep])


def _read_file(path: Path, spec: FileSpec) -> pd.DataFrame | None:
    """The raw text of one file's records with the right field count (contract columns only; a
    missing optional column reads as empty), or None when the file is rejected as a whole."""
    rows = _read_csv_rows(path)
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    missing = [f.name for f in spec.fields if f.required and f.name not in header]
    if missing:
        return None  # the loader rejects the whole file
    width = len(header)
    numbered = [(i, r) for i, r in enumerate(rows[1:], start=2) if len(r) == width]
    position = {}
    for i, name in enumerate(header):
        position.setdefault(name, i)  # duplicate header names: the first occurrence is the column
    data = {}
    for name in spec.columns:
        i = position.get(name)
        data[name] = [r[i] for _, r in numbered] if i is not None else [""] * len(numbered)
    df = pd.DataFrame(data, dtype=str) if numbered else pd.DataFrame({c: pd.Series(dtype=str) for c in data})
    df["_row"] = np.array([i for i, _ in numbered], dtype="int64")
    return df


def read_landing(
    landing: Path, as_of: dt.date, names: tuple[str, ...] | None = None
) -> dict[str, pd.DataFrame]:
    """Well-formed, typed rows of every file kind in drops <= as_of.

    Each frame has the contract columns (TEXT/CODE as str or None, TIMESTAMPTZ as UTC datetime64,
    DATE as datetime64, AMOUNT as exact integers in units of 10**-scale (``Int64``, NA when empty),
    FLAG01 as int) plus ``_ingest`` (datetime64 of the drop), ``_file`` (file order in the drop) and
    ``_row`` (record number in the file, the header being 1).
    """
    names = tuple(names or FILE_SPECS)
    frames: dict[str, list[pd.DataFrame]] = {n: [] for n in names}
    for day, folder in _drops(Path(landing), as_of):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        for file_pos, path in enumerate(files):
            for suffix in (".csv.gz", ".csv"):
                if path.name.endswith(suffix):
                    name = path.name[: -len(suffix)]
                    break
            else:
                continue
            if name not in frames:
                continue
            raw = _read_file(path, FILE_SPECS[name])
            if raw is None or raw.empty:
                continue
            raw["_ingest"] = pd.Timestamp(day).as_unit("us")
            raw["_file"] = file_pos
            frames[name].append(raw)
    out = {}
    for name, parts in frames.items():
        spec = FILE_SPECS[name]
        if parts:
            raw = pd.concat(parts, ignore_index=True)
        else:
            raw = pd.DataFrame({c: pd.Series(dtype=str) for c in spec.columns})
            raw["_row"] = pd.Series(dtype="int64")
            raw["_file"] = pd.Series(dtype="int64")
            raw["_ingest"] = pd.Series(dtype="datetime64[us]")
        typed = _validate(raw[list(spec.columns)], spec)
        for col in _ORDER_KEYS:
            typed[col] = raw.loc[typed.index, col]
        out[name] = typed.reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------


def _latest(df: pd.DataFrame, key: list[str], by_updated: bool) -> pd.DataFrame:
    """Rule 2: the winning version per key (latest updated_at, then ingestion, then file order)."""
    order = key + (["updated_at"] if by_updated else []) + _ORDER_KEYS
    return df.sort_values(order, kind="mergesort").drop_duplicates(key, keep="last")


def _resolve_merges(customers: pd.DataFrame) -> pd.Series:
    """Rule 3: id -> surviving id, transitively, over the latest CRM rows (cycles: no merge)."""
    m = customers.set_index("customer_id_nat")["merged_into"].dropna()
    m = m[m != m.index.to_series()]
    if m.empty:
        return m
    resolved = m.copy()
    for _ in range(64):  # pointer doubling: chains of up to 2**64 hops
        nxt = resolved.map(resolved).where(lambda s: s.notna(), resolved)
        if nxt.equals(resolved):
            break
        resolved = nxt
    # A terminal id is not itself merged; anything still pointing at a merged id is in a cycle.
    in_cycle = resolved.isin(m.index)
    return resolved[~in_cycle]


def _month_index(ts: pd.Series) -> pd.Series:
    return ts.dt.year * 12 + (ts.dt.month - 1)


def _month_date(idx: int) -> dt.date:
    return dt.date(int(idx) // 12, int(idx) % 12 + 1, 1)


def _month_text(idx: int) -> str:
    return f"{int(idx) // 12:04d}-{int(idx) % 12 + 1:02d}"


def _to_decimal(units) -> Decimal:
    return Decimal(int(units)).scaleb(-2).quantize(_CENT)


def _int_array(series: pd.Series) -> np.ndarray:
    """Exact integers as int64 when the column is a (nullable) integer column, else Python ints."""
    if series.dtype == object:
        return np.array([int(v) for v in series], dtype=object)
    return series.astype("int64").to_numpy()


def _round_half_away(product, divisor: int):
    """round(product / divisor) with ties away from zero, exact integer arithmetic."""
    if isinstance(product, np.ndarray) and product.dtype != object:
        mag = (np.abs(product) + divisor // 2) // divisor
        return np.where(product < 0, -mag, mag)
    return np.array(
        [(-1 if p < 0 else 1) * ((abs(p) + divisor // 2) // divisor) for p in product], dtype=object
    )


def _qualified_orders(data: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """Qualified orders (rules 2-6, 10) with surviving customer, local month, region and AED cents."""
    orders = _latest(data["oms_orders"], ["order_id"], by_updated=True)
    customers = _latest(data["crm_customers"], ["customer_id_nat"], by_updated=True)
    stores = _latest(data["pos_stores"], ["store_id"], by_updated=False)
    fx = _latest(data["fx_rates"], ["rate_date", "currency_code"], by_updated=False)

    merges = _resolve_merges(customers)
    flagged = set(customers.loc[customers["customer_flag"].notna(), "customer_id_nat"])

    o = orders[
        [
            "order_id",
            "customer_id_nat",
            "store_id",
            "order_type",
            "final_status",
            "order_flag",
            "currency_code",
            "net_amount",
            "order_ts",
        ]
    ].copy()
    o["surviving_id"] = o["customer_id_nat"].map(merges).where(lambda s: s.notna(), o["customer_id_nat"])
    o = o.merge(stores[["store_id", "timezone", "region"]], on="store_id", how="inner")

    qualified = (
        (o["order_type"] == "SALE")
        & o["final_status"].isin(QUALIFYING_STATUSES)
        & o["order_flag"].isna()
        & o["customer_id_nat"].notna()
        & ~o["customer_id_nat"].isin(flagged)
        & ~o["surviving_id"].isin(flagged)
    )
    o = o[qualified.to_numpy()].copy()

    # Rule 5: store-local timestamp, date and month.
    local = pd.Series(pd.NaT, index=o.index, dtype="datetime64[us]")
    for tz, idx in o.groupby("timezone").groups.items():
        local.loc[idx] = (
            o.loc[idx, "order_ts"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
        )
    o["local_date"] = local.dt.normalize()
    o = o[o["local_date"] <= pd.Timestamp(as_of)].copy()
    o["month_idx"] = _month_index(o["local_date"]).astype("int64")

    # Rule 6: exact AED cents = round_half_away(cents * rate_e8 / 1e8).
    rates = fx[["rate_date", "currency_code", "rate_to_aed"]].rename(
        columns={"rate_date": "local_date", "rate_to_aed": "rate_e8"}
    )
    rates["local_date"] = rates["local_date"].astype("datetime64[us]")
    o = o.merge(rates, on=["local_date", "currency_code"], how="left")
    no_rate = o["rate_e8"].isna()
    o.loc[no_rate & (o["currency_code"] == "AED"), "rate_e8"] = 10**8
    o["aed_known"] = o["rate_e8"].notna()
    cents = _int_array(o["net_amount"])
    rate = _int_array(o["rate_e8"].where(o["aed_known"], 0))
    if (
        cents.dtype == object
        or rate.dtype == object
        or (len(o) and int(np.abs(cents).max()) * int(rate.max()) >= 2**62)
    ):
        product = np.array([int(c) * int(r) for c, r in zip(cents, rate, strict=True)], dtype=object)
    else:
        product = cents * rate
    o["aed_cents"] = _round_half_away(product, 10**8)
    o["net_cents"] = cents
    return o[
        [
            "order_id",
            "customer_id_nat",
            "surviving_id",
            "store_id",
            "region",
            "currency_code",
            "local_date",
            "month_idx",
            "net_cents",
            "aed_cents",
            "aed_known",
        ]
    ]


def _tier_at_month_end(grid: pd.DataFrame, crm: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Rule 9: loyalty_tier / is_vip of the surviving customer as of each row's month end."""
    versions = crm.sort_values(["customer_id_nat", "updated_at"] + _ORDER_KEYS, kind="mergesort")
    versions = versions.drop_duplicates(["customer_id_nat", "updated_at"], keep="last")
    versions = versions[["customer_id_nat", "updated_at", "loyalty_tier", "is_vip"]]

    next_month = grid["month_idx"] + 1
    boundary_day = pd.to_datetime({"year": next_month // 12, "month": next_month % 12 + 1, "day": 1}).astype(
        "datetime64[us]"
    )
    boundary_day = boundary_day.clip(upper=pd.Timestamp(as_of + dt.timedelta(days=1)))
    boundary = boundary_day.dt.tz_localize(CUTOFF_TIMEZONE).dt.tz_convert("UTC").astype("datetime64[us, UTC]")

    left = pd.DataFrame(
        {
            "_pos": np.arange(len(grid)),
            "customer_id_nat": grid["customer_id_nat"].to_numpy(),
            "boundary": boundary.array,
        }
    )
    right = versions.rename(columns={"updated_at": "boundary"}).copy()
    right["boundary"] = right["boundary"].astype("datetime64[us, UTC]")
    left["customer_id_nat"] = left["customer_id_nat"].astype(object)
    right["customer_id_nat"] = right["customer_id_nat"].astype(object)
    hit = (
        pd.merge_asof(
            left.sort_values("boundary", kind="mergesort"),
            right.sort_values("boundary", kind="mergesort"),
            on="boundary",
            by="customer_id_nat",
            direction="backward",
            allow_exact_matches=False,
        )
        .set_index("_pos")
        .sort_index()
    )

    earliest = versions.drop_duplicates("customer_id_nat", keep="first").set_index("customer_id_nat")
    matched = hit["is_vip"].notna()
    tier = hit["loyalty_tier"].where(
        matched, grid["customer_id_nat"].map(earliest["loyalty_tier"]).to_numpy()
    )
    has_any = matched | grid["customer_id_nat"].isin(earliest.index).to_numpy()
    vip = hit["is_vip"].where(matched, grid["customer_id_nat"].map(earliest["is_vip"]).to_numpy())
    tier = tier.astype(object).where(has_any & tier.notna(), None)
    vip = vip.where(has_any, 0).fillna(0).astype("int64")
    return pd.DataFrame({"loyalty_tier": tier.to_numpy(), "is_vip_flag": vip.to_numpy()}, index=grid.index)


_CACHE: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _folder_signature(landing: Path, as_of: dt.date) -> tuple:
    """What the result depends on: every landing file's path, size and mtime (drops <= as_of)."""
    sig = []
    for _, folder in _drops(landing, as_of):
        for p in sorted(folder.iterdir()):
            st = p.stat()
            sig.append((p.name, folder.name, st.st_size, st.st_mtime_ns))
    return (str(landing.resolve()), as_of, tuple(sig))


def _activity(landing: Path, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Memoised (small cache) so that activity and region summary of one folder compute once."""
    key = _folder_signature(landing, as_of)
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _compute_activity(landing, as_of)
    act, orders = _CACHE[key]
    return act.copy(), orders.copy()


def _compute_activity(landing: Path, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = read_landing(landing, as_of, ("oms_orders", "crm_customers", "pos_stores", "fx_rates"))
    orders = _qualified_orders(data, as_of)

    # Per customer x month aggregates of qualified orders.
    cur_code, currencies = pd.factorize(orders["currency_code"], sort=True)
    orders = orders.assign(cur_code=cur_code)
    g = orders.groupby(["surviving_id", "month_idx"], sort=True)
    agg = g.agg(
        orders_count_month=("order_id", "size"),
        net_cents=("net_cents", "sum"),
        cur_lo=("cur_code", "min"),
        cur_hi=("cur_code", "max"),
        aed_cents=("aed_cents", "sum"),
        aed_known=("aed_known", "all"),
    ).reset_index()

    # Rule 7: the dense month grid from the first qualified month through the as-of month.
    first = agg.groupby("surviving_id", sort=True)["month_idx"].min()
    as_of_idx = as_of.year * 12 + as_of.month - 1
    n = (as_of_idx - first.to_numpy() + 1).astype("int64")
    total = int(n.sum())
    starts = np.repeat(np.cumsum(n) - n, n)
    grid = pd.DataFrame(
        {
            "customer_id_nat": np.repeat(first.index.to_numpy(dtype=object), n),
            "month_idx": np.repeat(first.to_numpy(), n) + (np.arange(total) - starts),
            "first_idx": np.repeat(first.to_numpy(), n),
        }
    )
    if grid.empty:
        empty = pd.DataFrame(index=pd.RangeIndex(0))
        for c in ACTIVITY_COLUMNS:
            empty[c] = pd.Series(dtype=object)
        for c in ("is_active_flag", "is_new_flag", "is_repeat_flag", "orders_count_month", "is_vip_flag"):
            empty[c] = empty[c].astype("int64")
        empty["_month_idx"] = pd.Series(dtype="int64")
        return empty, orders
    grid = grid.merge(
        agg.rename(columns={"surviving_id": "customer_id_nat"}),
        on=["customer_id_nat", "month_idx"],
        how="left",
    )
    active = grid["orders_count_month"].notna()
    grid["is_active_flag"] = active.astype("int64")
    grid["is_new_flag"] = (active & (grid["month_idx"] == grid["first_idx"])).astype("int64")
    grid["is_repeat_flag"] = (active & (grid["month_idx"] > grid["first_idx"])).astype("int64")
    grid["orders_count_month"] = grid["orders_count_month"].fillna(0).astype("int64")
    last_idx = grid["month_idx"].where(active).groupby(grid["customer_id_nat"]).ffill()

    mixed = active & (grid["cur_lo"] != grid["cur_hi"])
    currency = pd.Series(np.asarray(currencies, dtype=object), dtype=object).reindex(
        grid["cur_lo"].fillna(-1).astype(int)
    )
    single = active & ~mixed
    net = grid["net_cents"].fillna(0)
    aed = grid["aed_cents"].fillna(0)
    aed_known = grid["aed_known"].fillna(True).astype(bool)

    dec = {}
    months = {m: (_month_date(m), _month_text(m)) for m in pd.unique(grid["month_idx"])}
    tiers = _tier_at_month_end(grid, data["crm_customers"], as_of)
    columns = {
        "customer_id_nat": list(grid["customer_id_nat"]),
        "month_key": [months[m][0] for m in grid["month_idx"]],
        "is_active_flag": grid["is_active_flag"].to_numpy(),
        "is_new_flag": grid["is_new_flag"].to_numpy(),
        "is_repeat_flag": grid["is_repeat_flag"].to_numpy(),
        "orders_count_month": grid["orders_count_month"].to_numpy(),
        "total_net_amount_native_month": [
            None if mx else _cached_decimal(dec, c) for c, mx in zip(net, mixed, strict=True)
        ],
        "native_currency_code": list(
            np.where(mixed, "MIXED", np.where(single, currency.to_numpy(dtype=object), None))
        ),
        "total_net_amount_aed_month": [
            _cached_decimal(dec, c) if ok else None for c, ok in zip(aed, aed_known, strict=True)
        ],
        "first_order_month": [months[m][1] for m in grid["first_idx"]],
        "last_order_month": [months[m][1] for m in last_idx.astype("int64")],
        "loyalty_tier": list(tiers["loyalty_tier"]),
        "is_vip_flag": tiers["is_vip_flag"].to_numpy(),
    }
    out = pd.DataFrame(index=pd.RangeIndex(len(grid)))
    for name, values in columns.items():
        out[name] = _object_column(values) if isinstance(values, list) else values
    out["_month_idx"] = grid["month_idx"].to_numpy()
    out = out.sort_values(["customer_id_nat", "_month_idx"], kind="mergesort").reset_index(drop=True)
    return out, orders


def _object_column(values: list) -> pd.Series:
    """An object-dtype column (keeps ``None``, ``str``, ``date``, ``Decimal`` as Python objects)."""
    s = pd.Series(values, dtype=object)
    return s.where(s.notna(), None)


def _cached_decimal(cache: dict, units) -> Decimal:
    units = int(units)
    got = cache.get(units)
    if got is None:
        got = cache[units] = _to_decimal(units)
    return got


def expected_monthly_activity(landing: Path, as_of: dt.date) -> pd.DataFrame:
    """The expected ``core.fact_customer_monthly_activity`` rows for a landing folder at ``as_of``.

    Columns: :data:`ACTIVITY_COLUMNS`; ``month_key`` is a ``datetime.date`` (1st of month), amounts
    are ``Decimal`` quantised to 0.01 (object dtype), text columns are ``str`` or ``None``, flags and
    counts ``int64``. Sorted by (customer_id_nat, month_key).
    """
    out, _ = _activity(Path(landing), as_of)
    return out[ACTIVITY_COLUMNS].copy()


def expected_region_summary(landing: Path, as_of: dt.date) -> pd.DataFrame:
    """Active / new / repeat customers and AED per month and region (UAE, KSA, ALL).

    A customer active in both regions in a month counts once in each region and once in ALL; new /
    repeat in a region = customers active there whose month row is new / repeat; the amount is the sum
    of order AED of that region's qualified orders (ALL: of all qualified orders).
    """
    act, orders = _activity(Path(landing), as_of)
    if act.empty:
        return _region_frame([])
    month_idx = np.sort(pd.unique(act["_month_idx"]))

    flags = act[["customer_id_nat", "_month_idx", "is_new_flag", "is_repeat_flag"]].rename(
        columns={"customer_id_nat": "surviving_id", "_month_idx": "month_idx"}
    )
    per_cust = orders[["surviving_id", "month_idx", "region"]].drop_duplicates()
    per_cust = per_cust.merge(flags, on=["surviving_id", "month_idx"], how="left")
    regional = per_cust.groupby(["month_idx", "region"]).agg(
        active_customers=("surviving_id", "size"),
        new_customers=("is_new_flag", "sum"),
        repeat_customers=("is_repeat_flag", "sum"),
    )
    money = orders.groupby(["month_idx", "region"]).agg(aed=("aed_cents", "sum"), known=("aed_known", "all"))
    everyone = act.groupby("_month_idx").agg(
        active_customers=("is_active_flag", "sum"),
        new_customers=("is_new_flag", "sum"),
        repeat_customers=("is_repeat_flag", "sum"),
    )
    money_all = orders.groupby("month_idx").agg(aed=("aed_cents", "sum"), known=("aed_known", "all"))

    rows = []
    for m in month_idx:
        for region in REGIONS:
            if region == "ALL":
                counts = everyone.loc[m] if m in everyone.index else None
                cash = money_all.loc[m] if m in money_all.index else None
            else:
                counts = regional.loc[(m, region)] if (m, region) in regional.index else None
                cash = money.loc[(m, region)] if (m, region) in money.index else None
            rows.append(
                {
                    "month_key": _month_date(m),
                    "region": region,
                    "active_customers": int(counts["active_customers"]) if counts is not None else 0,
                    "new_customers": int(counts["new_customers"]) if counts is not None else 0,
                    "repeat_customers": int(counts["repeat_customers"]) if counts is not None else 0,
                    "total_net_amount_aed": (
                        _to_decimal(0)
                        if cash is None
                        else (_to_decimal(cash["aed"]) if cash["known"] else None)
                    ),
                }
            )
    return _region_frame(rows)


def _region_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for col in REGION_COLUMNS:
        values = [r[col] for r in rows]
        if col in ("active_customers", "new_customers", "repeat_customers"):
            out[col] = pd.Series(values, dtype="int64")
        else:
            out[col] = _object_column(values)
    return out


# --------------------------------------------------------------------------------------------------
# Comparison helper for integration tests
# --------------------------------------------------------------------------------------------------


def _norm(value):
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, Decimal):
        return value.quantize(_CENT)
    if isinstance(value, (np.integer, bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value))).quantize(_CENT)
    return value


def compare_frames(
    expected: pd.DataFrame, actual: pd.DataFrame, key: list[str], limit: int = 20
) -> list[str]:
    """Readable differences between two frames on the expected frame's columns, matched by ``key``.

    Values are normalised before comparing (Decimal to 0.01, timestamps/datetimes to dates, numpy
    scalars to int, NaN/NaT to None). Returns at most ``limit`` messages; empty list = equal.
    """
    cols = [c for c in expected.columns if c not in key]
    missing_cols = [c for c in expected.columns if c not in actual.columns]
    if missing_cols:
        return [f"actual lacks columns {missing_cols}"]

    def index(df: pd.DataFrame) -> dict:
        out = {}
        for rec in df[list(key) + cols].itertuples(index=False, name=None):
            rec = tuple(_norm(v) for v in rec)
            out.setdefault(rec[: len(key)], []).append(rec[len(key) :])
        return out

    exp, got = index(expected), index(actual)
    problems: list[str] = []
    for k in sorted(set(exp) | set(got), key=lambda t: tuple("" if v is None else str(v) for v in t)):
        e, a = exp.get(k), got.get(k)
        if e is None:
            problems.append(
                f"unexpected row {dict(zip(key, k, strict=True))}: {dict(zip(cols, a[0], strict=True))}"
            )
        elif a is None:
            problems.append(
                f"missing row {dict(zip(key, k, strict=True))}: {dict(zip(cols, e[0], strict=True))}"
            )
        elif len(a) > 1:
            problems.append(f"duplicate key {dict(zip(key, k, strict=True))} in actual ({len(a)} rows)")
        else:
            diffs = {c: (ev, av) for c, ev, av in zip(cols, e[0], a[0], strict=True) if ev != av}
            if diffs:
                text = ", ".join(f"{c}: expected {ev!r} got {av!r}" for c, (ev, av) in diffs.items())
                problems.append(f"row {dict(zip(key, k, strict=True))}: {text}")
        if len(problems) >= limit:
            problems.append("... (more differences not shown)")
            break
    return problems
