"""The online-retail POS log generator: deterministic, in the landing layout, and every cleaning
category, price flag and export quirk present in realistic shares."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pytest

from analytics.cli import build_parser, main
from analytics.generate.pos_log import POS_FILE_NAME, generate_pos_log
from analytics.pos import POS_COLUMNS, clean_pos_log, flag_prices, load_categories, read_pos_csv

END = dt.date(2025, 11, 30)
ARGS = {"customers": 400, "months": 3, "seed": 5, "end_date": END}


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("pos")
    return out, generate_pos_log(out, **ARGS)


@pytest.fixture(scope="module")
def cleaned(log):
    out, _ = log
    files = sorted(out.glob(f"*/{POS_FILE_NAME}.csv"))
    return clean_pos_log(pa.concat_tables([read_pos_csv(path) for path in files]))


def test_same_arguments_give_identical_files_and_another_seed_does_not(log, tmp_path: Path) -> None:
    out, summary = log
    again = generate_pos_log(tmp_path / "again", **ARGS)
    assert again == summary
    assert _digest(tmp_path / "again") == _digest(out)
    other = tmp_path / "other"
    generate_pos_log(other, **{**ARGS, "seed": 6})
    assert _digest(other) != _digest(out)


def test_landing_layout_one_file_per_day_with_the_header_and_a_manifest(log) -> None:
    out, summary = log
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders[0] == "2025-09-02" and folders[-1] == END.isoformat()  # the drop of D carries D-1
    assert all((out / folder / f"{POS_FILE_NAME}.csv").exists() for folder in folders)
    first = (out / folders[0] / f"{POS_FILE_NAME}.csv").read_text(encoding="utf-8").splitlines()
    assert first[0] == ",".join(POS_COLUMNS)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"] == {"customers": 400, "months": 3, "seed": 5, "end_date": "2025-11-30"}
    assert manifest["rows"][POS_FILE_NAME] == summary["rows"][POS_FILE_NAME] > 10_000
    assert summary["drops"] == len(folders)


def test_invoices_of_a_day_are_in_the_next_days_drop(log) -> None:
    out, _ = log
    folder = sorted(p for p in out.iterdir() if p.is_dir())[10]
    rows = clean_pos_log(read_pos_csv(folder / f"{POS_FILE_NAME}.csv")).classified
    days = set(rows["InvoiceDate"].dt.date)
    assert days == {dt.date.fromisoformat(folder.name) - dt.timedelta(days=1)}


def test_every_cleaning_category_appears(cleaned) -> None:
    counts = cleaned.classified["category"].value_counts()
    missing = [c for c in load_categories()["category"] if counts.get(c, 0) == 0]
    assert missing == []


def test_every_price_flag_appears(cleaned) -> None:
    flags = flag_prices(cleaned.classified)["price_flag"].value_counts()
    assert (flags > 0).all(), flags.to_dict()


def test_shares_are_realistic(cleaned) -> None:
    c = cleaned.classified
    credit_lines = (c["invoice_kind"] == "credit_note").mean()
    assert 0.01 < credit_lines < 0.04
    no_customer = c["customer_id_nat"].isna().mean()
    assert 0.19 < no_customer < 0.27
    assert 0.6 < (c["category"] == "sale").mean() < 0.8


def test_export_quirks_are_present(log, cleaned) -> None:
    _, summary = log
    c = cleaned.classified
    assert summary["float_customer_id_files"] > 0 and summary["iso_date_files"] > 0
    assert c["CustomerID"].str.endswith(".0", na=False).any()
    assert not c["customer_id_nat"].str.contains(".", regex=False, na=False).any()
    assert {"EIRE", "RSA", "USA", "Channel Islands", "European Community", "Unspecified"} <= set(c["Country"])
    assert not c["country_unmapped"].any()


def test_malformed_rows_are_rejected_naming_the_field(log, cleaned) -> None:
    _, summary = log
    rejects = cleaned.rejects
    assert rejects["field"].value_counts().to_dict() == summary["malformed_rows"]
    assert set(summary["malformed_rows"]) == {"InvoiceDate", "Quantity", "UnitPrice"}


def test_a_non_empty_folder_needs_overwrite(log, tmp_path: Path) -> None:
    out = tmp_path / "log"
    small = {**ARGS, "customers": 20, "months": 1}
    generate_pos_log(out, **small)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate_pos_log(out, **small)
    generate_pos_log(out, **small, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_cli_format_option(tmp_path: Path, capsys) -> None:
    assert build_parser().parse_args(["generate", "--out", "x", "--customers", "1", "--months", "1",
                                      "--seed", "1"]).format == "oms-crm"
    code = main(["generate", "--format", "pos-log", "--out", str(tmp_path / "cli"), "--customers", "20",
                 "--months", "1", "--seed", "2", "--end-date", "2025-11-30", "--quiet"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["format"] == "pos-log"
    # a day without invoices has no file; 20 customers leave some days empty
    assert 0 < len(list((tmp_path / "cli").glob(f"*/{POS_FILE_NAME}.csv"))) == summary["drops"] <= 29
