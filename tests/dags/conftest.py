"""Airflow for DAG tests: a throwaway AIRFLOW_HOME with a migrated SQLite metadata database.

The environment is set when this module is imported, before any test imports Airflow, so the
configuration Airflow reads at import time points at the temporary home and the project's DAGs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
_HOME = Path(tempfile.mkdtemp(prefix="analytics-airflow-test-"))
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
if str(PROJECT / "dags") not in sys.path:
    sys.path.insert(0, str(PROJECT / "dags"))


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the metadata database of the throwaway AIRFLOW_HOME once per session."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return _HOME


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT / "dags"))
