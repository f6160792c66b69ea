"""Tests of the RFM segment rule table and of RFMCalculator, on small hand-built frames (no database)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.scorers.rfm_segments import (
    SEGMENT_RULES_PATH,
    cell_index,
    load_segment_rules,
    segment_lookup,
    unreachable_segments,
)

SEGMENT_NAMES = [
    "Champions", "Loyal Customers", "Potential Loyalists", "Recent Customers", "Promising", "Needs Attention",
    "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
]


def _write(rules: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "rules.csv"
    rules.to_csv(path, index=False)
    return path


# -- segment rule table ---------------------------------------------------------------------------------


def test_shipped_rules_name_the_eleven_segments_and_none_is_unreachable() -> None:
    rules = load_segment_rules()
    assert sorted(rules["segment_name"]) == sorted(SEGMENT_NAMES)
    assert rules["priority"].is_monotonic_increasing
    assert unreachable_segments(rules) == []
    assert (segment_lookup(rules) >= 0).all()


def test_naive_rule_order_makes_cant_lose_them_and_lost_unreachable(tmp_path: Path) -> None:
    # Same ranges, listed in the order segments are usually named: the wide "At Risk" and "Hibernating"
    # rules now come first and swallow every cell of "Can't Lose Them" and "Lost".
    naive = load_segment_rules().set_index("segment_name").loc[SEGMENT_NAMES].reset_index()
    naive["priority"] = range(1, len(naive) + 1)
    assert unreachable_segments(naive) == ["Can't Lose Them", "Lost"]
    with pytest.raises(ValueError, match=r"shadowed .*Can't Lose Them.*Lost"):
        load_segment_rules(_write(naive, tmp_path))


def test_first_matching_rule_wins_where_ranges_overlap() -> None:
    rules = load_segment_rules()
    names = rules["segment_name"].to_numpy()[segment_lookup(rules)]
    # (1,5,5) lies in both "Can't Lose Them" and the wider "At Risk"; the earlier priority wins.
    assert names[cell_index(1, 5, 5)] == "Can't Lose Them"
    assert names[cell_index(1, 5, 3)] == "At Risk"
    assert names[cell_index(1, 1, 1)] == "Lost"
    assert names[cell_index(1, 1, 3)] == "Hibernating"


def test_duplicate_code_and_priority_are_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules.loc[1, "segment_code"] = rules.loc[0, "segment_code"]
    rules.loc[2, "priority"] = rules.loc[3, "priority"]
    with pytest.raises(ValueError, match=r"duplicate segment_code: \['CHAMPIONS'\].*duplicate priority"):
        load_segment_rules(_write(rules, tmp_path))


def test_gap_in_coverage_is_rejected_naming_the_cells(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules = rules[rules["segment_name"] != "Hibernating"]  # leaves R=1,F=2 and R=1,F=1,M>=3 uncovered
    with pytest.raises(ValueError, match=r"8 \(R,F,M\) cells match no rule: 113, 114, 115, 121"):
        load_segment_rules(_write(rules, tmp_path))


def test_ranges_outside_1_to_5_or_inverted_are_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules()
    rules.loc[0, "r_max"] = 6
    rules.loc[1, "f_min"], rules.loc[1, "f_max"] = 5, 4
    with pytest.raises(ValueError, match=r"r_max not a whole number in 1..5 for \['CHAMPIONS'\].*f_min > f_max"):
        load_segment_rules(_write(rules, tmp_path))


def test_missing_rule_column_is_rejected(tmp_path: Path) -> None:
    rules = load_segment_rules().drop(columns=["m_min"])
    with pytest.raises(ValueError, match=r"missing columns \['m_min'\]"):
        load_segment_rules(_write(rules, tmp_path))


def test_shipped_rule_file_is_the_seed_csv() -> None:
    assert SEGMENT_RULES_PATH.parts[-3:] == ("sql", "seed", "dim_customer_segment.csv")
