"""``generate_pos_log``: a deterministic online-retail-style POS log as daily ``pos_transactions.csv`` drops.

The classic UCI "Online Retail" shape (InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
UnitPrice, CustomerID, Country), written into the landing layout ``<out>/<YYYY-MM-DD>/pos_transactions.csv``
— the drop dated D carries the invoices of D-1, as for the OMS extracts — with every situation the
cleaning rules of ``analytics.pos`` must handle, in realistic shares:

- customer invoices (about 18 lines each) and guest invoices (no CustomerID, longer: about a quarter of
  all lines), customers in ~38 countries as the UCI file spells them (EIRE, RSA, USA, Channel Islands,
  and the excluded European Community and Unspecified);
- credit notes (C…, about 2 % of lines), postage on foreign invoices (POST, C2, DOT) and some refunded,
  discounts (D) and manual corrections (M) on invoices and credit notes, fees and commissions (CRUK,
  BANK CHARGES, AMAZONFEE, PADS at 0.001, samples S, gift vouchers), three bad-debt lines (A…, B);
- zero-value stock lines with the clerks' wordings (damaged, ?, check, wrongly coded…, mailout), lines
  without description, free items on some SKUs, and SKUs of every price behaviour (``pos_catalogue``);
- file-level export quirks: some days' files have float CustomerIDs (``17850.0``) or ISO dates; a few
  malformed rows (impossible date, non-numeric quantity or price).

Generation is vectorised numpy per month (memory: one month of lines), rendering is pyarrow compute into
one CSV line per row with minimal RFC 4180 quoting (``render``), and each day's file is a byte range of
the month's rendered lines. Same arguments, byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from analytics.generate.period import DEFAULT_END_DATE, build_period, day_to_date
from analytics.generate.pos_catalogue import (
    CUSTOMER_COUNTRIES,
    INVENTORY_DESCRIPTIONS,
    SPECIAL_LINES,
    build_pos_catalogue,
)
from analytics.generate.pos_month import MonthLines, draw_month
from analytics.generate.render import amounts, integers, join_lines, line_bytes, lookup, quote_needed
from analytics.generate.writer import LandingWriter
from analytics.pos.parsing import POS_COLUMNS

__all__ = ["GENERATOR_VERSION", "POS_FILE_NAME", "generate_pos_log"]

GENERATOR_VERSION = 1
POS_FILE_NAME = "pos_transactions"
FIRST_CUSTOMER_ID = 12346
FIRST_INVOICE_NO = 536365
FLOAT_ID_DAY_SHARE = 1 / 3   # days whose file was exported with a float CustomerID column
ISO_DATE_DAY_SHARE = 1 / 4   # days whose file has ISO dates instead of M/D/YYYY H:MM
SPELLED_COUNTRIES = ("EIRE", "RSA", "USA", "Channel Islands", "European Community", "Unspecified")
_MALFORMED = {
    "InvoiceDate": ("2/30/2011 10:00", "13/45/2011 8:26", "not a date"),
    "Quantity": ("three", "1O", "--2"),
    "UnitPrice": ("1,25", "N/A", "£2.50"),
}


def _date_texts(first_day: int, last_day: int) -> tuple[pa.Array, pa.Array]:
    """For each day in ``first_day..last_day``: 'M/D/YYYY' and 'YYYY-MM-DD'."""
    days = [day_to_date(d) for d in range(first_day, last_day + 1)]
    return (pa.array([f"{d.month}/{d.day}/{d.year}" for d in days]),
            pa.array([d.isoformat() for d in days]))


_MINUTES = np.arange(24 * 60)
_US_TIMES = pa.array([f"{m // 60}:{m % 60:02d}" for m in _MINUTES])
_ISO_TIMES = pa.array([f"{m // 60:02d}:{m % 60:02d}:00" for m in _MINUTES])


def _render(month: MonthLines, tables: dict, float_day: np.ndarray, iso_day: np.ndarray, first_day: int,
            malformed: dict[str, np.ndarray]) -> pa.Array:
    """The month's lines as CSV text (one line per row, in file order), malformed values patched in."""
    invoice_no = pc.binary_join_element_wise(
        lookup(("", "C", "A"), month.prefix), integers(FIRST_INVOICE_NO + month.invoice_no), "")
    us_dates, iso_dates = _date_texts(int(month.day.min()), int(month.day.max()))
    at = pa.array(month.day - int(month.day.min()))
    iso = pa.array(iso_day[month.day - first_day])
    minute = pa.array(month.minute)
    date = pc.if_else(iso, pc.binary_join_element_wise(iso_dates.take(at), _ISO_TIMES.take(minute), " "),
                      pc.binary_join_element_wise(us_dates.take(at), _US_TIMES.take(minute), " "))
    cents = month.mils % 10 == 0
    price = pc.if_else(pa.array(cents), amounts(month.mils // 10, 2), amounts(month.mils, 3))
    guest = month.customer < 0
    customer = integers(FIRST_CUSTOMER_ID + np.maximum(month.customer, 0))
    customer = pc.if_else(pa.array(float_day[month.day - first_day]), pc.binary_join_element_wise(customer, ".0", ""),
                          customer)
    columns = {
        "InvoiceNo": invoice_no,
        "StockCode": lookup(tables["stock"], month.stock),
        "Description": lookup(tables["text"], month.text),
        "Quantity": integers(month.quantity),
        "InvoiceDate": date,
        "UnitPrice": price,
        "CustomerID": pc.if_else(pa.array(guest), "", customer),
        "Country": lookup(tables["country"], month.country),
    }
    for name, rows in malformed.items():
        if len(rows):
            mask = np.zeros(len(month.day), dtype=bool)
            mask[rows] = True
            bad = [_MALFORMED[name][i % len(_MALFORMED[name])] for i in range(len(rows))]
            columns[name] = pc.replace_with_mask(columns[name], pa.array(mask), pa.array(bad, columns[name].type))
    return join_lines([quote_needed(columns[name]) for name in POS_COLUMNS])


def _malformed_rows(rng: np.random.Generator, n: int, at_least_one: bool) -> dict[str, np.ndarray]:
    """Distinct rows to break, per field: about 1 in 20,000 rows each, at least one each when asked."""
    wanted = [max(int(at_least_one), int(rng.poisson(n / 20_000))) for _ in _MALFORMED]
    wanted = wanted if sum(wanted) <= n else [0] * len(_MALFORMED)
    rows = np.sort(rng.choice(n, sum(wanted), replace=False)) if sum(wanted) else np.array([], dtype=np.int64)
    rows = rng.permutation(rows)
    bounds = np.cumsum([0, *wanted])
    return {name: np.sort(rows[bounds[i]:bounds[i + 1]]) for i, name in enumerate(_MALFORMED)}


GBP_RATE = 4.70  # AED per GBP, roughly


def generate_pos_log(out: Path, customers: int, months: int, seed: int, end_date: dt.date | None = None,
                     progress: bool = False, *, overwrite: bool = False) -> dict:
    """Write a POS log of ``months`` months ending with ``end_date``'s month to ``out``; return a summary.

    One ``<out>/<D>/pos_transactions.csv`` per day D with invoices (the invoices of D-1), and a manifest.
    ``out`` must be empty or missing unless ``overwrite`` is set (then earlier drops and manifest are
    replaced, nothing else). Roughly 12 lines per customer and month.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    end_date = end_date or DEFAULT_END_DATE
    period = build_period(months, end_date)
    rng = np.random.Generator(np.random.PCG64(seed))
    writer = LandingWriter(Path(out), overwrite)
    first_day, last_day = period.start, period.end - 1  # invoice days; drops run start+1 .. end

    catalogue = build_pos_catalogue(rng, min(4000, 250 + customers // 2), first_day, max(last_day, first_day))
    names = [name for name, _ in CUSTOMER_COUNTRIES]
    weights = np.array([w for _, w in CUSTOMER_COUNTRIES])
    country = rng.choice(len(names), customers, p=weights / weights.sum())
    rate = rng.gamma(0.7, 0.5 / 0.7, customers)  # invoices per customer and 30 days, mean 0.5
    # the first customers live in the countries the country map renames or excludes, and buy monthly
    spelled = [names.index(name) for name in SPELLED_COUNTRIES][:customers]
    country[: len(spelled)], rate[: len(spelled)] = spelled, np.maximum(rate[: len(spelled)], 1.0)
    n_days = max(last_day - first_day + 1, 0)
    float_day = rng.random(n_days) < FLOAT_ID_DAY_SHARE
    iso_day = rng.random(n_days) < ISO_DATE_DAY_SHARE
    tables = {"stock": catalogue.codes + tuple(code for _, code, _ in SPECIAL_LINES),
              "text": catalogue.descriptions + tuple(text for _, _, text in SPECIAL_LINES)
              + INVENTORY_DESCRIPTIONS + ("mailout", ""),
              "country": tuple(names)}

    # GBP -> AED: a gentle random walk around 4.70 (a loop-free cumulative sum over days)
    gbp = GBP_RATE * np.exp(np.cumsum(rng.normal(0.0, 0.003, max(n_days, 1))))
    scenarios: Counter[str] = Counter()
    malformed: Counter[str] = Counter()
    next_invoice, first = 0, True
    bad_debt_month = int(period.month_of(np.array([first_day + (last_day - first_day) // 2]))[0])
    with tqdm(total=period.months, desc="generate pos-log", unit="month", file=sys.stderr,
              disable=not progress) as bar:
        for m in range(period.months):
            start, stop = period.month_bounds(m)
            days = np.arange(max(start, first_day), min(stop, last_day) + 1)
            bar.update(1)
            if len(days) == 0:
                continue
            month = draw_month(rng, catalogue, country, rate, days, first_invoice=next_invoice, first_month=first,
                               bad_debt=m == bad_debt_month)
            next_invoice = month.next_invoice
            scenarios.update(month.scenario_counts())
            broken = _malformed_rows(rng, len(month.day), at_least_one=first)
            first = False
            malformed.update({name: len(rows) for name, rows in broken.items()})
            lines = _render(month, tables, float_day, iso_day, first_day, broken)
            bounds = np.searchsorted(month.day, np.r_[days, days[-1] + 1])
            for k, day in enumerate(days):
                begin, end = int(bounds[k]), int(bounds[k + 1])
                writer.write(int(day) + 1, POS_FILE_NAME, line_bytes(lines, begin, end), end - begin,
                             columns=POS_COLUMNS)
                if end > begin:  # the day's GBP rate, so the log's amounts convert to AED
                    fx_line = f"{day_to_date(int(day)).isoformat()},GBP,{gbp[int(day) - first_day]:.8f}\n"
                    writer.write(int(day) + 1, "fx_rates", fx_line.encode("ascii"), 1)

    summary = {
        "format": "pos-log",
        "customers": customers,
        "months": months,
        "seed": seed,
        "end_date": end_date.isoformat(),
        "period_start": day_to_date(period.start).isoformat(),
        **writer.drop_summary(),
        "skus": len(catalogue.codes),
        "float_customer_id_files": int(float_day.sum()),
        "iso_date_files": int(iso_day.sum()),
        "malformed_rows": dict(sorted(malformed.items())),
        "scenarios": dict(sorted(scenarios.items())),
    }
    writer.write_manifest({"generator": "analytics.generate.pos_log", "generator_version": GENERATOR_VERSION,
                           "parameters": {"customers": customers, "months": months, "seed": seed,
                                          "end_date": end_date.isoformat()},
                           **{k: v for k, v in summary.items() if k not in ("customers", "months", "seed",
                                                                              "end_date")}})
    return summary
