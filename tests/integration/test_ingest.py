"""Ingestion into raw: bulk COPY, once per content, every row accounted for, bad files refused whole."""

import gzip
from datetime import date
from pathlib import Path

import pytest

from analytics import ingest
from tests.conftest import query

pytestmark = pytest.mark.db

ORDERS_HEADER = ("order_id,customer_id_nat,store_id,channel,order_type,order_ts,final_status,order_flag,"
                 "currency_code,net_amount,vat_amount,updated_at")
GOOD = "O1,C1,AE-DXB-01,POS,SALE,2025-10-01T10:00:00+04:00,COMPLETED,,AED,100.00,5.00,2025-10-01T10:00:00+04:00"


def _write(root: Path, day: str, name: str, text: str) -> Path:
    path = root / day / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _orders_file(root: Path, day: str, *rows: str) -> Path:
    return _write(root, day, "oms_orders.csv", "\n".join([ORDERS_HEADER, *rows]) + "\n")


def test_rows_read_equal_accepted_plus_rejected_and_rejects_keep_line_field_and_text(engine, tmp_path):
    _orders_file(tmp_path, "2025-10-02", GOOD,
                 "O2,C1,AE-DXB-01,POS,SALE,yesterday,COMPLETED,,AED,1.00,0.05,2025-10-01T10:00:00Z",
                 "O3,C1,AE-DXB-01",
                 "O4,C1,AE-DXB-01,POS,SALE,2025-10-01T10:00:00Z,COMPLETED,,USD,1.00,0.05,2025-10-01T10:00:00Z",
                 GOOD.replace("O1", "O5"))
    summary = ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    assert (summary.rows_accepted, summary.rows_rejected) == (2, 3)
    assert query(engine, "select rows_read, rows_accepted, rows_rejected, status from audit.file_load") == [
        (5, 2, 3, "LOADED")]
    rejects = query(engine, "select line_no, field_name, reason, raw_text from audit.rejected_row order by line_no")
    assert [(r[0], r[1]) for r in rejects] == [(3, "order_ts"), (4, None), (5, "currency_code")]
    assert "order_ts" in rejects[0][2] and "yesterday" in rejects[0][3]
    assert "wrong number of fields" in rejects[1][2] and rejects[1][3] == "O3,C1,AE-DXB-01"
    assert query(engine, "select order_id, source_line from raw.oms_orders order by 1") == [("O1", 2), ("O5", 6)]


def test_same_content_is_loaded_once_whatever_the_folder_and_rerun_is_a_noop(engine, tmp_path):
    _orders_file(tmp_path, "2025-10-02", GOOD)
    _orders_file(tmp_path, "2025-10-03", GOOD)
    ingest.ingest(engine, tmp_path, date(2025, 10, 3), "t")
    again = ingest.ingest(engine, tmp_path, date(2025, 10, 3), "t")
    assert again.files_loaded == 0 and again.files_skipped == 2
    assert query(engine, "select file_name, status from audit.file_load order by load_id") == [
        ("2025-10-02/oms_orders.csv", "LOADED"), ("2025-10-03/oms_orders.csv", "DUPLICATE")]
    assert query(engine, "select count(*) from raw.oms_orders") == [(1,)]


def test_corrected_file_with_the_same_name_is_a_new_version(engine, tmp_path):
    path = _orders_file(tmp_path, "2025-10-02", GOOD)
    ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    path.write_text(ORDERS_HEADER + "\n" + GOOD.replace("100.00", "101.00") + "\n", encoding="utf-8")
    ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    assert query(engine, "select count(*), count(distinct content_sha256) from audit.file_load") == [(2, 2)]
    assert query(engine, "select net_amount::text from raw.oms_orders order by load_id") == [("100.00",), ("101.00",)]


def test_missing_required_column_refuses_the_file_keeps_its_rows_and_loads_the_rest(engine, tmp_path):
    _write(tmp_path, "2025-10-02", "oms_orders.csv", "order_id,customer_id_nat\nO9,C9\nO10,C10\n")
    _write(tmp_path, "2025-10-02", "fx_rates.csv", "rate_date,currency_code,rate_to_aed\n2025-10-01,SAR,0.98\n")
    with pytest.raises(ingest.RefusedFilesError, match="missing required column"):
        ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    loads = query(engine, "select file_name, status, rows_read, rows_rejected, message from audit.file_load "
                          "order by load_id")
    assert loads[0][:2] == ("2025-10-02/fx_rates.csv", "LOADED")
    assert loads[1][:4] == ("2025-10-02/oms_orders.csv", "REFUSED", 2, 2)
    assert "store_id" in loads[1][4]
    assert query(engine, "select raw_text from audit.rejected_row order by line_no") == [("O9,C9",), ("O10,C10",)]
    # The refusal is recorded once; the next run does not fail again on the same file.
    assert ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t").files_skipped == 2


def test_gzip_files_extra_columns_and_quoted_values(engine, tmp_path):
    text = (ORDERS_HEADER + ",note\n" + GOOD.replace("C1", '"C1"') + ',"hello, world"\n').encode()
    (tmp_path / "2025-10-02").mkdir()
    (tmp_path / "2025-10-02" / "oms_orders.csv.gz").write_bytes(gzip.compress(text))
    ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    assert query(engine, "select status, rows_accepted, message from audit.file_load") == [
        ("LOADED", 1, "extra column(s) ignored: note")]


def test_drops_after_the_run_date_and_unknown_files_wait_or_are_ignored(engine, tmp_path):
    _orders_file(tmp_path, "2025-10-05", GOOD)
    _write(tmp_path, "2025-10-02", "readme.txt", "hello")
    summary = ingest.ingest(engine, tmp_path, date(2025, 10, 2), "t")
    assert summary.files_ignored == 1 and summary.files_loaded == 0
    assert query(engine, "select status from audit.file_load") == [("IGNORED",)]
