"""The extract contract (DESIGN §2): which files a landing folder holds and what each column must be.

A landing folder is ``<landing>/<ingestion_date YYYY-MM-DD>/<name>.csv[.gz]``. Every file kind below
names its columns, the kind of value each holds and whether it may be empty. The loader validates each
row against this table and the generator writes files that follow it, so both read one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Field", "FieldKind", "FileSpec", "FILE_SPECS", "spec_for_path", "REGION_TIMEZONES", "CAMPAIGN_TYPES",
           "CAMPAIGN_CHANNELS", "CAMPAIGN_STATUSES", "TOUCH_TYPES"]


class FieldKind(StrEnum):
    """How a column's text is checked and typed on its way into ``raw``."""

    TEXT = "text"          # any non-empty text (trimmed)
    CODE = "code"          # upper-cased code from an allowed set
    TIMESTAMPTZ = "timestamptz"  # ISO 8601 with an explicit offset or Z
    DATE = "date"          # YYYY-MM-DD
    AMOUNT = "amount"      # decimal with at most 2 (or `scale`) fractional digits
    INTEGER = "integer"
    FLAG01 = "flag01"      # 0 or 1
    LOCAL_TIMESTAMP = "local_timestamp"  # wall-clock time without offset: M/D/YYYY H:MM or YYYY-MM-DD HH:MM[:SS]


