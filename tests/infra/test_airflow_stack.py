"""The local Airflow stack (``make airflow``) backfills three months of the month-close DAG through the
scheduler, the three months end up frozen, and stopping the stack leaves nothing behind.

A throwaway AIRFLOW_HOME, api port and embedded PostgreSQL (warehouse and Airflow metadata) are used,
so a developer's own stack and warehouse are not touched. Takes a few minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from analytics import airflow_stack, detached, embedded, migrate
from analytics.db import engine_for
from analytics.generate import generate_landing
from tests.conftest import query

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.timeout(900)]

DAG_ID = "customer_activity_month_close"
PROJECT = Path(__file__).resolve().parents[2]
# 06:00 Asia/Riyadh (UTC+3) on the 2nd of each month between 2025-08-01 and 2025-10-31.
EXPECTED_LOGICAL_DATES = {
    "2025-08-02T03:00:00+00:00",
    "2025-09-02T03:00:00+00:00",
    "2025-10-02T03:00:00+00:00",
}


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def _free_port_block(size: int) -> int:
    """A port p with p .. p+size-1 all free (the stack uses api port, +1 and +2)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + size <= 65535 and all(_port_free(port + i) for i in range(size)):
            return port
    raise RuntimeError("no free block of ports")


def _parse_json_list(stdout: str) -> list[dict]:
    """The JSON array printed by ``airflow ... -o json`` (log lines may come first)."""
    for line in stdout.splitlines():
        if line.startswith("["):
            return json.loads(line)
    return []


def _backfill_runs() -> dict[str, str]:
    """State of this DAG's runs at the expected logical dates."""
    done = airflow_stack.run_airflow("dags", "list-runs", DAG_ID, "-o", "json")
    return {
        run["logical_date"]: run["state"]
        for run in _parse_json_list(done.stdout)
        if run["logical_date"] in EXPECTED_LOGICAL_DATES
    }


def _wait_for_backfill(timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = _backfill_runs()
        if "failed" in states.values():
            break
        if len(states) == len(EXPECTED_LOGICAL_DATES) and set(states.values()) == {"success"}:
            break
        time.sleep(3)
    return states


def _log_tail(home: Path, lines: int = 60) -> str:
    log = home / airflow_stack.LOG_FILE
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


@pytest.fixture
def isolated_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the stack at throwaway folders and ports; stop everything afterwards, even on failure."""
    home = tmp_path / "airflow-home"
    landing = tmp_path / "landing"
    generate_landing(landing, customers=300, months=5, seed=3, end_date=date(2025, 11, 30))
    # Outside pytest's private (0700) temp root: the embedded server runs as a system user when we are
    # root and must be able to reach its data folder.
    warehouse = Path(tempfile.mkdtemp(prefix="analytics-stack-test-"))

    for name in list(os.environ):
        if name.startswith(("AIRFLOW__DATABASE__", "AIRFLOW__API", "AIRFLOW__LOGGING__")):
            monkeypatch.delenv(name)
    for name in ("AIRFLOW_CONFIG", "AIRFLOW_CONN_WAREHOUSE", "WAREHOUSE_URL",
                 "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT / "dags"))
    monkeypatch.setenv("ANALYTICS_AIRFLOW_PORT", str(_free_port_block(3)))
    monkeypatch.setenv("ANALYTICS_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("ANALYTICS_WAREHOUSE_PORT", str(_free_port_block(1)))
    monkeypatch.setenv("ANALYTICS_LANDING_DIR", str(landing))
    try:
        migrate.upgrade(embedded.start())
        yield home
    finally:
        try:
            airflow_stack.stop()
        finally:
            embedded.stop()
            shutil.rmtree(warehouse, ignore_errors=True)


def test_backfill_of_three_months_freezes_them_and_stop_leaves_no_process(isolated_stack: Path) -> None:
    timings: dict[str, float] = {}
    t0 = time.monotonic()

    info = airflow_stack.start(timeout=300)
    timings["start"] = time.monotonic() - t0
    pid = info["pid"]
    assert airflow_stack.is_running()
    assert info["health"]["scheduler"]["status"] == "healthy"
    assert info["metadata_db"].endswith(f"/{airflow_stack.META_DATABASE}")
    assert Path(info["password_file"]).exists(), "the admin password file is not where start() says"
    cli = subprocess.run([sys.executable, "-m", "analytics.airflow_stack", "status"],
                         capture_output=True, text=True, env=os.environ.copy(), check=False)
    assert cli.returncode == 0 and "running" in cli.stdout, cli.stdout + cli.stderr

    t1 = time.monotonic()
    airflow_stack.run_airflow("dags", "reserialize")
    airflow_stack.run_airflow("dags", "unpause", DAG_ID)
    airflow_stack.run_airflow(
        "backfill", "create", "--dag-id", DAG_ID, "--from-date", "2025-08-01", "--to-date", "2025-10-31",
        "--max-active-runs", "1",
    )
    timings["commands"] = time.monotonic() - t1

    t2 = time.monotonic()
    states = _wait_for_backfill(timeout=600)
    timings["runs"] = time.monotonic() - t2
    expected = dict.fromkeys(EXPECTED_LOGICAL_DATES, "success")
    assert states == expected, f"backfill runs: {states}\n--- standalone.log ---\n{_log_tail(isolated_stack)}"
    engine = engine_for(embedded.url())
    frozen = query(engine, "select month_key, freeze_seq, is_restatement, active_customers > 0 "
                           "from audit.month_freeze where month_key < '2025-10-01' order by month_key")
    assert frozen == [(date(2025, 7, 1), 1, False, True), (date(2025, 8, 1), 1, False, True),
                      (date(2025, 9, 1), 1, False, True)]
    assert query(engine, "select count(*) from audit.dq_result where status = 'FAIL'") == [(0,)]

    t3 = time.monotonic()
    assert airflow_stack.stop() is True
    timings["stop"] = time.monotonic() - t3
    assert not airflow_stack.is_running()
    assert not (isolated_stack / airflow_stack.PID_FILE).exists()
    assert detached.session_pids(pid) == [], "processes of the stack survived stop()"
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    assert not detached.port_in_use(airflow_stack.api_port())
    print("airflow stack timings (s): " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))


def test_stop_when_nothing_runs_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    (tmp_path / airflow_stack.PID_FILE).write_text("999999999\n")  # stale pid file
    assert airflow_stack.is_running() is False
    assert airflow_stack.stop() is False
    assert not (tmp_path / airflow_stack.PID_FILE).exists()
