"""POS log cleaning: every rule on a hand-built log, precedence between rules, row accounting,
normalisation, country map, the data-loss summary and the validation of the reference tables."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analytics.pos import (
    POS_COLUMNS,
    classify,
    clean_pos_log,
    cleaning_summary,
    load_categories,
    load_cleaning_rules,
    load_country_map,
    parse_pos_log,
)
from analytics.pos.cleaning import line_net
from analytics.pos.parsing import normalise_customer_id
from analytics.pos.rules import CATEGORIES_PATH, COUNTRY_MAP_PATH, REQUIRED_CATEGORIES, RULES_PATH

T = "12/1/2010 8:26"
UK = "United Kingdom"

# (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country) → expected rule.
# Rows marked "double" match more than one rule; the comment says which rule loses and why the winner wins.
HAND_LOG = [
    (("536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", T, "2.55", "17850.0", UK), "SALE-999"),
    # double (BD-020, guest): A… invoices are accounting entries, whoever they name
    (("A563185", "B", "Adjust bad debt", "1", "8/12/2011 14:50", "11062.06", "", UK), "BD-010"),
    (("563186", "B", "Bad debt", "1", "8/12/2011 14:51", "-11062.06", "", UK), "BD-020"),
    # double (INV-040 "adjust" at zero price): the write-off wording is the more specific, accounting wins
    (("563187", "21000", "Adjust bad debt", "1", "8/12/2011 14:52", "0", "", UK), "BD-030"),
    # double (RET-010): a credit note for a manual correction is a correction, not a product return
    (("C536391", "M", "Manual", "-1", T, "4.95", "17548", UK), "MC-010"),
    (("536392", "m", "Manual", "1", T, "4.95", "17548", UK), "MC-010"),  # codes compared ignoring case
    # double (MCU-010 guest): a guest's discount is a discount; it was never a sale to attribute
    (("536393", "D", "Discount", "-1", T, "27.50", "", UK), "DS-010"),
    # double (RET-010): a credit note for POSTAGE refunds a charge, not a product
    (("C536379", "POST", "POSTAGE", "-1", T, "18.00", "14527", "EIRE"), "NP-010"),
    (("536394", "DOT", "DOTCOM POSTAGE", "1", T, "569.77", "", UK), "NP-020"),
    (("536395", "C2", "CARRIAGE", "1", T, "50.00", "14911", "EIRE"), "NP-030"),
    (("C536396", "CRUK", "CRUK Commission", "-1", T, "1.60", "14096", UK), "NP-040"),
    (("536397", "BANK CHARGES", "Bank Charges", "1", T, "15.00", "12345", UK), "NP-050"),
    (("C536398", "AMAZONFEE", "AMAZON FEE", "-1", T, "5575.28", "", UK), "NP-060"),
    (("536399", "PADS", "PADS TO MATCH ALL CUSHIONS", "1", T, "0.001", "15618", UK), "NP-070"),
    (("C536400", "S", "SAMPLES", "-1", T, "33.05", "17315", UK), "NP-080"),
    (("536401", "gift_0001_20", "Dotcomgiftshop Gift Voucher £20.00", "1", T, "16.67", "", UK), "NP-090"),
    # double (INV-090 negative quantity, zero price): a mailout is a non-product charge by its description
    (("536402", "22139", "mailout", "-30", T, "0", "", UK), "NP-100"),
    # double (excluded country): what the line is comes before whose it is — postage stays postage
    (("536403", "POST", "POSTAGE", "2", T, "18.00", "12743", "Unspecified"), "NP-010"),
    (("536404", "22139", "damaged", "-56", T, "0", "", UK), "INV-010"),
    (("536405", "22140", "check", "-12", T, "0", "", UK), "INV-020"),
    (("536406", "22141", "?", "-10", T, "0", "", UK), "INV-030"),
    (("536407", "20713", "wrongly coded 20713", "100", T, "0", "", UK), "INV-040"),
    (("536408", "22142", "given away", "-4", T, "0", "", UK), "INV-050"),
    (("536409", "22143", "dotcom", "-20", T, "0", "", UK), "INV-060"),
    # double (RET-010): a zero-value 'damaged' line on a credit note moves stock, it refunds nothing
    (("C536410", "22139", "damaged", "-5", T, "0", "14527", UK), "INV-010"),
    # guarded: the description starts with 'TEST' but the line charges money, so it is a sale
    (("536411", "22144", "TEST TUBE RACK", "2", T, "1.25", "12347", UK), "SALE-999"),
    (("536412", "22145", "REGENCY CAKESTAND", "1", T, "12.75", "12346", "Unspecified"), "EXC-010"),
    # double (MCU-010 guest): a whole market out of scope; the guest question does not arise
    (("536413", "22145", "REGENCY CAKESTAND", "1", T, "12.75", "", "European Community"), "EXC-010"),
    # double (RET-010): an excluded market's refunds must not reach net revenue either
    (("C536414", "22145", "REGENCY CAKESTAND", "-1", T, "12.75", "12346", "Unspecified"), "EXC-010"),
    (("C536383", "35004C", "SET OF 3 COLOURED FLYING DUCKS", "-1", T, "4.65", "15311", UK), "RET-010"),
    # double (MCU-010): a guest credit note stays a return so refunds reconcile with the credit notes
    (("C536415", "35004C", "SET OF 3 COLOURED FLYING DUCKS", "-1", T, "4.65", "", UK), "RET-010"),
    # double (ZP-010, MCU-010): without a description the product is unknown — the first defect to fix
    (("536416", "22146", "", "56", T, "0", "", UK), "MD-010"),
    # double (INV-090): negative and undescribed: the missing description is reported
    (("536417", "22146", "", "-56", T, "0", "", UK), "MD-010"),
    (("536418", "22147", "PINK PARTY CUPS", "-3", T, "0.85", "12348", UK), "INV-090"),
    (("536419", "22148", "BLUE LUNCH BAG", "10", T, "0", "12349", UK), "ZP-010"),
    # double (MCU-010): a free item stays excluded even if the guest were known
    (("536420", "22148", "BLUE LUNCH BAG", "10", T, "0", "", UK), "ZP-010"),
    (("536421", "22149", "RED SPOTTY MUG", "4", T, "2.10", "", UK), "MCU-010"),
    (("536422", "22150", "IVORY CANDLE", "6", T, "1.25", "12350", "RSA"), "SALE-999"),
]
REJECTS = [
    (("536430", "22151", "X", "three", T, "1.25", "12351", UK), "Quantity"),
    (("536431", "22151", "X", "1", "2/30/2011 10:00", "1.25", "12351", UK), "InvoiceDate"),
    (("536432", "22151", "X", "1", T, "1,25", "12351", UK), "UnitPrice"),
    (("", "22151", "X", "1", T, "1.25", "12351", UK), "InvoiceNo"),
]


def _frame(rows: list) -> pd.DataFrame:
    return pd.DataFrame([values for values, _ in rows], columns=list(POS_COLUMNS), dtype=object)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    categories = load_categories()
    return load_cleaning_rules(categories=categories), load_country_map(), categories


@pytest.fixture(scope="module")
def cleaned(tables):
    rules, countries, categories = tables
    raw = _frame(HAND_LOG + REJECTS)
    return raw, clean_pos_log(raw, rules=rules, countries=countries, categories=categories)


def test_each_hand_built_row_gets_the_expected_rule_and_its_category(cleaned, tables) -> None:
    _, result = cleaned
    rules = tables[0].set_index("rule_id")
    got = result.classified["rule_id"].astype(str).tolist()
    expected = [rule for _, rule in HAND_LOG]
    assert got == expected
    assert result.classified["category"].astype(str).tolist() == rules.loc[expected, "category"].tolist()


def test_every_shipped_rule_wins_a_row_of_the_hand_built_log(cleaned, tables) -> None:
    _, result = cleaned
    unused = set(tables[0]["rule_id"]) - set(result.classified["rule_id"].astype(str))
    assert unused == set()


def test_every_row_is_in_exactly_one_category_or_rejected_and_counts_add_up(cleaned) -> None:
    raw, result = cleaned
    assert result.classified.index.intersection(result.rejects.index).empty
    assert sorted(result.classified.index.append(result.rejects.index)) == list(raw.index)
    assert result.classified["category"].notna().all()
    assert result.summary["rows"].sum() == len(raw)
    assert result.summary.loc[result.summary["category"] == "rejected", "rows"].item() == len(REJECTS)
    counts = result.classified["category"].value_counts()
    for row in result.summary.itertuples():
        if row.category != "rejected":
            assert counts.get(row.category, 0) == row.rows


def test_rejects_name_the_failing_field_and_keep_the_raw_text(cleaned) -> None:
    raw, result = cleaned
    rejects = result.rejects
    assert rejects["field"].tolist() == [field for _, field in REJECTS]
    assert all(reason.startswith(field + ":") for field, reason in zip(rejects["field"], rejects["reason"],
                                                                          strict=True))
    assert "'2/30/2011 10:00'" in rejects.loc[rejects["field"] == "InvoiceDate", "reason"].item()
    assert rejects["UnitPrice"].tolist() == raw.loc[rejects.index, "UnitPrice"].tolist()


def test_a_user_can_add_a_rule_that_takes_precedence(tables) -> None:
    rules, countries, categories = tables
    extra = pd.DataFrame([{"rule_id": "NP-900", "priority": 405, "category": "non_product_charge",
                           "field": "stock_code", "match": "prefix", "pattern": "DCGS", "case_sensitive": "false",
                           "and_field": "", "and_match": "", "and_pattern": "", "description": "dotcom bundles",
                           "version": 1}])
    extended = pd.concat([rules, extra], ignore_index=True)
    raw = _frame([(("536500", "DCGSSBOY", "BOYS PARTY BAG", "1", T, "3.29", "12352", UK), "NP-900")])
    result = classify(parse_pos_log(raw).rows, extended, countries, categories)
    assert result["rule_id"].astype(str).tolist() == ["NP-900"]
    assert result["category"].astype(str).tolist() == ["non_product_charge"]


def test_float_and_textual_customer_ids_are_normalised() -> None:
    ids = pa.array(["17850.0", "17850", " 17850.00 ", "", "nan", "NULL", "017850", "17850.5", None])
    assert normalise_customer_id(ids).to_pylist() == [
        "17850", "17850", "17850", None, None, None, "017850", "17850.5", None]


def test_customer_id_nat_and_invoice_kind_columns(cleaned) -> None:
    _, result = cleaned
    c = result.classified
    assert c.loc[0, "customer_id_nat"] == "17850"
    assert pd.isna(c.loc[c["InvoiceNo"] == "536393", "customer_id_nat"]).all()
    kinds = dict(zip(c["InvoiceNo"], c["invoice_kind"].astype(str), strict=True))
    assert (kinds["536365"], kinds["C536379"], kinds["A563185"]) == ("invoice", "credit_note", "adjustment")


def test_countries_are_mapped_renamed_excluded_or_flagged_unmapped(tables) -> None:
    rules, countries, categories = tables
    given = ["EIRE", "RSA", "USA", "Channel Islands", " eire ", "France", "Narnia", "", "European Community"]
    raw = pd.DataFrame({"InvoiceNo": [str(536600 + i) for i in range(len(given))], "StockCode": "22150",
                        "Description": "IVORY CANDLE", "Quantity": "1", "InvoiceDate": T, "UnitPrice": "1.25",
                        "CustomerID": "12350", "Country": given})
    c = classify(parse_pos_log(raw).rows, rules, countries, categories)
    assert c["country_name"].tolist()[:6] == ["Ireland", "South Africa", "United States", UK, "Ireland", "France"]
    assert c["iso_code"].tolist()[:6] == ["IE", "ZA", "US", "GB", "IE", "FR"]
    assert c["country_name"][6] == "Narnia" and pd.isna(c["iso_code"][6])
    assert c["country_unmapped"].tolist() == [False] * 6 + [True, True, False]
    assert c["category"].astype(str).tolist() == ["sale"] * 8 + ["excluded_country"]


def test_dates_in_both_formats_and_dayfirst() -> None:
    raw = pd.DataFrame({"InvoiceNo": "1", "StockCode": "X", "Description": "d", "Quantity": "1", "UnitPrice": "1",
                        "CustomerID": "", "Country": UK,
                        "InvoiceDate": ["12/1/2010 8:26", "2010-12-01 08:26:00", "2010-12-01T08:26", "12/1/10 8:26",
                                        "12/1/2010 8:26:30", "2010-12-01", "2/29/2012 23:59", "4/31/2011 9:00",
                                        "12/1/2010 8:5", "2010-13-01 08:00:00"]})
    parsed = parse_pos_log(raw)
    stamps = parsed.rows["InvoiceDate"].astype(str).tolist()
    assert stamps == ["2010-12-01 08:26:00"] * 4 + ["2010-12-01 08:26:30", "2010-12-01 00:00:00",
                                                    "2012-02-29 23:59:00"]
    assert parsed.rejects["field"].tolist() == ["InvoiceDate"] * 3
    uk_order = parse_pos_log(raw.head(1), dayfirst=True).rows["InvoiceDate"].astype(str).tolist()
    assert uk_order == ["2010-01-12 08:26:00"]


def test_quantities_and_prices_are_typed_and_line_net_is_exact_cents() -> None:
    raw = pd.DataFrame({"InvoiceNo": "1", "StockCode": "X", "Description": "d", "InvoiceDate": T, "CustomerID": "",
                        "Country": UK, "Quantity": ["3", "+2", "6.0", "-1", "1", "1"],
                        "UnitPrice": ["2.55", "0.005", ".5", "0.005", "1.005", "11062.06"]})
    rows = parse_pos_log(raw).rows
    assert rows["Quantity"].dtype == np.int64 and rows["Quantity"].tolist() == [3, 2, 6, -1, 1, 1]
    assert line_net(rows["Quantity"], rows["UnitPrice"]).tolist() == [7.65, 0.01, 3.0, -0.01, 1.01, 11062.06]


def test_summary_shares_and_feeds(tables) -> None:
    _, _, categories = tables
    classified = pd.DataFrame({"category": ["sale", "sale", "return", "discount"],
                               "line_net": [6.0, 4.0, -5.0, -5.0]})
    summary = cleaning_summary(classified, categories, rejected_rows=1).set_index("category")
    assert list(summary.index) == list(categories["category"]) + ["rejected"]
    assert summary.loc["sale", "rows"] == 2 and summary.loc["sale", "revenue"] == 10.0
    assert summary.loc["sale", "row_share"] == pytest.approx(0.4)
    assert summary.loc["rejected", "row_share"] == pytest.approx(0.2)
    # revenue share is of the money moved (|line_net|): 10 of 20
    assert summary.loc["sale", "revenue_share"] == pytest.approx(0.5)
    assert summary.loc["return", "revenue_share"] == pytest.approx(0.25)
    assert summary["row_share"].sum() == pytest.approx(1.0)
    assert summary["revenue_share"].sum() == pytest.approx(1.0)
    assert summary.index[summary["reaches_customer_metrics"]].tolist() == ["sale"]
    assert summary.index[summary["feeds_returns"]].tolist() == ["return"]
    assert summary.loc["manual_correction", "rows"] == 0


def test_missing_columns_are_refused(tables) -> None:
    rules, countries, categories = tables
    with pytest.raises(ValueError, match="missing required columns.*Country"):
        parse_pos_log(pd.DataFrame({c: ["x"] for c in POS_COLUMNS if c != "Country"}))
    with pytest.raises(ValueError, match="missing columns.*UnitPrice"):
        classify(pd.DataFrame({c: ["x"] for c in POS_COLUMNS if c != "UnitPrice"}), rules, countries, categories)


# --- reference tables ---------------------------------------------------------------------------------------

def _rewrite(source: Path, target: Path, change) -> Path:
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = change(rows)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_shipped_reference_tables_load() -> None:
    categories, rules, countries = load_categories(), load_cleaning_rules(), load_country_map()
    assert set(REQUIRED_CATEGORIES) <= set(categories["category"])
    assert rules["priority"].is_monotonic_increasing and rules.iloc[-1]["match"] == "any"
    assert len(countries) >= 38 and countries.loc[countries["excluded"], "source_country"].tolist() == [
        "European Community", "Unspecified"]


def _edit_rule(target: str, **changes):
    def change(rows):
        for row in rows:
            if row["rule_id"] == target:
                row.update(changes)
        return rows
    return change


@pytest.mark.parametrize(("change", "message"), [
    (_edit_rule("NP-020", rule_id="NP-010"), "duplicate rule_id: \\['NP-010'\\]"),
    (_edit_rule("NP-020", priority="400"), "duplicate priority"),
    (_edit_rule("NP-020", category="postage"), "unknown categories.*postage"),
    (_edit_rule("NP-020", field="sku"), "unknown field 'sku'"),
    (_edit_rule("NP-020", match="startswith"), "unknown match kind 'startswith'"),
    (_edit_rule("INV-010", pattern="^(damaged"), "INV-010.*regex does not compile"),
    (_edit_rule("ZP-010", field="description"), "'zero_or_negative' does not apply to field 'description'"),
    (_edit_rule("NP-020", pattern=""), "NP-020.*needs a pattern"),
    (_edit_rule("INV-010", and_pattern="x"), "INV-010 \\(and condition\\).*takes no pattern"),
    (_edit_rule("SALE-999", priority="50"), "catch-all rule SALE-999 must have the highest priority"),
    (lambda rows: [r for r in rows if r["match"] != "any"], "exactly one catch-all"),
    (_edit_rule("NP-020", case_sensitive="maybe"), "case_sensitive must be true or false"),
])
def test_rule_table_errors_are_named(tmp_path: Path, change, message: str) -> None:
    path = _rewrite(RULES_PATH, tmp_path / "rules.csv", change)
    with pytest.raises(ValueError, match=message):
        load_cleaning_rules(path)


def test_category_table_errors_are_named(tmp_path: Path) -> None:
    path = _rewrite(CATEGORIES_PATH, tmp_path / "c.csv", lambda rows: [r for r in rows if r["category"] != "return"])
    with pytest.raises(ValueError, match="required categories missing: \\['return'\\]"):
        load_categories(path)

    def bad_flag(rows):
        rows[0]["feeds_customer_metrics"] = "sometimes"
        return rows
    with pytest.raises(ValueError, match="feeds_customer_metrics must be true or false for \\['sale'\\]"):
        load_categories(_rewrite(CATEGORIES_PATH, tmp_path / "c2.csv", bad_flag))


def test_country_map_errors_are_named(tmp_path: Path) -> None:
    def duplicate(rows):
        return rows + [{**rows[0], "source_country": rows[0]["source_country"].upper()}]

    def no_iso(rows):
        rows[0]["iso_code"] = ""
        return rows
    with pytest.raises(ValueError, match="duplicate source_country"):
        load_country_map(_rewrite(COUNTRY_MAP_PATH, tmp_path / "m1.csv", duplicate))
    with pytest.raises(ValueError, match="iso_code must be two capital letters.*Australia"):
        load_country_map(_rewrite(COUNTRY_MAP_PATH, tmp_path / "m2.csv", no_iso))


def test_classify_leaves_the_callers_frame_unchanged(tables) -> None:
    rules, countries, categories = tables
    rows = parse_pos_log(_frame(HAND_LOG)).rows
    before = rows.copy()
    classify(rows, rules, countries, categories)
    pd.testing.assert_frame_equal(rows, before)
