"""docker-compose.yml is valid, has the services of the design, and holds no credential.

Validation uses ``docker-compose config`` (no Docker engine needed). The binary is a test
prerequisite: ``tools/ensure_system_packages.sh`` (run by ``make test``) installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT / ".env.example"
DOCKERFILE = PROJECT / "Dockerfile"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
DATABASE_SERVICES = {"warehouse", "airflow-db"}
LONG_RUNNING = (AIRFLOW_SERVICES - {"airflow-init"}) | DATABASE_SERVICES
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?")
# user:password@ in a URL where the password is not a ${...} reference.
LITERAL_URL_PASSWORD = re.compile(r"://[^/\s:@]+:(?!\$\{)[^@\s]+@")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$", re.IGNORECASE)


def _compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "the `docker-compose` command is missing; install it with "
            "`sudo apt-get update && sudo apt-get install -y --no-install-recommends docker-compose` "
            "(or run `tools/ensure_system_packages.sh`, which `make test` runs first)",
            pytrace=False,
        )
    return binary


def _compose_text_without_comments() -> str:
    return "\n".join(line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#"))


def _required_variables() -> set[str]:
    """Variables the compose file requires (``${NAME:?message}``)."""
    return set(REQUIRED_VARIABLE.findall(_compose_text_without_comments()))


def _clean_env() -> dict[str, str]:
    """This process's environment without any of the compose file's variables."""
    names = set(re.findall(r"\$\{(\w+)", _compose_text_without_comments()))
    return {k: v for k, v in os.environ.items() if k not in names}


def _compose_config(env: dict[str, str], env_file: Path) -> subprocess.CompletedProcess:
    """``docker-compose config -q`` with only ``env`` and ``env_file`` (never a developer's .env)."""
    return subprocess.run(
        [_compose_binary(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


@pytest.fixture
def empty_env_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.env"
    path.write_text("")
    return path


def test_compose_file_is_valid_with_the_required_variables_set(empty_env_file: Path) -> None:
    required = _required_variables()
    assert required, "no ${VAR:?...} in docker-compose.yml: where do the passwords come from?"
    env = _clean_env() | {name: f"dummy-{name.lower()}" for name in required}
    done = _compose_config(env, empty_env_file)
    assert done.returncode == 0, done.stderr


def test_compose_file_refuses_to_render_without_its_secrets(empty_env_file: Path) -> None:
    done = _compose_config(_clean_env(), empty_env_file)
    assert done.returncode != 0
    assert any(name in done.stderr for name in _required_variables()), done.stderr


def test_env_example_documents_every_required_variable() -> None:
    documented = {
        line.split("=", 1)[0].strip()
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert _required_variables() <= documented
    done = _compose_config(_clean_env(), ENV_EXAMPLE)
    assert done.returncode == 0, done.stderr


def test_services_of_the_design_exist_with_healthchecks_and_ordering() -> None:
    services = _compose()["services"]
    assert AIRFLOW_SERVICES | DATABASE_SERVICES <= set(services)
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["airflow-db"]["condition"] == "service_healthy", name
        assert depends["warehouse"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-apiserver"]["command"] == "api-server"
    init_script = " ".join(services["airflow-init"]["command"])
    assert init_script.index("airflow db migrate") < init_script.index("analytics db upgrade")


def test_databases_are_postgres_16_on_named_volumes() -> None:
    compose = _compose()
    for name in DATABASE_SERVICES:
        service = compose["services"][name]
        assert service["image"] == "postgres:16", name
        volume = service["volumes"][0].split(":")[0]
        assert volume in compose["volumes"], f"{name} does not keep its data on a named volume"


def test_airflow_runs_local_executor_from_the_project_image() -> None:
    services = _compose()["services"]
    for name in AIRFLOW_SERVICES:
        service = services[name]
        env = _environment(service)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW_CONN_WAREHOUSE"].startswith("postgresql://")
        assert env["ANALYTICS_LANDING_DIR"] == "/opt/analytics/landing"
        assert "./landing:/opt/analytics/landing" in service["volumes"], name
        assert service["build"]["dockerfile"] == "Dockerfile", name


def test_image_airflow_version_matches_the_lock_file() -> None:
    base = re.search(r"^FROM\s+apache/airflow:(\S+)-python(\S+)", DOCKERFILE.read_text(), re.MULTILINE)
    assert base, "Dockerfile is not built FROM apache/airflow:<version>-python<version>"
    pinned = re.search(r"^apache-airflow==(\S+)$", (PROJECT / "constraints.txt").read_text(), re.MULTILINE)
    assert pinned and base.group(1) == pinned.group(1)
    assert "-c constraints.txt" in DOCKERFILE.read_text()


def test_compose_file_contains_no_literal_password() -> None:
    text = COMPOSE_FILE.read_text()
    assert not LITERAL_URL_PASSWORD.search(text), "a URL in docker-compose.yml carries a literal password"
    for name, service in _compose()["services"].items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                assert value.startswith("${"), f"{name}: {key} is a literal, not ${{...}} from the environment"
    assert ".env" in (PROJECT / ".gitignore").read_text().split()


def test_superset_imports_the_mounted_bundle_with_the_bi_login() -> None:
    services = _compose()["services"]
    superset = services["superset"]
    pinned = re.search(
        r"^apache[-_]superset==(\S+)$", (PROJECT / "bi/superset/constraints.txt").read_text(), re.MULTILINE
    )
    dockerfile = (PROJECT / superset["build"]["context"] / superset["build"]["dockerfile"]).read_text()
    assert pinned and re.search(rf"^FROM apache/superset:{re.escape(pinned.group(1))}$", dockerfile, re.MULTILINE)
    assert "./bi/superset:/app/bi:ro" in superset["volumes"]
    script = " ".join(superset["command"])
    steps = ["superset db upgrade", "superset init", "import_bundle.py /app/bi/bundle", "run-server.sh"]
    assert [script.index(step) for step in steps] == sorted(script.index(step) for step in steps)
    assert "healthcheck" in superset
    assert superset["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert _environment(superset)["SUPERSET_WAREHOUSE_URI"].startswith("postgresql+psycopg2://superset_bi:${")
    init_script = " ".join(services["airflow-init"]["command"])
    assert init_script.index("analytics db upgrade") < init_script.index("analytics.superset_stack bi-login")
