"""POS log text → typed rows, with the rows that cannot be typed returned as rejects naming the field.

The log is read with every column as text (as the loader does for the other extracts, see
``analytics.validate``); each check below is one vectorised Arrow expression over the whole column, and a
row fails on the first field that fails, in column order. Rejected rows are never classified: a row
whose date, quantity or price cannot be read has no place in any category and goes to the reject list
with its raw text, the field and a reason, so that ``classified + rejected = rows in file``.

Accepted shapes:

- ``InvoiceNo``, ``StockCode``: required, trimmed.
- ``Quantity``: a whole number (``6``, ``-12``, ``+3``, ``6.0``), at most 9 digits.
- ``InvoiceDate``: ``M/D/YYYY H:MM[:SS]`` as in the UCI Online Retail file (``12/1/2010 8:26``; read as
  ``D/M/YYYY`` with ``dayfirst=True``; a two-digit year means 20YY), or ISO ``YYYY-MM-DD[ T]HH:MM[:SS]``
  (``2010-12-01 08:26:00``), or either date alone. Calendar-checked (no 31 April). Naive: the log's
  time zone is the adapter's setting.
- ``UnitPrice``: a decimal with at most 9 integer and 6 fractional digits (``2.55``, ``0.001``, ``-11062.06``),
  and |Quantity × UnitPrice| below ``MAX_LINE_AMOUNT`` (10^12): a larger line is a keying error, and
  rejecting it keeps every line amount exact in 64-bit integers.
- ``Description``, ``CustomerID``, ``Country``: optional; blanks trimmed, empty → NULL. ``CustomerID`` is
  kept as given here; ``normalise_customer_id`` turns ``17850.0`` into ``17850``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["MAX_LINE_AMOUNT", "POS_COLUMNS", "ParsedLog", "normalise_customer_id", "parse_pos_log", "read_pos_csv"]

POS_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
               "Country")
_REQUIRED_TEXT = ("InvoiceNo", "StockCode")
_OPTIONAL_TEXT = ("Description", "CustomerID", "Country")

_QUANTITY = r"^[+-]?\d{1,9}(\.0*)?$"
_PRICE = r"^[+-]?(\d{1,9}(\.\d{0,6})?|\.\d{1,6})$"
_TIME = r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,6})?)?)?$"
_ISO_DATE = r"^(?P<year>\d{4})-(?P<first>\d{1,2})-(?P<second_part>\d{1,2})" + _TIME
_SLASH_DATE = r"^(?P<first>\d{1,2})/(?P<second_part>\d{1,2})/(?P<year>\d{4}|\d{2})" + _TIME.replace("[T ]", " ")
_DATE_SHAPES = "M/D/YYYY H:MM or YYYY-MM-DD HH:MM[:SS]"
_NULL_IDS = ("NAN", "NONE", "NULL", "NA", "<NA>")
_NULL = pa.scalar(None, pa.string())
# |Quantity × UnitPrice| must stay below this (currency units): keeps line amounts exact in int64 micro-units.
MAX_LINE_AMOUNT = 1e12


@dataclass(frozen=True)
class ParsedLog:
    """Typed rows that passed every check, and the rejects; both keep the input's row index."""

    rows: pd.DataFrame     # POS_COLUMNS typed: Quantity int64, InvoiceDate datetime64[s], UnitPrice float64
    rejects: pd.DataFrame  # the raw text of POS_COLUMNS, plus ``field`` and ``reason``


def read_pos_csv(path: str | Path) -> pa.Table:
    """Read a ``pos_transactions.csv[.gz]`` with every column as text; raise if a required column is missing.

    Extra columns are dropped. Empty cells are empty strings (``parse_pos_log`` turns them into NULL).
    """
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(POS_COLUMNS, pa.string()),
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    table = pacsv.read_csv(path, convert_options=convert)
    missing = [c for c in POS_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"{path}: missing required columns {missing}")
    return table.select(list(POS_COLUMNS))


def _text_column(raw: pd.DataFrame | pa.Table, name: str) -> pa.Array:
    """Column ``name`` as a string array (other dtypes cast to text), trimmed, empty → NULL."""
    column = raw.column(name) if isinstance(raw, pa.Table) else pa.array(raw[name], from_pandas=True)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    text = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(pc.utf8_length(text), 0), _NULL, text)


def normalise_customer_id(ids: pa.Array) -> pa.Array:
    """Customer ids as text: ``17850.0`` → ``17850`` (a float-typed export), ``nan``/``None``/``NULL`` → NULL.

    Other values are kept as given (trimmed): ids are labels, not numbers, so leading zeros stay.
    """
    text = pc.utf8_trim_whitespace(ids)
    text = pc.replace_substring_regex(text, r"^(\d+)\.0*$", r"\1")
    null = pc.or_(pc.equal(pc.utf8_length(text), 0), pc.is_in(pc.utf8_upper(text), pa.array(_NULL_IDS)))
    return pc.if_else(pc.fill_null(null, True), _NULL, text)


