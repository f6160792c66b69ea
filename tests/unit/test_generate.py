"""The landing-data generator: deterministic, contract-shaped, and every loader scenario present."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.contract import FILE_SPECS
from analytics.generate import generate_landing

END = dt.date(2025, 11, 30)
MONTHS = 4
START = dt.date(2025, 8, 1)
KINDS = ("oms_orders", "oms_order_items", "crm_customers", "fx_rates", "pos_stores", "mkt_campaigns", "mkt_spend",
         "mkt_touchpoints")
TS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
AMOUNT2 = r"^-?\d+(\.\d{1,2})?$"
CUSTOMER_ID = r"^C\d{5,}$"
ORDER_ID = r"^O\d{6,}$"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate_landing(out, customers=1500, months=MONTHS, seed=11)


@lru_cache(maxsize=16)
def _read_kind(root: Path, name: str) -> tuple[pd.DataFrame, list[list[str]]]:
    """All rows of a file kind over all drops, as text with a ``drop`` column; plus ragged rows.

    Cached: callers must not modify the frame in place.
    """
    columns = list(FILE_SPECS[name].columns)
    frames, ragged = [], []
    for path in sorted(root.glob(f"*/{name}.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == columns, path
        good = [r for r in rows[1:] if len(r) == len(columns)]
        ragged += [r for r in rows[1:] if len(r) != len(columns)]
        frame = pd.DataFrame(good, columns=columns, dtype=str)
        frame["drop"] = dt.date.fromisoformat(path.parent.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True), ragged


def _timestamp(text: pd.Series) -> pd.Series:
    shaped = text.str.match(TS)
    return pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")


def _valid_orders(orders: pd.DataFrame) -> pd.Series:
    spec = {f.name: f for f in FILE_SPECS["oms_orders"].fields}
    return (orders["order_id"].str.match(ORDER_ID)
            & (orders["customer_id_nat"].eq("") | orders["customer_id_nat"].str.match(CUSTOMER_ID))
            & orders["channel"].isin(spec["channel"].allowed) & orders["order_type"].isin(["SALE", "RETURN"])
            & _timestamp(orders["order_ts"]).notna() & _timestamp(orders["updated_at"]).notna()
            & orders["final_status"].isin(["COMPLETED", "FULFILLED", "CANCELLED", "PENDING"])
            & orders["order_flag"].isin(["", "TEST", "INTERNAL", "FRAUD"])
            & orders["currency_code"].isin(["AED", "SAR"])
            & orders["net_amount"].str.match(AMOUNT2) & orders["vat_amount"].str.match(AMOUNT2))


def _valid_items(items: pd.DataFrame) -> pd.Series:
    return (items["order_id"].str.match(ORDER_ID) & items["line_no"].str.match(r"^[1-9]\d*$")
            & items["sku"].ne("") & items["quantity"].str.match(r"^-?\d+(\.\d{1,3})?$")
            & items["unit_price"].str.match(r"^\d+(\.\d{1,4})?$")
            & items["discount_amount"].str.match(r"^\d+(\.\d{1,2})?$")
            & items["net_amount"].str.match(AMOUNT2)
            & (items["cost_amount"].eq("") | items["cost_amount"].str.match(r"^-?\d+(\.\d{1,4})?$")))


def _valid_customers(crm: pd.DataFrame) -> pd.Series:
    signup = pd.to_datetime(crm["signup_date"], format="%Y-%m-%d", errors="coerce")
    return (crm["customer_id_nat"].str.match(CUSTOMER_ID) & crm["is_vip"].isin(["0", "1"])
            & crm["customer_flag"].isin(["", "TEST", "INTERNAL", "FRAUD"]) & signup.notna()
            & (crm["merged_into"].eq("") | crm["merged_into"].str.match(CUSTOMER_ID))
            & crm["loyalty_tier"].isin(["BRONZE", "SILVER", "GOLD", "PLATINUM"])
            & crm["country_code"].isin(["AE", "SA"]) & _timestamp(crm["updated_at"]).notna())


def _cents(text: pd.Series) -> pd.Series:
    return text.map(lambda v: int(Decimal(v) * 100))


@pytest.fixture(scope="module")
def orders(landing) -> pd.DataFrame:
    frame, _ = _read_kind(landing[0], "oms_orders")
    frame = frame[_valid_orders(frame)].copy()
    frame["ts"] = _timestamp(frame["order_ts"])
    frame["updated"] = _timestamp(frame["updated_at"])
    offset = np.where(frame["store_id"].str.startswith("AE"), 4, 3)
    frame["local"] = frame["ts"].dt.tz_localize(None) + pd.to_timedelta(offset, unit="h")
    frame["local_month"] = frame["local"].dt.to_period("M")
    frame["net"] = _cents(frame["net_amount"])
    return frame


@pytest.fixture(scope="module")
def crm(landing) -> pd.DataFrame:
    frame, _ = _read_kind(landing[0], "crm_customers")
    return frame[_valid_customers(frame)].copy()


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path):
    runs = [tmp_path / name for name in ("a", "b", "c")]
    for path, seed in zip(runs, (5, 5, 6), strict=True):
        generate_landing(path, customers=300, months=2, seed=seed, end_date=dt.date(2025, 6, 30))
    first, second, other = (_digests(p) for p in runs)
    assert first == second and len(first) > 100
    assert first != other


def test_drops_are_daily_within_the_period_and_every_header_is_the_contract(landing):
    root, summary = landing
    drops = sorted(p.name for p in root.iterdir() if p.is_dir())
    expected = [(START + dt.timedelta(days=i)).isoformat() for i in range((END - START).days + 1)]
    assert drops == expected
    assert (summary["first_drop"], summary["last_drop"], summary["drops"]) == (expected[0], expected[-1],
                                                                                len(expected))
    for path in root.glob("*/*.csv"):
        assert path.stem in KINDS
        raw = path.read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n")
        assert raw.split(b"\n", 1)[0].decode() == ",".join(FILE_SPECS[path.stem].columns)
    first = {p.name for p in (root / expected[0]).iterdir()}
    # nothing happened on D-1; the period's first campaigns are announced
    assert first == {"pos_stores.csv", "crm_customers.csv", "fx_rates.csv", "mkt_campaigns.csv"}
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["parameters"] == {"customers": 1500, "months": MONTHS, "seed": 11,
                                      "end_date": END.isoformat()}
    assert manifest["rows"] == summary["rows"]


def test_well_formed_rows_parse_and_malformed_rows_exist_but_are_few(landing):
    root, summary = landing
    checks = {"oms_orders": (_valid_orders, 5), "oms_order_items": (_valid_items, 5),
              "crm_customers": (_valid_customers, 3)}
    for name, (valid, minimum) in checks.items():
        frame, ragged = _read_kind(root, name)
        bad = int((~valid(frame)).sum()) + len(ragged)
        assert minimum <= bad <= max(10, 0.002 * len(frame)), name
        assert bad == summary["malformed_rows"][name]
        assert len(frame) + len(ragged) == summary["rows"][name]
    orders, ragged = _read_kind(root, "oms_orders")
    bad = orders[~_valid_orders(orders)]
    assert {"yesterday", "USD", "12,5O", ""} <= set(bad["order_ts"]) | set(bad["currency_code"]) | set(
        bad["net_amount"]) | set(bad["order_id"])
    assert bad["order_ts"].str.contains("-13-45T").any() and len(ragged) >= 1
    fx, _ = _read_kind(root, "fx_rates")
    assert fx["rate_to_aed"].str.match(r"^\d+\.\d{8}$").all()
    assert fx["currency_code"].isin(["AED", "SAR"]).all()


def test_malformed_lines_never_belong_to_a_valid_order(landing):
    root, _ = landing
    orders, _ = _read_kind(root, "oms_orders")
    items, ragged = _read_kind(root, "oms_order_items")
    valid_ids = set(orders.loc[_valid_orders(orders), "order_id"])
    assert not valid_ids & set(items.loc[~_valid_items(items), "order_id"])
    assert not valid_ids & {r[0] for r in ragged}


def test_lines_sum_exactly_to_the_order_net_and_arrive_with_the_first_delivery(landing, orders):
    items, _ = _read_kind(landing[0], "oms_order_items")
    items = items[_valid_items(items)].copy()
    qty = items["quantity"].astype(int)
    net, unit, discount = (_cents(items[c]) for c in ("net_amount", "unit_price", "discount_amount"))
    assert (net == qty * unit - discount).all()
    first = orders.sort_values("drop").drop_duplicates("order_id")
    lines = items[items["order_id"].isin(first["order_id"])]
    per_order = lines.groupby("order_id").agg(net=("net_amount", lambda s: _cents(s).sum()),
                                              lines=("line_no", "size"), drops=("drop", "nunique"),
                                              drop=("drop", "first"))
    joined = first.set_index("order_id").join(per_order, how="left", suffixes=("", "_lines"))
    assert joined["net_lines"].notna().all()
    assert (joined["net_lines"] == joined["net"]).all()
    assert joined["lines"].between(1, 4).all() and 1.3 < joined["lines"].mean() < 1.7
    assert (joined["drops"] == 1).all() and (joined["drop_lines"] == joined["drop"]).all()
    returns = joined["order_type"] == "RETURN"
    assert (joined.loc[returns, "net"] < 0).all() and (joined.loc[~returns, "net"] > 0).all()
    assert (qty[items["order_id"].isin(first.loc[first["order_type"] == "RETURN", "order_id"])] < 0).all()


def test_order_amounts_times_and_statuses_follow_the_business_rules(orders):
    first = orders.sort_values("drop").drop_duplicates("order_id")
    vat = _cents(first["vat_amount"])
    rate = np.where(first["currency_code"] == "AED", 5, 15)
    assert (vat == np.sign(first["net"]) * ((first["net"].abs() * rate + 50) // 100)).all()
    assert (first["currency_code"] == np.where(first["store_id"].str.startswith("AE"), "AED", "SAR")).all()
    local_offsets = first.loc[~first["order_ts"].str.endswith("Z"), ["order_ts", "store_id"]]
    expected = np.where(local_offsets["store_id"].str.startswith("AE"), "+04:00", "+03:00")
    assert (local_offsets["order_ts"].str[-6:] == expected).all()
    assert 0.1 < first["order_ts"].str.endswith("Z").mean() < 0.3
    assert (orders["updated"] >= orders["ts"]).all()
    assert (orders["local"].dt.date < orders["drop"]).all()  # delivered after its local day
    assert 150 < first.loc[first["order_type"] == "SALE", "net"].median() / 100 < 300
    shares = first["customer_id_nat"].eq("").mean(), (first["order_type"] == "RETURN").mean()
    assert 0.05 < shares[0] < 0.11 and 0.02 < shares[1] < 0.08
    assert first["order_id"].is_unique and set(first["currency_code"]) == {"AED", "SAR"}
    assert {"TEST", "INTERNAL", "FRAUD"} <= set(first["order_flag"])
    assert set(first["channel"]) == {"POS", "WEB", "MARKETPLACE"}


def test_status_updates_late_arrivals_and_resent_rows_occur(orders):
    by_order = orders.sort_values(["drop", "updated"]).groupby("order_id")
    history = by_order.agg(first=("final_status", "first"), last=("final_status", "last"),
                           drops=("drop", "nunique"), rows=("drop", "size"), updates=("updated", "nunique"),
                           first_drop=("drop", "first"), last_drop=("drop", "last"),
                           local=("local", "first"))
    settled = history[(history["first"] == "PENDING") & (history["last"] == "COMPLETED")]
    assert len(settled) > 0
    assert ((settled["last_drop"] - settled["first_drop"]).map(lambda d: d.days).between(1, 5)).all()
    assert ((history["first"] == "COMPLETED") & (history["last"] == "CANCELLED")).any()
    assert ((history["rows"] > 1) & (history["updates"] == 1)).any()  # identical re-send
    # After the freeze: local date in month M, delivered after the 2nd of month M+1 at 06:00 Riyadh.
    local_month = history["local"].dt.to_period("M")
    freeze = (local_month + 1).dt.start_time + pd.Timedelta(days=1, hours=6)
    late_first = history[pd.to_datetime(history["first_drop"]) > freeze]
    assert set(late_first["local"].dt.to_period("M").astype(str)) >= {"2025-08", "2025-09", "2025-10"}
    late_settle = settled[pd.to_datetime(settled["last_drop"]) > freeze.loc[settled.index]]
    assert len(late_settle) >= 3
    lag = (pd.to_datetime(history["first_drop"]) - history["local"].dt.normalize()).dt.days
    assert ((lag >= 3) & (lag <= 7)).sum() > 0.005 * len(history)


def test_customer_month_scenarios_occur(orders):
    known = orders[orders["customer_id_nat"] != ""].drop_duplicates("order_id")
    per_month = known.groupby(["customer_id_nat", "local_month"])["order_type"].agg(set)
    assert (per_month == {"RETURN"}).sum() >= 2
    qualified = known[(known["order_type"] == "SALE") & known["final_status"].isin(["COMPLETED", "FULFILLED"])
                      & (known["order_flag"] == "")]
    regions = qualified.groupby(["customer_id_nat", "local_month"])["currency_code"].nunique()
    assert (regions == 2).sum() >= MONTHS - 1
    utc_month = orders["ts"].dt.tz_localize(None).dt.to_period("M")
    crossing = orders[utc_month != orders["local_month"]]
    assert set(crossing["store_id"].str[:2]) == {"AE", "SA"}
    assert (crossing["local"].dt.day == 1).all() and (crossing["local"].dt.hour < 4).all()


def test_crm_rows_cover_merges_updates_resends_and_late_rows(landing, crm, orders):
    widths = crm["customer_id_nat"].str.len()
    assert (widths == 6).all()  # C + max(5, digits of 1500)
    first = crm.sort_values("drop").drop_duplicates("customer_id_nat")
    assert first["customer_id_nat"].is_unique and len(first) == 1500
    assert (first["drop"] == START).mean() == pytest.approx(0.30, abs=0.03)
    assert first["country_code"].eq("AE").mean() == pytest.approx(0.60, abs=0.05)
    assert first["phone"].str.match(r"^(\+9715|\+9665)\d{8}$|^$").all()
    merged = crm[crm["merged_into"] != ""]
    assert len(merged) >= 3 and set(merged["merged_into"]) <= set(first["customer_id_nat"])
    assert set(merged["merged_into"]) & set(merged["customer_id_nat"])  # a chain A→B→C
    updates = crm.groupby("customer_id_nat")["updated_at"].nunique()
    assert (updates > 1).sum() > 0.04 * 1500
    resent = crm.groupby(["customer_id_nat", "updated_at"]).size()
    assert (resent > 1).any()
    arrival = first.set_index("customer_id_nat")["drop"]
    known = orders[orders["customer_id_nat"] != ""]
    assert known["customer_id_nat"].isin(arrival.index).all()
    early = known[known["drop"] < known["customer_id_nat"].map(arrival)]
    assert early["customer_id_nat"].nunique() >= 0.01 * 1500
    assert crm["full_name"].str.contains('"').any()  # RFC 4180 quotes survive the round trip


def test_reference_files_redrop_new_store_and_fx_coverage(landing, orders):
    root, _ = landing
    stores = sorted(root.glob("*/pos_stores.csv"))
    assert len(stores) == 3 and stores[0].parent.name == START.isoformat()
    assert stores[0].read_bytes() == stores[1].read_bytes() != stores[2].read_bytes()
    table = pd.read_csv(stores[2], dtype=str, keep_default_na=False)
    assert len(table) == 17 and table["store_id"].is_unique
    assert set(table["channel"]) == {"POS", "WEB", "MARKETPLACE"} and set(table["region"]) == {"UAE", "KSA"}
    new = set(table["store_id"]) - set(pd.read_csv(stores[0], dtype=str)["store_id"])
    assert orders["store_id"].isin(new).any()
    opened = dt.date.fromisoformat(stores[2].parent.name)
    assert (orders.loc[orders["store_id"].isin(new), "drop"] > opened).all()
    fx, _ = _read_kind(root, "fx_rates")
    sar = fx[fx["currency_code"] == "SAR"]
    assert sar["rate_to_aed"].astype(float).between(0.97, 0.99).all()
    twice = sar.groupby("rate_date")["rate_to_aed"].nunique()
    assert (twice == 2).sum() == 1
    delivered = sar.groupby("rate_date")["drop"].min()
    rate_drop = orders["local"].dt.strftime("%Y-%m-%d").map(delivered)
    assert rate_drop.notna().all() and (rate_drop <= orders["drop"]).all()
    assert (fx.loc[fx["currency_code"] == "AED", "rate_to_aed"] == "1.00000000").all()


def test_refuses_a_non_empty_folder_unless_asked_to_overwrite(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate_landing(tmp_path, customers=50, months=1, seed=1)
    summary = generate_landing(tmp_path, customers=50, months=1, seed=1, overwrite=True)
    again = generate_landing(tmp_path, customers=50, months=1, seed=1, overwrite=True)
    assert summary == again and (tmp_path / "notes.txt").exists()
