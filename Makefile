# Two commands: `make demo` and `make test`. Both (re)build .venv from constraints.txt first.
# Dashboards: `make superset` (Superset in its own venv .superset/venv) and `make test-bi` (browser check).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER ?= $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES ?= False
export ANALYTICS_LANDING_DIR ?= $(CURDIR)/.landing

.PHONY: venv demo test test-fast lint airflow airflow-stop warehouse-stop bench lock clean \
	superset superset-stop superset-bundle superset-lock test-bi

venv: $(STAMP)

$(STAMP): constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m analytics.demo

test: $(STAMP)
	@bash tools/ensure_system_packages.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check analytics dags tests bench migrations bi
	$(BIN)/sqlfluff lint sql

airflow: $(STAMP)
	$(BIN)/python -m analytics.airflow_stack start

airflow-stop: $(STAMP)
	$(BIN)/python -m analytics.airflow_stack stop

# Superset on http://localhost:8088 with the dashboards of bi/superset/ (see README "Dashboards (Superset)").
superset: $(STAMP)
	$(BIN)/python -m analytics.superset_stack start

superset-stop: $(STAMP)
	$(BIN)/python -m analytics.superset_stack stop

# Regenerate bi/superset/bundle/ after editing bi/superset/spec.yaml.
superset-bundle: $(STAMP)
	$(BIN)/python -m analytics.superset_bundle

# Browser check: every dashboard in headless Chromium against the demo warehouse (`make demo` first).
test-bi: $(STAMP)
	@bash tools/ensure_system_packages.sh --browser
	ANALYTICS_BI_CHECK=1 $(BIN)/python -m pytest tests/bi $(PYTEST_ARGS)

warehouse-stop: $(STAMP)
	$(BIN)/analytics warehouse stop

bench: $(STAMP)
	$(BIN)/python bench/bench_build.py $(BENCH_ARGS)

# Re-resolve the lock file from pyproject.toml (maintainers only).
lock:
	rm -rf /tmp/analytics-lock-venv && $(PYTHON) -m venv /tmp/analytics-lock-venv
	/tmp/analytics-lock-venv/bin/pip install --quiet --upgrade "pip>=24"
	/tmp/analytics-lock-venv/bin/pip install --quiet ".[dev]"
	/tmp/analytics-lock-venv/bin/pip freeze --exclude customer-analytics-warehouse > constraints.txt

# Re-resolve Superset's lock file from bi/superset/requirements.txt (maintainers only).
superset-lock:
	rm -rf /tmp/superset-lock-venv && $(PYTHON) -m venv /tmp/superset-lock-venv
	/tmp/superset-lock-venv/bin/pip install --quiet --upgrade "pip>=24"
	/tmp/superset-lock-venv/bin/pip install --quiet -r bi/superset/requirements.txt
	{ echo "# Superset's venv, resolved from requirements.txt (pip freeze of a working install): make superset-lock"; \
	  /tmp/superset-lock-venv/bin/pip freeze; } > bi/superset/constraints.txt

clean:
	rm -rf $(VENV) .airflow .landing .superset