def _digits(parts: pa.StructArray, name: str, optional: bool = False) -> np.ndarray:
    """A numeric group of matched rows of a regex extraction as int64 (an optional group left out → 0)."""
    values = pc.struct_field(parts, name)
    if optional:
        values = pc.if_else(pc.equal(pc.utf8_length(values), 0), "0", values)
    return pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)


def _strptime_checked(text: pa.Array, fmt: str, written: tuple[int, int], part: pc.Function) -> np.ndarray:
    """Epoch seconds where ``text`` parses with ``fmt`` and did not roll over, else -1 (numpy int64).

    Arrow's strptime rolls impossible dates over (2/30 → 3/2). Any roll-over changes the first date
    number written, so the number at character positions ``written`` (a '/' stripped) must equal
    ``part`` (month or day) of the parse.
    """
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    rows = np.flatnonzero(parsed.is_valid().to_numpy(zero_copy_only=False))
    result = np.full(len(text), -1, dtype=np.int64)
    if len(rows) == 0:
        return result
    taken, stamps = pa.array(rows), parsed.take(pa.array(rows))
    number = pc.utf8_rtrim(pc.utf8_slice_codeunits(text.take(taken), *written), characters="/")
    same = pc.equal(pc.cast(number, pa.int64()), part(stamps)).to_numpy(zero_copy_only=False)
    result[rows[same]] = pc.cast(stamps, pa.int64()).to_numpy(zero_copy_only=False)[same]
    return result


def _common_dates(text: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray]:
    """Fast path for the two shapes nearly every row has: '12/1/2010 8:26' and '2010-12-01 08:26:00'.

    Arrow's strptime is about ten times faster than a regex extraction but rolls impossible dates over,
    hence ``_strptime_checked``; and it takes one-digit minutes, so slash rows qualify only with ':MM' at
    the end. ISO rows qualify only fully padded (19 characters, day at 8–9).
    Rows that do not qualify go the careful way (``_regex_dates``).
    """
    null = pa.scalar(None, text.type)
    two_digit_minutes = pc.fill_null(pc.equal(pc.utf8_slice_codeunits(text, -3, -2), ":"), False)
    slash = _strptime_checked(pc.if_else(two_digit_minutes, text, null),
                              "%d/%m/%Y %H:%M" if dayfirst else "%m/%d/%Y %H:%M", (0, 2),
                              pc.day if dayfirst else pc.month)
    padded = pc.fill_null(pc.equal(pc.utf8_length(text), 19), False)
    iso = _strptime_checked(pc.if_else(padded, text, null), "%Y-%m-%d %H:%M:%S", (8, 10), pc.day)
    stamps = np.where(slash >= 0, slash, iso)
    return stamps.astype("datetime64[s]"), stamps >= 0


