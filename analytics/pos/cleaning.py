"""Classify every POS log line into exactly one category, by the ordered rule table, and report data loss.

The rules are data (``sql/seed/pos_cleaning_rules.csv``, see ``analytics.pos.rules``): tried in ascending
priority, the first rule whose condition(s) hold gives a row its category and ``rule_id``; a final
catch-all makes the rest ``sale``. Each rule is one vectorised Arrow/numpy expression over the rows no
earlier rule has taken — the loop runs over the few dozen rules, never over rows.

Precedence (the shipped table), and why:

1. **What the line is, before whose it is.** Lines that are not a product changing hands are taken
   first, whatever invoice they sit on: ``bad_debt_adjustment`` (A… invoices, ``B``, "Adjust bad debt"),
   ``manual_correction`` (``M``/``Manual``), ``discount`` (``D``), ``non_product_charge`` (POST, DOT, C2,
   CRUK, BANK CHARGES, AMAZONFEE, PADS, S, gift vouchers, postage/mailout descriptions). So a credit note
   for POSTAGE is a refunded charge, not a product return, and a guest's discount is a discount.
   Within these, accounting entries come before the others: "Adjust bad debt" also says "adjust".
2. ``inventory_adjustment`` by description (damaged, check, lost, found, wrongly coded, given away, ?, test…)
   **only at a zero or negative price**: a line that charges money is never a stock write-off, so a
   product called "TEST TUBE RACK" sold at 1.25 stays a sale; a zero-value "damaged" line on a credit
   note is a stock movement, not a refund.
3. ``excluded_country`` (the country map's ``excluded`` flag): a whole market out of scope, so it wins
   over return and over the data-quality categories — its money must not reach net revenue either.
4. ``return``: a credit note (C…) on what is left, i.e. a product line. Guest credit notes stay returns
   (the adapter books them on the UNKNOWN customer), so refunds reconcile with the credit-note ledger.
5. Data quality of the remaining (non-credit) lines, the line's own defects before its attribution:
   ``missing_description`` (the product cannot be identified), then ``inventory_adjustment`` for any
   other negative quantity (a stock movement outside a credit note), then ``zero_price`` (free item),
   then ``missing_customer`` (guest) — a free item would stay excluded even if the guest were known.
6. ``sale``: everything else.

Normalised columns added: ``customer_id_nat`` (``17850.0`` → ``17850``, empty → NULL), ``country_name`` and
``iso_code`` through the country map (unknown names kept as given and flagged ``country_unmapped``),
``invoice_kind`` (``C…`` credit_note, ``A…`` adjustment, else invoice), ``line_net`` = Quantity × UnitPrice
rounded half away from zero to cents, exactly (integer arithmetic on price micro-units).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.pos.parsing import POS_COLUMNS, normalise_customer_id, parse_pos_log
from analytics.pos.rules import (
    in_list_items,
    load_categories,
    load_cleaning_rules,
    load_country_map,
    validate_categories,
    validate_cleaning_rules,
    validate_country_map,
)

__all__ = ["INVOICE_KINDS", "CleanedLog", "classify", "clean_pos_log", "cleaning_summary", "line_net"]

# First letter of InvoiceNo → invoice kind (UCI convention); anything else is an ordinary invoice.
INVOICE_KINDS = {"C": "credit_note", "A": "adjustment"}
_FIELD_COLUMNS = {"invoice_no": "InvoiceNo", "stock_code": "StockCode", "description": "Description",
                  "customer_id": "customer_id_nat", "country": "Country"}


@dataclass(frozen=True)
class CleanedLog:
    """A cleaned log: classified rows, rejected rows (unparseable), and the data-loss summary."""

    classified: pd.DataFrame
    rejects: pd.DataFrame
    summary: pd.DataFrame


def line_net(quantity: np.ndarray, unit_price: np.ndarray) -> np.ndarray:
    """Quantity × UnitPrice in currency units, rounded half away from zero to cents, without float drift.

    The price is taken as a whole number of micro-units (parsing allows at most 6 decimals), the product
    is exact in int64 for any line below about 9 × 10^12 currency units, and the cents are rounded in
    integers: 3 × 2.55 = 7.65 exactly, 1 × 0.005 = 0.01.
    """
    micros = np.rint(np.asarray(unit_price, dtype=np.float64) * 1e6).astype(np.int64)
    amount = np.asarray(quantity, dtype=np.int64) * micros  # in 10^-6 units
    cents = np.sign(amount) * ((np.abs(amount) + 5_000) // 10_000)
    return cents / 100.0


class _RowValues:
    """The values rules look at, as Arrow arrays (text) or numpy arrays (numbers), upper-cased on demand."""

    def __init__(self, frame: pd.DataFrame, country_excluded: np.ndarray) -> None:
        self.n = len(frame)
        self.text = {field: _text_array(frame[column]) for field, column in _FIELD_COLUMNS.items()}
        self.numbers = {"quantity": frame["Quantity"].to_numpy(dtype=np.int64),
                        "unit_price": frame["UnitPrice"].to_numpy(dtype=np.float64)}
        self.country_excluded = country_excluded
        self._upper: dict[str, pa.Array] = {}

    def upper(self, field: str) -> pa.Array:
        if field not in self._upper:
            self._upper[field] = pc.utf8_upper(self.text[field])
        return self._upper[field]


def _mask(values: _RowValues, rows: np.ndarray, field: str, match: str, pattern: str, case: bool) -> np.ndarray:
    """Where one condition holds, for the row positions ``rows`` (bool per position).

    Text conditions run on the subset of rows when it is small, else on the whole column (a ``take``
    of most of a string column costs more than the condition itself).
    """
    if match == "any":
        return np.ones(len(rows), dtype=bool)
    if match == "map_excluded":
        return values.country_excluded[rows]
    if field in values.numbers:
        number = values.numbers[field][rows]
        return {"negative": number < 0, "zero": number == 0, "zero_or_negative": number <= 0}[match]
    whole = len(rows) > values.n // 4
    text = values.text[field] if case or match not in ("exact", "in_list") else values.upper(field)
    if not whole:
        text = text.take(pa.array(rows))
    if match == "empty":
        result = text.is_null()
    elif match in ("exact", "in_list"):
        items = in_list_items(pattern) if match == "in_list" else [pattern]
        items = items if case else [item.upper() for item in items]
        result = pc.is_in(text, value_set=pa.array(items, pa.large_string()))
    else:
        function = {"prefix": pc.starts_with, "contains": pc.match_substring,
                    "regex": pc.match_substring_regex}[match]
        result = function(text, pattern, ignore_case=not case)
    hit = pc.fill_null(result, False).to_numpy(zero_copy_only=False)
    return hit[rows] if whole else hit


def _assign_rules(values: _RowValues, rules: pd.DataFrame, n: int) -> np.ndarray:
    """Position (in ``rules``, priority order) of the first rule matching each row."""
    winner = np.full(n, -1, dtype=np.int64)
    for position, rule in enumerate(rules.itertuples(index=False)):
        rows = np.flatnonzero(winner < 0)
        if len(rows) == 0:
            break
        if rule.and_match:  # the second condition first: it is usually a cheap numeric guard
            rows = rows[_mask(values, rows, rule.and_field, rule.and_match, rule.and_pattern, rule.case_sensitive)]
        hit = rows[_mask(values, rows, rule.field, rule.match, rule.pattern, rule.case_sensitive)]
        winner[hit] = position
    return winner


def _text_array(values: pd.Series) -> pa.Array:
    array = pa.array(values, type=pa.large_string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _as_series(array: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(array.to_pandas().array, index=index)


def _map_countries(country: pd.Series, countries: pd.DataFrame) -> dict[str, pd.Series | np.ndarray]:
    """Country name and ISO code through the map; unknown names kept as given (``country_unmapped``)."""
    given = _text_array(country)
    position = pc.index_in(pc.utf8_upper(pc.utf8_trim_whitespace(given)),
                           value_set=pa.array(countries["key"], pa.large_string()))
    mapped = position.is_valid()
    at = pc.fill_null(position, 0)
    names = pa.array(countries["country_name"], pa.large_string()).take(at)
    iso = pa.array(countries["iso_code"], pa.large_string(), from_pandas=True).take(at)
    excluded = pa.array(countries["excluded"].to_numpy(dtype=bool)).take(at)
    return {
        "country_name": _as_series(pc.if_else(mapped, names, given), country.index),
        "iso_code": _as_series(pc.if_else(mapped, iso, pa.scalar(None, pa.large_string())), country.index),
        "country_unmapped": ~mapped.to_numpy(zero_copy_only=False),
        "country_excluded": pc.and_(mapped, excluded).to_numpy(zero_copy_only=False),
    }


def _invoice_kind(invoice_no: pd.Series) -> pd.Categorical:
    """'invoice', or the kind its first letter names (``INVOICE_KINDS``), as a categorical."""
    first = pc.utf8_upper(pc.utf8_slice_codeunits(_text_array(invoice_no), 0, 1))
    code = pc.fill_null(pc.index_in(first, value_set=pa.array(list(INVOICE_KINDS), pa.large_string())), -1)
    return pd.Categorical.from_codes(code.to_numpy(zero_copy_only=False) + 1,
                                     categories=["invoice", *INVOICE_KINDS.values()])


def classify(frame: pd.DataFrame, rules: pd.DataFrame, countries: pd.DataFrame,
             categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the category and the normalised columns to typed POS rows (``parse_pos_log(...).rows``).

    Required columns: ``POS_COLUMNS`` typed (Quantity whole numbers, UnitPrice numbers). ``rules``,
    ``countries`` and ``categories`` are the reference tables (validated again here; default categories:
    the shipped table). Returns a copy of ``frame`` (same index) with ``customer_id_nat``,
    ``country_name``, ``iso_code``, ``country_unmapped``, ``invoice_kind``, ``line_net``, ``category``
    (categorical, in the category table's order) and ``rule_id``.
    """
    missing = [c for c in POS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"classify: missing columns {missing}")
    categories = validate_categories(categories) if categories is not None else load_categories()
    rules = validate_cleaning_rules(rules, categories["category"])
    countries = validate_country_map(countries)

    out = frame.copy(deep=False)  # new columns only: the caller's frame is not changed
    out["customer_id_nat"] = _as_series(normalise_customer_id(_text_array(frame["CustomerID"])), frame.index)
    country = _map_countries(frame["Country"], countries)
    for column in ("country_name", "iso_code", "country_unmapped"):
        out[column] = country[column]
    out["invoice_kind"] = _invoice_kind(frame["InvoiceNo"])
    out["line_net"] = line_net(frame["Quantity"].to_numpy(), frame["UnitPrice"].to_numpy())

    winner = _assign_rules(_RowValues(out, country["country_excluded"]), rules, len(out))
    rule_category = pd.Index(categories["category"]).get_indexer(rules["category"])
    out["category"] = pd.Categorical.from_codes(rule_category[winner], categories=list(categories["category"]))
    out["rule_id"] = pd.Categorical.from_codes(winner, categories=list(rules["rule_id"]))
    return out


