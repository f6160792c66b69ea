"""POS transaction logs (the classic online-retail format): parsing, cleaning rules and price flags.

A flat POS log (``pos_transactions.csv``: InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
UnitPrice, CustomerID, Country) mixes product sales with credit notes, discounts, staff corrections,
bad-debt write-offs, postage and fees, stock movements and lines that cannot be attributed. Only
product sales to known customers may feed activity, RFM, CLV and churn (DESIGN §5), and nothing may be
silently dropped, so every line is put in exactly one category by an ordered rule table that users can
extend, and a data-loss report says how many rows and how much money each category holds.

- ``rules``: the versioned reference tables (categories, cleaning rules, country map) in ``sql/seed``,
  loaded and validated;
- ``parsing``: log text → typed rows, and the rows that cannot be typed as rejects naming the field;
- ``cleaning``: the classification itself, the normalised columns and the data-loss summary;
- ``price_consistency``: per-SKU price-behaviour flags from the price history of product lines.

Nothing here opens a database connection; the warehouse loads the seeds and the classified rows.
"""

from analytics.pos.cleaning import CleanedLog, classify, clean_pos_log, cleaning_summary
from analytics.pos.parsing import POS_COLUMNS, ParsedLog, parse_pos_log, read_pos_csv
from analytics.pos.price_consistency import PRICE_FLAGS, PriceFlagSettings, flag_prices
from analytics.pos.rules import load_categories, load_cleaning_rules, load_country_map

__all__ = [
    "POS_COLUMNS",
    "PRICE_FLAGS",
    "CleanedLog",
    "ParsedLog",
    "PriceFlagSettings",
    "classify",
    "clean_pos_log",
    "cleaning_summary",
    "flag_prices",
    "load_categories",
    "load_cleaning_rules",
    "load_country_map",
    "parse_pos_log",
    "read_pos_csv",
]
