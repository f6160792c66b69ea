"""Per-SKU price flags: each flag on a constructed price history, the thresholds as settings, and what
counts as price history."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.pos import PRICE_FLAGS, PriceFlagSettings, flag_prices


def _history(sku: str, prices: list[float], start: str = "2011-01-03", days_apart: int = 7,
             category: str = "sale", description: str = "A THING") -> pd.DataFrame:
    """Lines of one SKU, one per ``days_apart`` days, at the given prices in that order."""
    dates = pd.date_range(start, periods=len(prices), freq=f"{days_apart}D")
    return pd.DataFrame({"StockCode": sku, "Description": description, "UnitPrice": prices,
                         "InvoiceDate": dates.to_numpy(dtype="datetime64[s]"), "category": category})


def _flags(*histories: pd.DataFrame, settings: PriceFlagSettings | None = None) -> pd.DataFrame:
    return flag_prices(pd.concat(histories, ignore_index=True), settings).set_index("stock_code")


def test_one_price_or_prices_within_the_tolerance_are_normal() -> None:
    flags = _flags(_history("ONE", [2.55] * 5), _history("NEAR", [2.55, 2.57, 2.56, 2.59]))
    assert flags["price_flag"].tolist() == ["normal", "normal"]
    assert flags.loc["NEAR", ["distinct_prices", "price_levels", "price_changes"]].tolist() == [4, 1, 0]


def test_two_levels_with_one_change_are_a_one_off_price_change() -> None:
    flags = _flags(_history("STEP", [2.55, 2.55, 2.55, 2.95, 2.95]))
    row = flags.loc["STEP"]
    assert row["price_flag"] == "one_off_price_change"
    assert (row["price_levels"], row["price_changes"], row["min_price"], row["max_price"]) == (2, 1, 2.55, 2.95)


def test_levels_that_come_back_are_oscillating_or_promotional() -> None:
    promo = _history("PROMO", [2.55, 2.04, 2.55, 2.55, 2.04, 2.55])
    three = _history("THREE", [2.55, 2.04, 2.95, 2.55])
    flags = _flags(promo, three)
    assert flags["price_flag"].tolist() == ["oscillating_or_promotional"] * 2
    assert flags.loc["PROMO", "price_changes"] == 4


def test_many_levels_or_a_one_way_staircase_are_complex() -> None:
    many = _history("MANY", [1.00, 1.20, 1.00, 1.40, 1.60, 1.80])
    stairs = _history("STAIRS", [1.00, 1.00, 1.20, 1.20, 1.50])
    flags = _flags(many, stairs)
    assert flags["price_flag"].tolist() == ["complex", "complex"]
    assert flags.loc["MANY", "price_levels"] == 5
    assert flags.loc["STAIRS", ["price_levels", "price_changes"]].tolist() == [3, 2]


def test_a_zero_or_sub_cent_price_is_zero_or_manual_whatever_else_happens() -> None:
    free = pd.concat([_history("FREE", [2.55, 2.55, 2.95]), _history("FREE", [0.0], category="zero_price")])
    flags = _flags(free, _history("PADS", [0.001, 0.001]))
    assert flags["price_flag"].tolist() == ["zero_or_manual", "zero_or_manual"]
    relaxed = _flags(_history("PADS", [0.001, 0.001]), settings=PriceFlagSettings(flag_sub_cent_prices=False))
    assert relaxed["price_flag"].tolist() == ["normal"]


def test_thresholds_are_settings() -> None:
    near = _history("NEAR", [2.55, 2.55, 2.60, 2.60])  # 1.96 % apart
    assert _flags(near)["price_flag"].tolist() == ["normal"]
    assert _flags(near, settings=PriceFlagSettings(tolerance=0.01))["price_flag"].tolist() == [
        "one_off_price_change"]
    four = _history("FOUR", [1.00, 1.50, 2.00, 2.50, 1.00])
    assert _flags(four)["price_flag"].tolist() == ["complex"]
    assert _flags(four, settings=PriceFlagSettings(max_oscillating_levels=4))["price_flag"].tolist() == [
        "oscillating_or_promotional"]
    with pytest.raises(ValueError, match="tolerance"):
        PriceFlagSettings(tolerance=1.5)
    with pytest.raises(ValueError, match="max_oscillating_levels"):
        PriceFlagSettings(max_oscillating_levels=1)


def test_only_product_sale_lines_are_price_history() -> None:
    sale = _history("SKU", [2.55, 2.55, 2.55])
    guest = _history("SKU", [2.55], start="2011-03-01", category="missing_customer")
    refund = _history("SKU", [9.99], start="2011-02-01", category="return")
    damaged = _history("SKU", [0.0], start="2011-02-02", category="inventory_adjustment")
    flags = _flags(sale, guest, refund, damaged)
    assert flags.loc["SKU", ["lines", "distinct_prices"]].tolist() == [4, 1]
    assert flags.loc["SKU", "price_flag"] == "normal"
    assert str(flags.loc["SKU", "last_sold"]) == "2011-03-01 00:00:00"
    only_returns = flag_prices(refund)
    assert only_returns.empty and list(only_returns.columns)[-1] == "price_flag"


def test_output_columns_dates_and_most_frequent_description() -> None:
    lines = pd.concat([_history("SKU", [1.25, 1.25], description="MUG RED"),
                       _history("SKU", [1.25, 1.25], start="2011-02-01", description="MUG, RED"),
                       _history("SKU", [1.25], start="2011-03-01", description="RED MUG")])
    flags = flag_prices(lines)
    assert list(flags.columns) == ["stock_code", "description", "lines", "distinct_prices", "price_levels",
                                   "min_price", "max_price", "first_sold", "last_sold", "price_changes",
                                   "price_flag"]
    row = flags.iloc[0]
    assert row["description"] == "MUG RED"  # two each: the tie goes to the alphabetically first
    assert (str(row["first_sold"]), str(row["last_sold"])) == ("2011-01-03 00:00:00", "2011-03-01 00:00:00")
    assert list(flags["price_flag"].cat.categories) == list(PRICE_FLAGS)


def test_same_timestamp_prices_are_ordered_by_level() -> None:
    same_moment = pd.DataFrame({"StockCode": "BULK", "Description": "X", "UnitPrice": [2.95, 2.55, 2.95, 2.55],
                                "InvoiceDate": pd.to_datetime(["2011-01-03"] * 2 + ["2011-01-10"] * 2),
                                "category": "sale"})
    # per moment: 2.55 then 2.95 -> low, high, low, high: the levels interleave
    assert flag_prices(same_moment)["price_flag"].tolist() == ["oscillating_or_promotional"]


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="missing columns.*category"):
        flag_prices(pd.DataFrame({"StockCode": ["X"], "Description": ["d"], "UnitPrice": [1.0],
                                  "InvoiceDate": pd.to_datetime(["2011-01-01"])}))