def cleaning_summary(classified: pd.DataFrame, categories: pd.DataFrame | None = None,
                     rejected_rows: int = 0) -> pd.DataFrame:
    """The data-loss report: one row per category (all categories, in table order), plus ``rejected``.

    Columns: ``category``, ``rows``, ``revenue`` (Σ line_net, signed), ``row_share`` (of all input rows,
    rejects included), ``revenue_share`` (Σ|line_net| of the category over Σ|line_net| of all rows: the
    share of the money moved, so refunds and discounts count as value instead of cancelling sales out;
    shares add up to 1), ``reaches_customer_metrics`` and ``feeds_returns`` (from the category table).
    A ``rejected`` row (rows that could not be parsed; their money is unknown, shown as 0) is added when
    ``rejected_rows`` > 0.
    """
    categories = validate_categories(categories) if categories is not None else load_categories()
    codes = pd.Categorical(classified["category"], categories=list(categories["category"]))
    net = classified["line_net"].to_numpy(dtype=np.float64)
    grouped = pd.DataFrame({"category": codes, "net": net, "gross": np.abs(net)}).groupby(
        "category", observed=False, sort=True)
    summary = pd.DataFrame({
        "category": list(categories["category"]),
        "rows": grouped.size().to_numpy(dtype=np.int64),
        "revenue": grouped["net"].sum().round(2).to_numpy(),
        "gross": grouped["gross"].sum().to_numpy(),
        "reaches_customer_metrics": categories["feeds_customer_metrics"].to_numpy(dtype=bool),
        "feeds_returns": categories["feeds_returns"].to_numpy(dtype=bool),
    })
    if rejected_rows:
        rejected = {"category": "rejected", "rows": int(rejected_rows), "revenue": 0.0, "gross": 0.0,
                    "reaches_customer_metrics": False, "feeds_returns": False}
        summary = pd.concat([summary, pd.DataFrame([rejected])], ignore_index=True)
    total_rows, total_gross = summary["rows"].sum(), summary["gross"].sum()
    summary["row_share"] = summary["rows"] / total_rows if total_rows else 0.0
    summary["revenue_share"] = summary["gross"] / total_gross if total_gross else 0.0
    return summary[["category", "rows", "revenue", "row_share", "revenue_share", "reaches_customer_metrics",
                    "feeds_returns"]]


def clean_pos_log(raw: pd.DataFrame | pa.Table, *, rules: pd.DataFrame | None = None,
                  countries: pd.DataFrame | None = None, categories: pd.DataFrame | None = None,
                  dayfirst: bool = False) -> CleanedLog:
    """Parse, classify and summarise a POS log given as text (reference tables default to the seeds)."""
    categories = categories if categories is not None else load_categories()
    rules = rules if rules is not None else load_cleaning_rules(categories=categories)
    countries = countries if countries is not None else load_country_map()
    parsed = parse_pos_log(raw, dayfirst=dayfirst)
    classified = classify(parsed.rows, rules, countries, categories)
    summary = cleaning_summary(classified, categories, rejected_rows=len(parsed.rejects))
    return CleanedLog(classified=classified, rejects=parsed.rejects, summary=summary)
