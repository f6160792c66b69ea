"""Row validation against the extract contract: each field kind accepts good text and names bad text."""

import pyarrow as pa
import pytest

from analytics.contract import FILE_SPECS, spec_for_path
from analytics.validate import validate_table


def _orders(**overrides):
    row = {
        "order_id": "O1", "customer_id_nat": "C1", "store_id": "AE-DXB-01", "channel": "pos", "order_type": "SALE",
        "order_ts": "2025-10-31T23:30:00+04:00", "final_status": "COMPLETED", "order_flag": "",
        "currency_code": "AED", "net_amount": "100.50", "vat_amount": "5.03", "updated_at": "2025-11-01T00:00:00Z",
    }
    row.update(overrides)
    return pa.table({k: pa.array([v]) for k, v in row.items()})


def _validate(**overrides):
    return validate_table(FILE_SPECS["oms_orders"], _orders(**overrides))


def test_good_row_is_cleaned_codes_upper_and_empty_as_null():
    result = _validate(channel=" pos ")
    assert result.valid.tolist() == [True]
    assert result.columns["channel"].to_pylist() == ["POS"]
    assert result.columns["order_flag"].to_pylist() == [None]


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("order_ts", "yesterday", "ISO 8601"),
    ("order_ts", "2025-02-30T10:00:00Z", "ISO 8601"),
    ("order_ts", "2025-10-01T10:00:00", "ISO 8601"),
    ("order_ts", "2025-10-01T24:00:00Z", "ISO 8601"),
    ("net_amount", "12,5O", "decimal"),
    ("net_amount", "1.005", "at most 2 decimals"),
    ("currency_code", "USD", "one of AED, SAR"),
    ("order_id", "", "required value is empty"),
    ("order_flag", "VIP", "one of TEST, INTERNAL, FRAUD"),
])
def test_bad_value_is_rejected_with_a_reason_naming_the_field(field, value, fragment):
    result = _validate(**{field: value})
    assert result.valid.tolist() == [False]
    assert result.failed_field[0] == field
    assert result.reason[0].startswith(f"{field}:")
    assert fragment in result.reason[0]


def test_negative_amounts_allowed_for_returns_but_not_for_rates():
    assert _validate(net_amount="-100.00").valid.tolist() == [True]
    fx = pa.table({"rate_date": ["2025-10-01", "2025-10-01"], "currency_code": ["SAR", "SAR"],
                   "rate_to_aed": ["0.97930000", "-1"]})
    assert validate_table(FILE_SPECS["fx_rates"], fx).valid.tolist() == [True, False]


def test_flag01_and_dates():
    spec = FILE_SPECS["crm_customers"]
    base = {c: "" for c in spec.columns}
    base.update(customer_id_nat="C1", is_vip="1", updated_at="2025-01-01T00:00:00Z", signup_date="2024-02-29")
    rows = [dict(base), dict(base, is_vip="yes"), dict(base, signup_date="2023-02-29")]
    table = pa.table({c: pa.array([r[c] for r in rows]) for c in spec.columns})
    result = validate_table(spec, table)
    assert result.valid.tolist() == [True, False, False]
    assert result.failed_field.tolist() == [None, "is_vip", "signup_date"]


def test_only_the_first_failing_field_is_reported():
    result = _validate(order_id="", net_amount="x")
    assert result.failed_field[0] == "order_id"


def test_file_names_map_to_specs():
    assert spec_for_path("oms_orders.csv").name == "oms_orders"
    assert spec_for_path("fx_rates.csv.gz").name == "fx_rates"
    assert spec_for_path("notes.txt") is None


