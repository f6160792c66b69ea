"""The `analytics` command end to end: generate, run a day, close a month, report; bad input is one line."""

import json

import pytest

from analytics.cli import main

pytestmark = pytest.mark.db


def test_generate_run_close_and_report(monkeypatch, fresh_warehouse, tmp_path, capsys):
    monkeypatch.setenv("WAREHOUSE_URL", fresh_warehouse)
    landing = tmp_path / "landing"
    assert main(["generate", "--out", str(landing), "--customers", "200", "--months", "3", "--seed", "1",
                 "--end-date", "2025-11-30", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["customers"] == 200
    assert main(["close-month", "--date", "2025-10-02", "--landing", str(landing)]) == 0
    closed = json.loads(capsys.readouterr().out)
    assert (closed["month"], closed["status"]) == ("2025-09-01", "frozen")
    assert main(["run-daily", "--date", "2025-11-30", "--landing", str(landing)]) == 0
    assert json.loads(capsys.readouterr().out)["dq"]["failed"] == 0
    assert main(["close-month", "--date", "2025-10-02", "--landing", str(landing), "--restate"]) == 1
    assert "needs a reason" in capsys.readouterr().err
    assert main(["report", "--months", "3"]) == 0
    table = capsys.readouterr().out
    assert "2025-11  ALL" in table and "2025-09  ALL" in table


def test_bad_arguments_are_refused_with_a_clear_message(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--out", "x", "--customers", "-5", "--months", "3", "--seed", "1"])
    assert "must be > 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run-daily", "--date", "2025-13-01"])
    assert "not a date" in capsys.readouterr().err
