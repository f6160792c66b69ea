"""``make superset`` settings: generated secrets and the port (no Superset needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import superset_stack


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANALYTICS_SUPERSET_DIR", str(tmp_path))
    monkeypatch.delenv("SUPERSET_ADMIN_PASSWORD", raising=False)
    return tmp_path


def test_secrets_are_generated_once_private_and_kept(state: Path) -> None:
    user, password = superset_stack.admin_login()
    secrets_file = state / "secrets.json"
    assert user == "admin" and len(password) >= 32
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    assert superset_stack.admin_login() == (user, password)
    assert set(json.loads(secrets_file.read_text())) == {"secret_key", "admin_password", "bi_password"}


def test_environment_overrides_the_generated_admin_password(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERSET_ADMIN_PASSWORD", "from-env")
    assert superset_stack.admin_login() == ("admin", "from-env")


@pytest.mark.parametrize("value", ["80", "http", "70000"])
def test_port_must_be_a_usable_port_number(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ANALYTICS_SUPERSET_PORT", value)
    with pytest.raises(ValueError, match="ANALYTICS_SUPERSET_PORT"):
        superset_stack.port()