@dataclass(frozen=True)
class Field:
    """One column of an extract file."""

    name: str
    kind: FieldKind
    required: bool = True          # False: an empty value is allowed (NULL)
    allowed: tuple[str, ...] = ()  # for CODE: accepted values (empty tuple = any code)
    scale: int = 2                 # for AMOUNT: fractional digits allowed
    sign: str = "any"              # for AMOUNT/INTEGER: "any", "nonneg" or "positive"
    column: str = ""               # column in the raw table when it differs from the file's header

    @property
    def raw_column(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class FileSpec:
    """A file kind of the landing folder and the raw table it loads into."""

    name: str                  # file name without extension, e.g. "oms_orders"
    raw_table: str             # table in schema raw
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


F = FieldKind
ORDER_FLAGS = ("TEST", "INTERNAL", "FRAUD")
# Marketing vocabularies (REFERENCE §B): campaign types and channels, campaign states, touchpoint kinds.
CAMPAIGN_TYPES = ("ACQUISITION", "RETENTION", "REACTIVATION", "UPSELL", "CROSS_SELL")
CAMPAIGN_CHANNELS = ("EMAIL", "SMS", "SOCIAL", "DIRECT_MAIL", "IN_STORE", "PAID_SEARCH", "REFERRAL", "MARKETPLACE")
CAMPAIGN_STATUSES = ("PLANNED", "ACTIVE", "PAUSED", "COMPLETED", "CANCELLED")
TOUCH_TYPES = ("LEAD", "CONTACT", "CONVERSION")
# Currencies with daily rates to AED: the stores' AED and SAR, and GBP for POS logs (``ANALYTICS_POS_CURRENCY``).
CURRENCIES = ("AED", "SAR", "GBP", "EUR", "USD")

FILE_SPECS: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("oms_orders", "oms_orders", (
            Field("order_id", F.TEXT),
            Field("customer_id_nat", F.TEXT, required=False),
            Field("store_id", F.TEXT),
            Field("channel", F.CODE, allowed=("POS", "WEB", "MARKETPLACE")),
            Field("order_type", F.CODE, allowed=("SALE", "RETURN")),
            Field("order_ts", F.TIMESTAMPTZ),
            Field("final_status", F.CODE),
            Field("order_flag", F.CODE, required=False, allowed=ORDER_FLAGS),
            Field("currency_code", F.CODE, allowed=("AED", "SAR")),
            Field("net_amount", F.AMOUNT),
            Field("vat_amount", F.AMOUNT),
            Field("updated_at", F.TIMESTAMPTZ),
        )),
        FileSpec("oms_order_items", "oms_order_items", (
            Field("order_id", F.TEXT),
            Field("line_no", F.INTEGER, sign="positive"),
            Field("sku", F.TEXT),
            Field("category", F.TEXT, required=False),
            Field("quantity", F.AMOUNT, scale=3),
            Field("unit_price", F.AMOUNT, scale=4, sign="nonneg"),
            Field("discount_amount", F.AMOUNT, sign="nonneg"),
            Field("net_amount", F.AMOUNT),
            Field("cost_amount", F.AMOUNT, required=False, scale=4),
        )),
        FileSpec("crm_customers", "crm_customers", (
            Field("customer_id_nat", F.TEXT),
            Field("full_name", F.TEXT, required=False),
            Field("email", F.TEXT, required=False),
            Field("phone", F.TEXT, required=False),
            Field("city", F.TEXT, required=False),
            Field("country_code", F.CODE, required=False),
            Field("loyalty_tier", F.CODE, required=False),
            Field("is_vip", F.FLAG01),
            Field("customer_flag", F.CODE, required=False, allowed=ORDER_FLAGS),
            Field("acquisition_channel", F.TEXT, required=False),
            Field("signup_date", F.DATE, required=False),
            Field("merged_into", F.TEXT, required=False),
            Field("updated_at", F.TIMESTAMPTZ),
        )),
        FileSpec("pos_stores", "pos_stores", (
            Field("store_id", F.TEXT),
            Field("store_name", F.TEXT),
            Field("country_code", F.CODE, allowed=("AE", "SA")),
            Field("region", F.CODE, allowed=("UAE", "KSA")),
            Field("timezone", F.TEXT),
            Field("channel", F.CODE, allowed=("POS", "WEB", "MARKETPLACE")),
        )),
        FileSpec("fx_rates", "fx_rates", (
            Field("rate_date", F.DATE),
            Field("currency_code", F.CODE, allowed=CURRENCIES),
            Field("rate_to_aed", F.AMOUNT, scale=8, sign="positive"),
        )),
        # Marketing extracts: campaigns (latest delivery wins), daily spend per acquisition channel and
        # campaign (empty campaign_id = channel spend outside any campaign), and lead/contact/conversion
        # touchpoints (a lead's early touches may carry only its lead_id; the conversion names the customer).
        FileSpec("mkt_campaigns", "mkt_campaigns", (
            Field("campaign_id", F.TEXT),
            Field("campaign_code", F.CODE),
            Field("campaign_name", F.TEXT),
            Field("campaign_type", F.CODE, allowed=CAMPAIGN_TYPES),
            Field("campaign_channel", F.CODE, allowed=CAMPAIGN_CHANNELS),
            Field("start_date", F.DATE),
            Field("end_date", F.DATE, required=False),
            Field("budget_aed", F.AMOUNT, required=False, sign="nonneg"),
            Field("status", F.CODE, allowed=CAMPAIGN_STATUSES),
        )),
        FileSpec("mkt_spend", "mkt_spend", (
            Field("spend_date", F.DATE),
            Field("acquisition_channel", F.CODE),
            Field("campaign_id", F.TEXT, required=False),
            Field("spend_aed", F.AMOUNT, sign="nonneg"),
            Field("impressions", F.INTEGER, required=False, sign="nonneg"),
            Field("clicks", F.INTEGER, required=False, sign="nonneg"),
        )),
        FileSpec("mkt_touchpoints", "mkt_touchpoints", (
            Field("touch_id", F.TEXT),
            Field("customer_id_nat", F.TEXT, required=False),
            Field("lead_id", F.TEXT, required=False),
            Field("touch_ts", F.TIMESTAMPTZ),
            Field("acquisition_channel", F.CODE),
            Field("campaign_id", F.TEXT, required=False),
            Field("touch_type", F.CODE, allowed=TOUCH_TYPES),
        )),
        # The classic POS / online-retail log (DESIGN §2, §5): one row per invoice line, adapted into orders by
        # analytics.pos. Quantity and UnitPrice may be negative (credit notes, adjustments).
        FileSpec("pos_transactions", "pos_transactions", (
            Field("InvoiceNo", F.TEXT, column="invoice_no"),
            Field("StockCode", F.TEXT, column="stock_code"),
            Field("Description", F.TEXT, required=False, column="description"),
            Field("Quantity", F.INTEGER, column="quantity"),
            Field("InvoiceDate", F.LOCAL_TIMESTAMP, column="invoice_ts"),
            Field("UnitPrice", F.AMOUNT, scale=4, column="unit_price"),
            Field("CustomerID", F.TEXT, required=False, column="customer_id"),
            Field("Country", F.TEXT, required=False, column="country"),
        )),
    )
}

# Store time zones the contract allows, by region (DESIGN §4: months are store-local).
REGION_TIMEZONES = {"UAE": "Asia/Dubai", "KSA": "Asia/Riyadh"}


def spec_for_path(file_name: str) -> FileSpec | None:
    """The spec for a landing file name (``oms_orders.csv`` or ``oms_orders.csv.gz``), or None."""
    for suffix in (".csv.gz", ".csv"):
        if file_name.endswith(suffix):
            return FILE_SPECS.get(file_name[: -len(suffix)])
    return None