def _parse_dates(text: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[s] per row, ok mask): the common shapes fast, the other rows by ``_regex_dates``."""
    stamps, ok = _common_dates(text, dayfirst)
    rest = np.flatnonzero(~ok)
    if len(rest):
        stamps[rest], ok[rest] = _regex_dates(text.take(pa.array(rest)), dayfirst)
    return np.where(ok, stamps, np.datetime64(0, "s")), ok


def _regex_dates(text: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[s] per row, ok mask) for both accepted shapes; calendar and clock ranges checked.

    Rows with a '/' are tried against the slash shape only, the others against the ISO shape only, so
    each regex runs over its own rows.
    """
    n = len(text)
    year, month, day, hour, minute, second = (np.zeros(n, dtype=np.int64) for _ in range(6))
    matched = np.zeros(n, dtype=bool)
    slash = pc.fill_null(pc.match_substring(text, "/"), False).to_numpy(zero_copy_only=False)
    for pattern, is_slash in ((_ISO_DATE, False), (_SLASH_DATE, True)):
        rows = np.flatnonzero(slash == is_slash)
        parts = pc.extract_regex(text.take(pa.array(rows)), pattern)
        valid = parts.is_valid()
        rows = rows[valid.to_numpy(zero_copy_only=False)]
        if len(rows) == 0:
            continue
        parts = parts.filter(valid)
        first, second_part = _digits(parts, "first"), _digits(parts, "second_part")
        if is_slash and dayfirst:
            first, second_part = second_part, first  # D/M/YYYY: the second number is the month
        y = _digits(parts, "year")
        y = np.where(y < 100, y + 2000, y) if is_slash else y
        for target, values in ((year, y), (month, first), (day, second_part),
                               (hour, _digits(parts, "hour", True)), (minute, _digits(parts, "minute", True)),
                               (second, _digits(parts, "second", True))):
            target[rows] = values
        matched[rows] = True
    month_ok = (month >= 1) & (month <= 12)
    months = np.where(month_ok, (year - 1970) * 12 + (month - 1), 0).astype("datetime64[M]")
    first_day = months.astype("datetime64[D]")
    month_days = ((months + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok = (matched & month_ok & (day >= 1) & (day <= month_days) & (hour < 24) & (minute < 60) & (second < 60))
    seconds = (first_day.astype(np.int64) + day - 1) * 86_400 + hour * 3600 + minute * 60 + second
    return np.where(ok, seconds, 0).astype("datetime64[s]"), ok


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(text, pattern), False).to_numpy(zero_copy_only=False)


def _numbers(text: pa.Array, ok: np.ndarray, kind: pa.DataType, strip: str | None = None) -> np.ndarray:
    """The values of the rows that passed their shape check (others 0), as numpy; ``strip`` is removed first."""
    values = pc.if_else(pa.array(ok), text, "0")
    if strip:
        values = pc.replace_substring_regex(values, strip, "")
    return pc.cast(values, kind).to_numpy(zero_copy_only=False)


def _raw_text(raw: pd.DataFrame | pa.Table, name: str, rows: np.ndarray) -> list[str | None]:
    """The values of column ``name`` at positions ``rows`` exactly as given (for the reject list)."""
    if isinstance(raw, pa.Table):
        return pc.cast(raw.column(name).take(pa.array(rows)), pa.string()).to_pylist()
    return [None if pd.isna(v) else str(v) for v in raw[name].iloc[rows]]


def parse_pos_log(raw: pd.DataFrame | pa.Table, *, dayfirst: bool = False) -> ParsedLog:
    """Type every row of a POS log; rows failing a check go to ``rejects`` with the first failing field.

    ``raw`` holds the ``POS_COLUMNS`` as text (``read_pos_csv``, or a DataFrame read with ``dtype=str``;
    other dtypes are cast to text). The index of both outputs is the input's row index (a DataFrame's
    index, or the row position of a Table), so every input row appears in exactly one of them.
    """
    columns = raw.column_names if isinstance(raw, pa.Table) else list(raw.columns)
    missing = [c for c in POS_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"POS log: missing required columns {missing}")
    index = raw.index if isinstance(raw, pd.DataFrame) else pd.RangeIndex(raw.num_rows)
    text = {name: _text_column(raw, name) for name in POS_COLUMNS}
    n = len(index)

    stamps, date_ok = _parse_dates(text["InvoiceDate"], dayfirst)
    quantity_ok = _matches(text["Quantity"], _QUANTITY)
    price_ok = _matches(text["UnitPrice"], _PRICE)
    quantity = _numbers(text["Quantity"], quantity_ok, pa.int64(), strip=r"^\+|\.0*$")
    price = _numbers(text["UnitPrice"], price_ok, pa.float64())
    amount_ok = np.abs(quantity.astype(np.float64)) * np.abs(price) < MAX_LINE_AMOUNT
    checks = [(name, pc.is_valid(text[name]).to_numpy(zero_copy_only=False), "a non-empty value")
              for name in _REQUIRED_TEXT]
    checks += [("Quantity", quantity_ok, "a whole number"),
               ("InvoiceDate", date_ok, f"a date ({_DATE_SHAPES})"),
               ("UnitPrice", price_ok, "a decimal with at most 6 decimals"),
               ("UnitPrice", amount_ok, f"a price whose line amount (× Quantity) is below {MAX_LINE_AMOUNT:.0e}")]
    valid = np.ones(n, dtype=bool)
    field = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    for name, ok, wanted in checks:
        failed = np.flatnonzero(~ok & valid)
        if len(failed) == 0:
            continue
        shown = text[name].take(pa.array(failed)).to_pylist()  # only the failing rows: few
        field[failed] = name
        reason[failed] = [f"{name}: required value is empty" if v is None else f"{name}: {v[:60]!r} is not {wanted}"
                          for v in shown]
        valid[failed] = False

    bad = np.flatnonzero(~valid)
    rejects = pd.DataFrame({name: pd.Series(_raw_text(raw, name, bad), dtype=object) for name in POS_COLUMNS})
    rejects["field"] = field[bad]
    rejects["reason"] = reason[bad]
    rejects.index = index[bad]

    everything = bool(valid.all())
    kept = pa.array(np.flatnonzero(valid))

    def kept_text(name: str) -> pd.Series:
        return (text[name] if everything else text[name].take(kept)).to_pandas()

    rows = pd.DataFrame({
        "InvoiceNo": kept_text("InvoiceNo"),
        "StockCode": kept_text("StockCode"),
        "Description": kept_text("Description"),
        "Quantity": quantity[valid],
        "InvoiceDate": stamps[valid],
        "UnitPrice": price[valid],
        "CustomerID": kept_text("CustomerID"),
        "Country": kept_text("Country"),
    })
    rows.index = index[valid]
    return ParsedLog(rows=rows, rejects=rejects)