def test_pos_log_dates_in_either_layout_become_iso_and_impossible_dates_are_rejected():
    spec = FILE_SPECS["pos_transactions"]
    rows = {"InvoiceNo": ["536365", "536366", "536367", "C536368"], "StockCode": ["85123A"] * 4,
            "Description": ["HEART", "", "HEART", "HEART"], "Quantity": ["6", "6", "-1", "-2"],
            "InvoiceDate": ["12/1/2010 8:26", "2010-12-01 08:28:00", "2/30/2011 10:00", "2011-01-05 09:03"],
            "UnitPrice": ["2.55", "0", "-11062.06", "2.55"], "CustomerID": ["17850.0", "", "", "12345"],
            "Country": ["United Kingdom", "EIRE", "", "RSA"]}
    result = validate_table(spec, pa.table({name: pa.array(values) for name, values in rows.items()}))
    assert result.valid.tolist() == [True, True, False, True]
    assert result.columns["InvoiceDate"].to_pylist()[:2] == ["2010-12-01 08:26:00", "2010-12-01 08:28:00"]
    assert result.failed_field[2] == "InvoiceDate" and "2/30/2011" in result.reason[2]
    assert [f.raw_column for f in spec.fields][:5] == ["invoice_no", "stock_code", "description", "quantity",
                                                       "invoice_ts"]


def _table(spec_name: str, rows: list[dict]) -> pa.Table:
    spec = FILE_SPECS[spec_name]
    return pa.table({c: pa.array([r.get(c, "") for r in rows], pa.string()) for c in spec.columns})


def test_marketing_files_map_to_specs_and_codes_are_case_insensitive():
    assert spec_for_path("mkt_touchpoints.csv.gz").name == "mkt_touchpoints"
    campaign = {"campaign_id": "CMP1", "campaign_code": "acq-search-2510", "campaign_name": "Search, Oct",
                "campaign_type": "cross_sell", "campaign_channel": "direct_mail", "start_date": "2025-10-01",
                "end_date": "", "budget_aed": "", "status": "active"}
    result = validate_table(FILE_SPECS["mkt_campaigns"], _table("mkt_campaigns", [campaign]))
    assert result.valid.tolist() == [True]
    assert result.columns["campaign_type"].to_pylist() == ["CROSS_SELL"]
    assert result.columns["end_date"].to_pylist() == [None]


@pytest.mark.parametrize(("name", "field", "value", "fragment"), [
    ("mkt_campaigns", "campaign_type", "loyalty", "one of ACQUISITION, RETENTION"),
    ("mkt_campaigns", "campaign_channel", "tv", "one of EMAIL, SMS"),
    ("mkt_campaigns", "end_date", "2025-02-30", "calendar date"),
    ("mkt_campaigns", "budget_aed", "-5.00", "decimal >= 0"),
    ("mkt_spend", "spend_date", "30/09/2025", "calendar date"),
    ("mkt_spend", "spend_aed", "1,250.00", "decimal >= 0"),
    ("mkt_spend", "clicks", "-3", "whole number >= 0"),
    ("mkt_spend", "impressions", "12.5", "whole number >= 0"),
    ("mkt_touchpoints", "touch_type", "click", "one of LEAD, CONTACT, CONVERSION"),
    ("mkt_touchpoints", "touch_ts", "2025-10-01 10:00", "ISO 8601"),
    ("mkt_touchpoints", "touch_id", "", "required value is empty"),
])
def test_bad_marketing_values_are_rejected_naming_the_field(name, field, value, fragment):
    good = {
        "mkt_campaigns": {"campaign_id": "CMP1", "campaign_code": "ACQ-1", "campaign_name": "Acquisition",
                          "campaign_type": "acquisition", "campaign_channel": "paid_search",
                          "start_date": "2025-10-01", "end_date": "2025-10-31", "budget_aed": "1000.00",
                          "status": "ACTIVE"},
        "mkt_spend": {"spend_date": "2025-10-01", "acquisition_channel": "PAID_SEARCH", "campaign_id": "",
                      "spend_aed": "250.00", "impressions": "10000", "clicks": "250"},
        "mkt_touchpoints": {"touch_id": "T1", "customer_id_nat": "", "lead_id": "L1",
                            "touch_ts": "2025-10-01T10:00:00+04:00", "acquisition_channel": "social",
                            "campaign_id": "CMP1", "touch_type": "lead"},
    }[name]
    result = validate_table(FILE_SPECS[name], _table(name, [good, dict(good, **{field: value})]))
    assert result.valid.tolist() == [True, False]
    assert result.failed_field[1] == field
    assert result.reason[1].startswith(f"{field}:") and fragment in result.reason[1]
