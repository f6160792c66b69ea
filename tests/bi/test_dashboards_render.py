"""Every dashboard of bi/superset/spec.yaml opens in Chromium and each of its charts shows data.

For each dashboard: open it, wait until no chart is loading, fail naming every chart that shows an error,
"No results" or nothing, and save ``docs/screenshots/<dashboard>.png`` (the README shows them).
"""

from __future__ import annotations

import time

import pytest

from analytics.config import PROJECT_ROOT
from analytics.superset_bundle import dashboard_slug, load_spec

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
DASHBOARDS = load_spec()["dashboards"]
WINDOW_WIDTH = 1600
CHART_TIMEOUT = 120
# Tall enough that every chart is in the viewport: Superset renders off-screen charts lazily.
LOAD_HEIGHT = 3200
# Lets ECharts finish its entry animation before the screenshot.
SETTLE_SECONDS = 2

# One entry per chart on the page: its name and state (loading, error, no data, empty, rendered).
CHART_STATES_JS = """
return Array.from(document.querySelectorAll('[data-test-chart-id]')).map((el) => {
  const text = el.innerText || '';
  let state = 'rendered';
  if (el.querySelector('.loading, [data-test="loading-indicator"]')) state = 'loading';
  else if (el.querySelector('[role="alert"], .alert-danger')) state = 'error';
  else if (/No results/i.test(text)) state = 'no data';
  else if (!el.querySelector('canvas, svg, table, .superset-legacy-chart-big-number')) state = 'empty';
  return {name: el.getAttribute('data-test-chart-name'), state: state, text: text.slice(0, 300)};
});
"""
FINAL_STATES = {"rendered", "error", "no data"}
# The bottom of the lowest chart or note, in CSS pixels: the screenshot ends there.
LAYOUT_BOTTOM_JS = """
const cells = document.querySelectorAll('.dashboard-component-chart-holder');
return Math.ceil(Math.max(...Array.from(cells).map((el) => el.getBoundingClientRect().bottom)));
"""


def _chart_count(dashboard: dict) -> int:
    return sum(1 for row in dashboard["rows"] for cell in row if "chart" in cell)


def _wait_for_charts(driver, expected: int) -> list[dict]:
    """Chart states once every expected chart reached a final state, or the last seen at the timeout."""
    deadline = time.monotonic() + CHART_TIMEOUT
    states: list[dict] = []
    while time.monotonic() < deadline:
        states = driver.execute_script(CHART_STATES_JS)
        if len(states) == expected and all(s["state"] in FINAL_STATES for s in states):
            return states
        time.sleep(0.5)
    return states


def _screenshot(driver, name: str) -> None:
    height = driver.execute_script(LAYOUT_BOTTOM_JS)
    driver.set_window_size(WINDOW_WIDTH, height + 40)
    time.sleep(SETTLE_SECONDS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("key", sorted(DASHBOARDS))
def test_dashboard_shows_every_chart_with_data(key: str, browser, superset_url: str) -> None:
    dashboard = DASHBOARDS[key]
    browser.set_window_size(WINDOW_WIDTH, LOAD_HEIGHT)
    browser.get(f"{superset_url}/superset/dashboard/{dashboard_slug(key)}/")
    expected = _chart_count(dashboard)
    states = _wait_for_charts(browser, expected)
    _screenshot(browser, key)
    problems = [f"{s['name']!r}: {s['state']} ({s['text'][:120]!r})" for s in states if s["state"] != "rendered"]
    if len(states) != expected:
        problems.append(f"{len(states)} charts on the page, {expected} in the spec")
    assert not problems, f"dashboard {dashboard['title']!r}:\n  " + "\n  ".join(problems)
