"""Turn integer-coded rows into CSV lines, vectorised with pyarrow compute.

pyarrow's own CSV writer quotes every string value (its "needed" style means "may need"), which is not
the minimal RFC 4180 quoting the contract asks for. So each column is rendered to a string array, the
few free-text columns are quoted where needed, and the columns are joined into one line per row. The
joined array's data buffer *is* the file body: the writer copies byte ranges of it straight to disk.

Malformed rows are rendered like the others and then patched one by one in Python: there are only a few
of them (about 0.01 % of rows), each with exactly one defect described by a ``Defect``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.generate.period import SECONDS_PER_DAY

__all__ = [
    "Defect",
    "lookup",
    "ids",
    "amounts",
    "dates",
    "timestamps",
    "integers",
    "quote_needed",
    "join_lines",
    "apply_defects",
    "line_bytes",
]


@dataclass(frozen=True)
class Defect:
    """One way a row can be malformed: a column set to a bad value, or a wrong number of columns.

    ``column`` None with ``value`` "extra" appends a field; None with "missing" drops the last one.
    A value containing ``{year}`` is filled with the year of the row's own timestamp or date.
    """

    name: str
    column: str | None
    value: str


def lookup(values: Sequence[str], codes: np.ndarray) -> pa.Array:
    """The string for each code (an index into ``values``)."""
    return pa.array(values, pa.string()).take(pa.array(codes, pa.int64()))


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded number; negative numbers (no id, e.g. a guest) become empty strings."""
    text = pc.utf8_lpad(pc.cast(pa.array(np.maximum(numbers, 0)), pa.string()), width, "0")
    text = pc.binary_join_element_wise(prefix, text, "")
    return pc.if_else(pa.array(numbers < 0), "", text)


def amounts(units: np.ndarray, scale: int, empty: np.ndarray | None = None) -> pa.Array:
    """Fixed-point text of integer amounts in units of 10**-scale (cents for scale 2): '-12.50'.

    The int64 values are laid out as the low words of a decimal128 array, so the text comes from
    pyarrow's exact decimal formatting with no float rounding anywhere.
    """
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63  # sign extension of the high word
    validity = None if empty is None else pa.array(~empty).buffers()[1]
    decimals = pa.Array.from_buffers(pa.decimal128(18, scale), len(units), [validity, pa.py_buffer(words)])
    return pc.fill_null(pc.cast(decimals, pa.string()), "")


@lru_cache(maxsize=4)
def _date_table(first_day: int, n_days: int) -> pa.Array:
    days = np.arange(first_day, first_day + n_days).astype("datetime64[D]")
    return pa.array(np.datetime_as_string(days).tolist(), pa.string())


@lru_cache(maxsize=1)
def _time_table() -> pa.Array:
    seconds = np.arange(SECONDS_PER_DAY)
    parts = [pc.utf8_lpad(integers(v), 2, "0") for v in (seconds // 3600, seconds // 60 % 60, seconds % 60)]
    return pc.binary_join_element_wise(*parts, ":")


def dates(days: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD' for each day number."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return pa.array([], pa.string())
    first = int(days.min()) // 1024 * 1024  # coarse bounds so the cached table is reused
    span = (int(days.max()) - first) // 1024 * 1024 + 1024
    return _date_table(first, span).take(pa.array(days - first))


_SUFFIXES = tuple(f"+{h:02d}:00" for h in range(24)) + ("Z",)


def timestamps(utc: np.ndarray, offset: np.ndarray, zulu: np.ndarray) -> pa.Array:
    """ISO 8601 text: local wall time with its '+HH:00' offset, or UTC with 'Z' where ``zulu``.

    ``offset`` is the UTC offset in seconds of each row (whole hours, non-negative: Gulf zones).
    """
    wall = np.where(zulu, utc, utc + offset)
    days, seconds = np.divmod(wall, SECONDS_PER_DAY)
    suffix = lookup(_SUFFIXES, np.where(zulu, 24, offset // 3600))
    return pc.binary_join_element_wise(dates(days), "T", _time_table().take(pa.array(seconds)), suffix, "")


_NEEDS_QUOTES = '[",\r\n]'


def quote_needed(text: pa.Array) -> pa.Array:
    """RFC 4180 minimal quoting: wrap in double quotes (doubling inner ones) only where required."""
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text)


def join_lines(columns: Sequence[pa.Array]) -> pa.Array:
    """One CSV line per row, each ending in '\\n'. Columns must already be quoted where needed."""
    pieces: list[pa.Array | str] = []
    for i, column in enumerate(columns):
        pieces.extend((column, "," if i < len(columns) - 1 else "\n"))
    return pc.binary_join_element_wise(*pieces, "")


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def apply_defects(lines: pa.Array, columns: dict[str, pa.Array], codes: np.ndarray,
                  defects: Sequence[Defect | None], year_column: str | None = None) -> pa.Array:
    """Replace the lines of rows with a non-zero defect code by their malformed version.

    ``columns`` are the rendered, *unquoted* values; ``defects[code]`` says what to break.
    """
    rows = np.flatnonzero(codes)
    if len(rows) == 0:
        return lines
    taken = pa.array(rows)
    values = {name: col.take(taken).to_pylist() for name, col in columns.items()}
    names = list(columns)
    replacements = []
    for k, code in enumerate(codes[rows].tolist()):
        defect = defects[code]
        fields = [values[name][k] for name in names]
        year = ((values[year_column][k] if year_column else "") or "2025")[:4]
        if defect.column is None and defect.value == "extra":
            fields.append("unexpected")
        elif defect.column is None and defect.value == "missing":
            fields.pop()
        else:
            fields[names.index(defect.column)] = defect.value.format(year=year)
        replacements.append(_csv_line(fields))
    mask = np.zeros(len(lines), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(lines, pa.array(mask), pa.array(replacements, lines.type))


def line_bytes(lines: pa.Array, start: int, stop: int) -> memoryview:
    """The bytes of rows ``start:stop`` of a joined-lines array, without copying."""
    offsets_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offsets_type)[lines.offset:]
    data = lines.buffers()[2]
    return memoryview(data)[int(offsets[start]):int(offsets[stop])]
