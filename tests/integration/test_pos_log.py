"""A POS / online-retail log through the whole pipeline: every line accounted for, the adapter's orders
reconcile with the classified lines, a re-delivered invoice replaces its lines, and the facts, scores and
mart views are populated."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from analytics import pipeline
from analytics.generate.pos_log import generate_pos_log
from tests.conftest import query

pytestmark = pytest.mark.db

DAY = date(2025, 11, 30)


@pytest.fixture(scope="module")
def pos_landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pos-landing")
    generate_pos_log(root, customers=1200, months=5, seed=21, end_date=DAY)
    return root


def test_every_line_is_accounted_for_and_orders_reconcile_with_the_classified_lines(engine, pos_landing):
    summary = pipeline.run_daily(engine, pos_landing, DAY, "test")
    assert summary["dq"]["failed"] == 0
    # file accounting: lines read = classified (one category each) + rejected at load
    per_load = query(engine, """
        select fl.load_id, fl.rows_read, fl.rows_rejected, coalesce(sum(s.rows_count), 0)
        from audit.file_load as fl left join audit.cleaning_summary as s on s.load_id = fl.load_id
        where fl.file_kind = 'pos_transactions' group by 1, 2, 3""")
    assert len(per_load) > 100
    assert all(read == rejected + classified for _, read, rejected, classified in per_load)
    assert sum(row[2] for row in per_load) > 0  # the generator's malformed rows were rejected, not lost
    categories = {row[0] for row in query(engine, "select distinct category from stg.pos_transactions")}
    assert {"sale", "return", "discount", "non_product_charge", "missing_customer", "excluded_country"} <= categories

    # one order per invoice with sale or return lines; its amount is the sum of those lines
    (orders, lines_net, invoices), = query(engine, """
        select (select count(*) from core.fact_order where order_id like 'POS-%%'),
               (select sum(line_net) from stg.pos_transactions where category in ('sale', 'return')),
               (select count(distinct invoice_no) from stg.pos_transactions where category in ('sale', 'return'))""")
    assert orders == invoices
    assert query(engine, "select sum(net_amount_native) from core.fact_order where order_id like 'POS-%%'") == [
        (lines_net,)]
    # only sales make customers active; excluded countries and guests never reach customer metrics
    assert query(engine, """
        select count(*) from core.fact_order as f
        where f.is_qualified and f.order_id not in (
            select 'POS-' || invoice_no from stg.pos_transactions where category = 'sale')""") == [(0,)]
    assert query(engine, "select count(*) from core.fact_order where is_qualified and customer_id_nat is null") == [
        (0,)]
    # float ids were normalised: no customer id carries a decimal point
    assert query(engine, "select count(*) from core.dim_customer where customer_id_nat like '%%.%%'") == [(0,)]
    assert query(engine, "select count(*) from core.dim_customer where customer_id_nat ~ '^[0-9]+$'")[0][0] > 500
    # countries were mapped and became pseudo-stores
    assert query(engine, "select count(*) from core.dim_store where store_id = 'POS-IE'") == [(1,)]

    # the facts, scores and views downstream are populated
    for view in ("mart.mart_customer_activity_monthly", "mart.vw_cleaning_summary", "mart.vw_price_consistency",
                 "mart.vw_engagement_daily", "mart.obt_customer_kpis_and_segmentation",
                 "mart.obt_overall_customer_kpis"):
        assert query(engine, f"select count(*) from {view}")[0][0] > 0, view
    flags = {row[0] for row in query(engine, "select price_flag from mart.vw_price_consistency")}
    assert flags == {"normal", "oscillating_or_promotional", "zero_or_manual", "one_off_price_change", "complex"}
    overall = query(engine, "select sum(row_share) from mart.vw_cleaning_summary where scope = 'overall'")
    assert abs(overall[0][0] - Decimal(1)) < Decimal("0.001")


def test_a_redelivered_invoice_replaces_its_lines(engine, pos_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(pos_landing, landing)
    early = date(2025, 10, 15)
    pipeline.run_daily(engine, landing, early, "test")
    (invoice, lines), = query(engine, """
        select invoice_no, count(*) from stg.pos_transactions where category = 'sale'
        group by invoice_no having count(*) > 2 order by invoice_no limit 1""")
    original = next(p for p in sorted(landing.glob("*/pos_transactions.csv"))
                    if f"\n{invoice}," in p.read_text(encoding="utf-8"))
    kept = [line for line in original.read_text(encoding="utf-8").splitlines()
            if line.startswith("InvoiceNo") or line.startswith(f"{invoice},")][:2]  # header + its first line
    redelivery = landing / "2025-10-16"
    redelivery.mkdir(exist_ok=True)
    (redelivery / "pos_transactions.csv.gz").write_bytes(__import__("gzip").compress(
        ("\n".join(kept) + "\n").encode("utf-8")))
    pipeline.run_daily(engine, landing, date(2025, 10, 16), "test")
    assert lines > 1
    assert query(engine, "select count(*) from stg.pos_transactions where invoice_no = %(i)s", {"i": invoice}) == [
        (1,)]
    assert query(engine, "select count(*) from core.fact_order_line where order_id = %(o)s",
                 {"o": f"POS-{invoice}"}) == [(1,)]
