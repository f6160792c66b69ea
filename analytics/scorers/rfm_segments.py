"""Segment rule tables: load them, validate them, and turn them into a cell lookup.

The rules are data (``sql/seed/dim_customer_segment.csv``, later loaded into ``core.dim_customer_segment``),
not code. Each rule gives an inclusive range of R, F and M scores (1–5); rules are tried in ascending
``priority`` and the first that matches a customer's (R, F, M) wins. Because the score space has only
5 × 5 × 5 = 125 cells, the whole table is checked by enumerating every cell: every cell must be matched
by some rule, and every rule must win at least one cell (a rule shadowed by earlier ones is a mistake in
the table, e.g. "Can't Lose Them" placed after a wider "At Risk").

The behavioural segments use the same kind of table on a coarser cube: recency, frequency and spend
*levels* 1–3 of a cluster's centroid (``levels=3``, 27 cells; see ``analytics.scorers.behavior``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.config import SQL_DIR

__all__ = [
    "RFM_LEVELS",
    "SEGMENT_RULES_PATH",
    "SEGMENT_RULE_COLUMNS",
    "cell_index",
    "load_segment_rules",
    "segment_lookup",
    "unreachable_segments",
    "validate_segment_rules",
]

SEGMENT_RULES_PATH = SQL_DIR / "seed" / "dim_customer_segment.csv"
_RANGE_COLUMNS = ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]
SEGMENT_RULE_COLUMNS = [
    "segment_code", "segment_name", "priority", *_RANGE_COLUMNS, "description", "recommended_action",
]

RFM_LEVELS = 5


def _cells(levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The levels³ cells in lookup order: cell (r, f, m) sits at (r-1)·levels² + (f-1)·levels + (m-1)."""
    axis = np.arange(1, levels + 1)
    r, f, m = np.meshgrid(axis, axis, axis, indexing="ij")
    return r.ravel(), f.ravel(), m.ravel()


def cell_index(r: np.ndarray, f: np.ndarray, m: np.ndarray, levels: int = RFM_LEVELS) -> np.ndarray:
    """Position of each (R, F, M) triple (each 1..levels) in the lookup (125 cells for RFM)."""
    return ((np.asarray(r) - 1) * levels + (np.asarray(f) - 1)) * levels + (np.asarray(m) - 1)


def _ordered(rules: pd.DataFrame) -> pd.DataFrame:
    return rules.sort_values("priority", kind="stable").reset_index(drop=True)


def segment_lookup(rules: pd.DataFrame, levels: int = RFM_LEVELS) -> np.ndarray:
    """For each cell, the row position (in priority order) of the winning rule; -1 if none matches.

    The rules are taken in ascending ``priority``; row positions refer to that order.
    """
    ordered = _ordered(rules)
    matches = np.ones((len(ordered), levels**3), dtype=bool)
    for axis, cells in zip("rfm", _cells(levels), strict=True):
        low = ordered[f"{axis}_min"].to_numpy(dtype=np.int64)[:, None]
        high = ordered[f"{axis}_max"].to_numpy(dtype=np.int64)[:, None]
        matches &= (cells >= low) & (cells <= high)
    winner = matches.argmax(axis=0)  # first matching rule in priority order
    return np.where(matches.any(axis=0), winner, -1)


def unreachable_segments(rules: pd.DataFrame, levels: int = RFM_LEVELS) -> list[str]:
    """Names of the segments (in priority order) that win no (R, F, M) cell: earlier rules shadow them."""
    ordered = _ordered(rules)
    won = np.zeros(len(ordered), dtype=bool)
    lookup = segment_lookup(ordered, levels)
    won[lookup[lookup >= 0]] = True
    return ordered.loc[~won, "segment_name"].tolist()


def _uncovered_cells(rules: pd.DataFrame, levels: int) -> list[str]:
    missing = segment_lookup(rules, levels) < 0
    return [f"{r}{f}{m}" for r, f, m in zip(*(axis[missing] for axis in _cells(levels)), strict=True)]


def validate_segment_rules(rules: pd.DataFrame, levels: int = RFM_LEVELS) -> pd.DataFrame:
    """Check a rule table and return it sorted by priority; raise ``ValueError`` naming every problem.

    Checks: required columns present; codes, names and priorities unique and not null; score ranges
    whole numbers within 1..levels with min <= max; every one of the levels³ (R, F, M) cells matched by
    some rule; every rule reachable (wins at least one cell).
    """
    missing = [column for column in SEGMENT_RULE_COLUMNS if column not in rules.columns]
    if missing:
        raise ValueError(f"segment rules: missing columns {missing}")
    problems: list[str] = []
    for column in ("segment_code", "segment_name", "priority"):
        if rules[column].isna().any():
            problems.append(f"{column} has empty values")
        duplicated = rules.loc[rules[column].duplicated(keep=False), column].dropna().unique().tolist()
        if duplicated:
            problems.append(f"duplicate {column}: {duplicated}")
    if pd.to_numeric(rules["priority"], errors="coerce").isna().any():
        problems.append("priority must be a number")
    ranges = rules[_RANGE_COLUMNS].apply(pd.to_numeric, errors="coerce")
    whole = ranges.notna() & (ranges == ranges.round())
    in_range = whole & (ranges >= 1) & (ranges <= levels)
    for column in _RANGE_COLUMNS:
        bad = rules.loc[~in_range[column], "segment_code"].tolist()
        if bad:
            problems.append(f"{column} not a whole number in 1..{levels} for {bad}")
    for axis in ("r", "f", "m"):
        inverted = rules.loc[ranges[f"{axis}_min"] > ranges[f"{axis}_max"], "segment_code"].tolist()
        if inverted:
            problems.append(f"{axis}_min > {axis}_max for {inverted}")
    if problems:  # the cell checks below need sound ranges and priorities
        raise ValueError("segment rules: " + "; ".join(problems))

    numbers = {column: ranges[column].astype(np.int64) for column in _RANGE_COLUMNS}
    rules = _ordered(rules.assign(priority=pd.to_numeric(rules["priority"]), **numbers))
    uncovered = _uncovered_cells(rules, levels)
    if uncovered:
        shown = ", ".join(uncovered[:10]) + (" ..." if len(uncovered) > 10 else "")
        problems.append(f"{len(uncovered)} (R,F,M) cells match no rule: {shown}")
    unreachable = unreachable_segments(rules, levels)
    if unreachable:
        problems.append(f"rules shadowed by earlier priorities (win no cell): {unreachable}")
    if problems:
        raise ValueError("segment rules: " + "; ".join(problems))
    return rules


def load_segment_rules(path: str | Path | None = None, levels: int = RFM_LEVELS) -> pd.DataFrame:
    """Read a segment rule CSV (default: the shipped RFM seed) and return it validated, in priority order."""
    source = Path(path) if path is not None else SEGMENT_RULES_PATH
    rules = pd.read_csv(source, dtype={"segment_code": str, "segment_name": str}, keep_default_na=False,
                        na_values={column: [""] for column in ("segment_code", "segment_name", "priority")})
    try:
        return validate_segment_rules(rules, levels)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None
