"""Fixtures of the browser check (``make test-bi``): the demo warehouse, a running Superset, a logged-in
headless Chromium.

Runs only with ``ANALYTICS_BI_CHECK=1`` (set by ``make test-bi``): it needs Debian's chromium and
chromium-driver, Superset's venv (installed by the check itself), a warehouse loaded by ``make demo``
(``WAREHOUSE_URL``, else the embedded server), and a few minutes. Selenium is handed Debian's browser and
driver explicitly and runs offline, so Selenium Manager never downloads anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The POS log sample added when the demo warehouse has none, so the POS charts have data.
POS_SAMPLE = {"customers": 200, "months": 3, "seed": 7}
# Segment migration compares with a snapshot at least this many days older than the newest one.
MIGRATION_DAYS = 30


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("ANALYTICS_BI_CHECK") == "1":
        return
    skip = pytest.mark.skip(reason="browser check of the dashboards: run `make test-bi`")
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(skip)


def _count(engine: sa.Engine, relation: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {relation}")).scalar_one()


def _add_pos_sample(engine: sa.Engine, landing: Path) -> None:
    from analytics import pipeline
    from analytics.demo import SAMPLE
    from analytics.generate.pos_log import generate_pos_log

    generate_pos_log(landing, end_date=SAMPLE["end_date"], **POS_SAMPLE)
    pipeline.run_daily(engine, landing, SAMPLE["end_date"], f"bi_check_pos__{SAMPLE['end_date']}")


def _earlier_month_end(newest: date) -> date:
    """The latest month end at least ``MIGRATION_DAYS`` before ``newest``."""
    month_end = newest.replace(day=1) - timedelta(days=1)
    while (newest - month_end).days < MIGRATION_DAYS:
        month_end = month_end.replace(day=1) - timedelta(days=1)
    return month_end


def _add_earlier_snapshot(engine: sa.Engine) -> None:
    """Score the warehouse as of a month end at least 30 days before its newest snapshot, with the daily run's
    scoring steps (features as of that date, the scorers, publish, marts), so that segment migration and the
    CLV predicted-vs-actual check have an older snapshot to compare with. The newest snapshot stays newest."""
    from analytics import pipeline

    with engine.connect() as conn:
        newest = conn.execute(sa.text("select max(snapshot_date) from core.score_snapshot")).scalar_one()
    day = _earlier_month_end(newest)
    pipeline.build_features(engine, day)
    for scorer in (*pipeline.SCORERS, *pipeline.FOLLOW_UP_SCORERS):
        pipeline.score(engine, scorer, day, f"bi_check_history__{day}")
    pipeline.publish_scores(engine, day)
    pipeline.refresh_marts(engine)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the warehouse loaded by ``make demo``, plus a small POS log sample if it had none and an older
    score snapshot if it had only the newest."""
    from analytics.db import engine_for, warehouse_url

    url = warehouse_url()
    engine = engine_for(url)
    try:
        if _count(engine, "mart.mart_customer_activity_monthly") == 0:
            pytest.fail("the warehouse has no activity: load it with `make demo` first", pytrace=False)
        if _count(engine, "mart.vw_cleaning_summary") == 0:
            _add_pos_sample(engine, tmp_path_factory.mktemp("pos_landing"))
        if _count(engine, "mart.vw_segment_migration") == 0:
            _add_earlier_snapshot(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def superset_url(demo_warehouse: str) -> Iterator[str]:
    """Superset set up with the current bundle and serving; stopped afterwards unless it already ran."""
    from analytics import superset_stack

    was_running = superset_stack.is_running()
    info = superset_stack.start()
    yield info["url"]
    if not was_running:
        superset_stack.stop()


@pytest.fixture(scope="session")
def browser(superset_url: str):
    """Headless Chromium, logged in to Superset as the admin."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    from analytics import superset_stack

    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: run tools/ensure_system_packages.sh", pytrace=False)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never download a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        username, password = superset_stack.admin_login()
        driver.get(f"{superset_url}/login/")
        wait = WebDriverWait(driver, 60)
        wait.until(expected_conditions.presence_of_element_located((By.ID, "username"))).send_keys(username)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, '[data-test="login-button"]').click()
        wait.until(lambda d: "/login" not in d.current_url)
        yield driver
    finally:
        driver.quit()
