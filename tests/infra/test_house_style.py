"""The code keeps one house style: ``ruff`` over the Python and ``sqlfluff`` (postgres dialect, the
settings in pyproject.toml) over every SQL file, exactly as ``make lint`` runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [
    ["ruff", "check", "analytics", "dags", "tests", "bench", "migrations", "bi"],
    ["sqlfluff", "lint", "sql"],
], ids=["ruff", "sqlfluff"])
def test_the_code_passes_its_linter(command: list[str]) -> None:
    done = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"`{' '.join(command)}` found problems:\n{done.stdout}\n{done.stderr}"
