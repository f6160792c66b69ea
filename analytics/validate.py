"""Row validation of an extract file against the contract, vectorised with Arrow compute.

Input: the file parsed with every column as text. Output: the cleaned text columns (trimmed, codes
upper-cased, empty → NULL) of the rows that pass, and for every row that fails the first field that
failed with a reason naming it. No per-row Python: each rule is one vectorised expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.contract import Field, FieldKind, FileSpec

__all__ = ["ValidationResult", "validate_table"]

_TS_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
    r"(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)$"
)
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_LOCAL_TS_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
# Wall-clock formats of a POS log's InvoiceDate, tried in order; each becomes ISO text before COPY.
# (format, regex capturing the written day of month: a date Arrow rolls over, like 2/30, is refused)
_LOCAL_TS_FORMATS = (
    ("%m/%d/%Y %H:%M", r"^\d{1,2}/(?P<day>\d{1,2})/"),
    ("%m/%d/%Y %H:%M:%S", r"^\d{1,2}/(?P<day>\d{1,2})/"),
    ("%Y-%m-%d %H:%M:%S", r"^\d{4}-\d{2}-(?P<day>\d{2})"),
    ("%Y-%m-%d %H:%M", r"^\d{4}-\d{2}-(?P<day>\d{2})"),
)
_INTEGER_PATTERN = r"^[+-]?\d{1,9}$"


@dataclass(frozen=True)
class ValidationResult:
    """Cleaned columns of all rows, a per-row validity mask, and reasons for the invalid rows."""

    columns: dict[str, pa.Array]      # cleaned text (null where empty), all rows
    valid: np.ndarray                  # bool per row
    failed_field: np.ndarray           # object per row: field name or None
    reason: np.ndarray                 # object per row: reason text or None


def _amount_pattern(field: Field) -> str:
    sign = {"any": "[+-]?", "nonneg": r"\+?", "positive": r"\+?"}[field.sign]
    return rf"^{sign}\d{{1,14}}(\.\d{{1,{field.scale}}})?$"


def _valid_calendar_date(text: pa.Array) -> pa.Array:
    """True where the first 10 characters are a real calendar date YYYY-MM-DD (rejects 2025-02-30).

    Arrow's strptime rolls 2025-02-30 over to 2025-03-02, so a date is real when the parsed day of month
    equals the written one. A file holds a few hundred distinct days in millions of rows: each distinct one
    is checked once.
    """
    encoded = pc.dictionary_encode(pc.utf8_slice_codeunits(text, 0, 10))
    days = encoded.dictionary
    shape = pc.match_substring_regex(days, _DATE_PATTERN)
    parsed = pc.strptime(days, format="%Y-%m-%d", unit="s", error_is_null=True)
    written_day = pc.cast(pc.if_else(shape, pc.utf8_slice_codeunits(days, 8, 10), "0"), pa.int64())
    real = pc.fill_null(pc.and_(shape, pc.equal(pc.day(parsed), written_day)), False)
    return pc.fill_null(pc.take(real, encoded.indices), False)


def _check(field: Field, value: pa.Array) -> tuple[pa.Array, str]:
    """(ok mask for non-empty values, what a good value looks like) for one field."""
    kind = field.kind
    if kind is FieldKind.TEXT:
        return pc.greater(pc.utf8_length(value), 0), "non-empty text"
    if kind is FieldKind.CODE:
        if not field.allowed:
            return pc.match_substring_regex(value, r"^[A-Z0-9_\-]{1,40}$"), "a code (letters, digits, _ or -)"
        return pc.is_in(value, value_set=pa.array(field.allowed)), "one of " + ", ".join(field.allowed)
    if kind is FieldKind.TIMESTAMPTZ:
        shape = pc.match_substring_regex(value, _TS_PATTERN)
        return pc.and_(shape, _valid_calendar_date(value)), "an ISO 8601 timestamp with offset or Z"
    if kind is FieldKind.DATE:
        shape = pc.match_substring_regex(value, _DATE_PATTERN)
        return pc.and_(shape, _valid_calendar_date(value)), "a calendar date YYYY-MM-DD"
    if kind is FieldKind.AMOUNT:
        ok = pc.match_substring_regex(value, _amount_pattern(field))
        if field.sign == "positive":
            ok = pc.and_(ok, pc.match_substring_regex(value, r"[1-9]"))
        wanted = {"any": "a decimal", "nonneg": "a decimal >= 0", "positive": "a decimal > 0"}[field.sign]
        return ok, f"{wanted} with at most {field.scale} decimals"
    if kind is FieldKind.INTEGER:
        ok = pc.match_substring_regex(value, _INTEGER_PATTERN)
        if field.sign == "positive":
            ok = pc.and_(ok, pc.match_substring_regex(value, r"^\+?0*[1-9]\d*$"))
        elif field.sign == "nonneg":
            ok = pc.and_(ok, pc.match_substring_regex(value, r"^\+?\d+$"))
        return ok, "a whole number" + {"any": "", "nonneg": " >= 0", "positive": " > 0"}[field.sign]
    if kind is FieldKind.LOCAL_TIMESTAMP:
        return pc.match_substring_regex(value, _LOCAL_TS_PATTERN), "a date and time like 12/1/2010 8:26"
    if kind is FieldKind.FLAG01:
        return pc.is_in(value, value_set=pa.array(["0", "1"])), "0 or 1"
    raise ValueError(f"unknown field kind {kind}")


def _clean(field: Field, column: pa.Array) -> pa.Array:
    text = pc.utf8_trim_whitespace(column)
    if field.kind is FieldKind.CODE:
        text = pc.utf8_upper(text)
    if field.kind is FieldKind.LOCAL_TIMESTAMP:
        text = _iso_local_timestamp(text)
    return pc.if_else(pc.equal(pc.utf8_length(text), 0), pa.scalar(None, pa.string()), text)


def _iso_local_timestamp(text: pa.Array) -> pa.Array:
    """``YYYY-MM-DD HH:MM:SS`` where one of the POS log's formats parses (and is a real date), else the text
    as given, which then fails the check with its original value in the reason."""
    parsed = pa.nulls(len(text), pa.timestamp("s"))
    for layout, day_pattern in _LOCAL_TS_FORMATS:
        attempt = pc.strptime(text, format=layout, unit="s", error_is_null=True)
        written = pc.struct_field(pc.extract_regex(text, day_pattern), [0])
        day = pc.cast(pc.if_else(pc.is_valid(written), written, "0"), pa.int64())
        parsed = pc.coalesce(parsed, pc.if_else(pc.equal(pc.day(attempt), day), attempt, None))
    iso = pc.strftime(parsed, format="%Y-%m-%d %H:%M:%S")
    return pc.coalesce(iso, text)


def validate_table(spec: FileSpec, table: pa.Table) -> ValidationResult:
    """Validate every row of ``table`` (text columns named as in the contract) against ``spec``."""
    n = table.num_rows
    valid = np.ones(n, dtype=bool)
    failed_field = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    columns: dict[str, pa.Array] = {}
    for field in spec.fields:
        value = _clean(field, table.column(field.name).combine_chunks())
        columns[field.name] = value
        present = pc.is_valid(value)
        ok, wanted = _check(field, value)
        ok = pc.fill_null(ok, False)
        if field.required:
            good = pc.and_(present, ok)
        else:
            good = pc.or_(pc.invert(present), ok)
        bad = ~good.to_numpy(zero_copy_only=False) & valid
        if bad.any():
            idx = np.flatnonzero(bad)
            shown = value.take(pa.array(idx)).to_pylist()
            failed_field[idx] = field.name
            reason[idx] = [
                f"{field.name}: required value is empty" if v is None else f"{field.name}: {v[:60]!r} is not {wanted}"
                for v in shown
            ]
            valid &= ~bad
    return ValidationResult(columns=columns, valid=valid, failed_field=failed_field, reason=reason)
