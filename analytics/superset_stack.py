"""A local Superset serving the dashboards of ``bi/superset/``: ``make superset`` / ``make superset-stop``.

``python -m analytics.superset_stack start|stop|status|bi-login``. ``start`` does, idempotently:

1. installs Superset into its own venv ``.superset/venv`` from ``bi/superset/requirements.txt`` pinned by
   ``bi/superset/constraints.txt`` (Superset and Airflow need different SQLAlchemy versions, so they never
   share a venv; nothing here imports Superset);
2. generates, on first use, the Superset SECRET_KEY, the admin password and the password of the warehouse
   login into ``.superset/secrets.json`` (git-ignored, mode 600); ``SUPERSET_SECRET_KEY`` and
   ``SUPERSET_ADMIN_PASSWORD`` override them;
3. resolves the warehouse URI: ``SUPERSET_WAREHOUSE_URI`` as given, else the project's warehouse
   (``WAREHOUSE_URL`` or the embedded server) reached as the login ``superset_bi``, which it creates or
   updates there as a member of the read-only role ``bi_reader`` (see ``ensure_bi_login``);
4. ``superset db upgrade`` (SQLite metadata in ``.superset/home``), the admin user, ``superset init``, and the
   import of ``bi/superset/bundle`` with that URI;
5. serves Superset with gunicorn on 127.0.0.1:``$ANALYTICS_SUPERSET_PORT`` (default 8088) in its own
   session and process group (pid in ``.superset/superset.pid``, log ``.superset/superset.log``).

``stop`` sends SIGTERM to that process group, then SIGKILL after a timeout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from analytics import detached
from analytics.config import PROJECT_ROOT
from analytics.db import warehouse_url

__all__ = [
    "BI_LOGIN",
    "BI_ROLE",
    "MissingRoleError",
    "admin_login",
    "ensure_bi_login",
    "is_running",
    "main",
    "port",
    "start",
    "state_dir",
    "status",
    "stop",
    "superset_env",
    "warehouse_uri",
]

BI_ROLE = "bi_reader"
BI_LOGIN = "superset_bi"
ADMIN_USERNAME = "admin"
DEFAULT_PORT = 8088
BI_DIR = PROJECT_ROOT / "bi" / "superset"
REQUIREMENTS = BI_DIR / "requirements.txt"
CONSTRAINTS = BI_DIR / "constraints.txt"
CONFIG_FILE = BI_DIR / "superset_config.py"
IMPORTER = BI_DIR / "import_bundle.py"
# gunicorn: 2 cores, so 2 workers with a few threads each (charts of a dashboard load in parallel).
GUNICORN_ARGS = ("--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "120")


class MissingRoleError(RuntimeError):
    """The warehouse has no ``bi_reader`` role to grant."""


# --- where things are --------------------------------------------------------------------------------


def state_dir() -> Path:
    """``ANALYTICS_SUPERSET_DIR`` or ``<project>/.superset``: venv, metadata, secrets, pid and log."""
    return Path(os.environ.get("ANALYTICS_SUPERSET_DIR") or PROJECT_ROOT / ".superset").resolve()


def port() -> int:
    """Superset's port on 127.0.0.1: ``ANALYTICS_SUPERSET_PORT``, default 8088."""
    raw = os.environ.get("ANALYTICS_SUPERSET_PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise ValueError(f"ANALYTICS_SUPERSET_PORT must be a port number between 1024 and 65535, got {raw!r}")
    return int(raw)


def _venv_bin() -> Path:
    return state_dir() / "venv" / "bin"


def _pid_file() -> Path:
    return state_dir() / "superset.pid"


def _log_file() -> Path:
    return state_dir() / "superset.log"


# --- the venv ------------------------------------------------------------------------------------------


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()


def ensure_venv() -> Path:
    """Create or refresh Superset's venv when the pinned requirements changed; returns its bin folder."""
    venv = state_dir() / "venv"
    stamp = venv / ".installed"
    digest = _requirements_digest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return _venv_bin()
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip>=24"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS), "-c", str(CONSTRAINTS)], check=True)
    stamp.write_text(digest + "\n")
    return _venv_bin()


# --- secrets -------------------------------------------------------------------------------------------


def _secrets() -> dict[str, str]:
    """The generated secrets, created on first use; environment variables override them."""
    path = state_dir() / "secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    wanted = ("secret_key", "admin_password", "bi_password")
    if not all(stored.get(name) for name in wanted):
        stored = {name: stored.get(name) or secrets.token_urlsafe(32) for name in wanted}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored, indent=2) + "\n")
    return {
        "secret_key": os.environ.get("SUPERSET_SECRET_KEY") or stored["secret_key"],
        "admin_password": os.environ.get("SUPERSET_ADMIN_PASSWORD") or stored["admin_password"],
        "bi_password": stored["bi_password"],
    }


def admin_login() -> tuple[str, str]:
    """Superset's admin user name and password (generated on first use, or ``SUPERSET_ADMIN_PASSWORD``)."""
    return ADMIN_USERNAME, _secrets()["admin_password"]


# --- the warehouse login -----------------------------------------------------------------------------


def ensure_bi_login(owner_url: str, password: str, login: str = BI_LOGIN) -> None:
    """Create or update ``login`` (LOGIN, ``password``, read-only sessions) as a member of ``bi_reader``.

    ``owner_url`` must be allowed to create roles. Raises ``MissingRoleError`` when the warehouse has no
    ``bi_reader`` role (it comes with the warehouse migrations: run ``analytics db upgrade``).
    """
    engine = sa.create_engine(sa.make_url(owner_url).set(drivername="postgresql+psycopg2"))
    try:
        with engine.begin() as conn:
            if conn.execute(sa.text("select 1 from pg_roles where rolname = :r"), {"r": BI_ROLE}).first() is None:
                raise MissingRoleError(
                    f"the warehouse has no role {BI_ROLE!r} (SELECT on schema mart only); it comes with the "
                    "warehouse migrations: run `analytics db upgrade` on it first"
                )
            exists = conn.execute(sa.text("select 1 from pg_roles where rolname = :r"), {"r": login}).first()
            verb = "alter" if exists else "create"
            # Role names cannot be bound parameters; the password literal is quoted by the driver.
            conn.exec_driver_sql(f'{verb} role "{login}" with login password %(pw)s', {"pw": password})
            conn.exec_driver_sql(f'grant "{BI_ROLE}" to "{login}"')
            conn.exec_driver_sql(f'alter role "{login}" set default_transaction_read_only = on')
    finally:
        engine.dispose()


def warehouse_uri(bi_password: str) -> str:
    """``SUPERSET_WAREHOUSE_URI`` when set; else the project's warehouse as ``superset_bi`` (set up here)."""
    given = os.environ.get("SUPERSET_WAREHOUSE_URI", "").strip()
    if given:
        return given
    owner = warehouse_url()
    ensure_bi_login(owner, bi_password)
    url = sa.make_url(owner).set(drivername="postgresql+psycopg2", username=BI_LOGIN, password=bi_password)
    return url.render_as_string(hide_password=False)


# --- Superset commands ---------------------------------------------------------------------------------


def superset_env(secret_key: str) -> dict[str, str]:
    """The environment of every ``superset`` command and of the server."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(_venv_bin()), env.get("PATH", "")])
    env["SUPERSET_HOME"] = str(state_dir() / "home")
    env["SUPERSET_CONFIG_PATH"] = str(CONFIG_FILE)
    env["SUPERSET_SECRET_KEY"] = secret_key
    env["FLASK_APP"] = "superset"
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    with open(_log_file(), "a", encoding="utf-8") as log:
        log.write(f"\n=== {what} ===\n{done.stdout}{done.stderr}")
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{tail}")


def _set_up(env: dict[str, str], admin_password: str, uri: str) -> None:
    """Metadata schema, admin user (password kept in step with the secrets), roles, then the bundle."""
    superset = str(_venv_bin() / "superset")
    Path(env["SUPERSET_HOME"]).mkdir(parents=True, exist_ok=True)
    _run([superset, "db", "upgrade"], env, "superset db upgrade")
    _run([superset, "fab", "create-admin", "--username", ADMIN_USERNAME, "--firstname", "Superset",
          "--lastname", "Admin", "--email", "admin@example.invalid", "--password", admin_password],
         env, "superset fab create-admin")
    _run([superset, "fab", "reset-password", "--username", ADMIN_USERNAME, "--password", admin_password],
         env, "superset fab reset-password")
    _run([superset, "init"], env, "superset init")
    _run([str(_venv_bin() / "python"), str(IMPORTER), "--username", ADMIN_USERNAME],
         env | {"SUPERSET_WAREHOUSE_URI": uri}, "import of bi/superset/bundle")


# --- the server process ------------------------------------------------------------------------------


def _is_ours(pid: int) -> bool:
    """``pid`` is alive and is our gunicorn (guards against a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"gunicorn" in cmdline and str(_venv_bin()).encode() in cmdline


def is_running() -> bool:
    pid = detached.read_pid(_pid_file())
    return pid is not None and _is_ours(pid)


def _healthy(timeout: float = 5) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port()}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _spawn(env: dict[str, str]) -> subprocess.Popen:
    argv = [str(_venv_bin() / "gunicorn"), *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port()}", "superset.app:create_app()"]
    return detached.spawn(argv, env, state_dir(), _log_file(), _pid_file())


def _wait_healthy(proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Superset exited with {proc.returncode} while starting; end of {_log_file()}:\n"
                               f"{detached.log_tail(_log_file(), 30)}")
        if _healthy():
            return
        time.sleep(1)
    raise TimeoutError(f"Superset not healthy after {timeout:.0f}s; end of {_log_file()}:\n"
                       f"{detached.log_tail(_log_file(), 30)}")


def _mask(uri: str) -> str:
    return sa.make_url(uri).render_as_string(hide_password=True)


def _describe(uri: str | None = None) -> dict:
    return {
        "running": is_running(),
        "pid": detached.read_pid(_pid_file()) if is_running() else None,
        "url": f"http://localhost:{port()}",
        "admin_username": ADMIN_USERNAME,
        "secrets_file": str(state_dir() / "secrets.json"),
        "log": str(_log_file()),
        "warehouse": _mask(uri) if uri else None,
    }


def start(timeout: float = 180) -> dict:
    """Install, set up, import the bundle and serve (the set-up and import also run when already serving)."""
    state_dir().mkdir(parents=True, exist_ok=True)
    ensure_venv()
    found = _secrets()
    env = superset_env(found["secret_key"])
    uri = warehouse_uri(found["bi_password"])
    _set_up(env, found["admin_password"], uri)
    if is_running():
        return _describe(uri)
    stop()  # a server that died half-way: clear its leftovers and its stale pid file
    if detached.port_in_use(port()):
        raise RuntimeError(f"port {port()} is already in use; set ANALYTICS_SUPERSET_PORT to a free port")
    proc = _spawn(env)
    try:
        _wait_healthy(proc, timeout)
    except BaseException:
        stop()
        raise
    return _describe(uri)


def stop(timeout: float = 30) -> bool:
    """SIGTERM to the server's process group, SIGKILL after ``timeout``; False when it was not running."""
    return detached.stop(_pid_file(), _is_ours, timeout)


def status() -> dict:
    return _describe()


# --- command line ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``start`` | ``stop`` | ``status`` | ``bi-login``; exit 0, 1 on failure, 3 from ``status`` when stopped."""
    parser = argparse.ArgumentParser(prog="python -m analytics.superset_stack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "bi-login"])
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for the server (start)")
    args = parser.parse_args(argv)
    try:
        return _run_command(args.command, args.timeout)
    except (RuntimeError, TimeoutError, OSError, ValueError, sa.exc.SQLAlchemyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run_command(command: str, timeout: float) -> int:
    if command == "start":
        started = time.perf_counter()
        info = start(timeout=timeout)
        took = time.perf_counter() - started
        print(f"Superset is running (pid {info['pid']}): {info['url']}   (set up and ready in {took:.0f}s)")
        print(f"  log in as {info['admin_username']}; the generated password is in {info['secrets_file']}")
        print(f"  warehouse  {info['warehouse']}")
        print(f"  log        {info['log']}")
        print("  stop with `make superset-stop`")
        return 0
    if command == "stop":
        print("Superset stopped." if stop() else "Superset was not running.")
        return 0
    if command == "bi-login":
        # For deployments (docker-compose's init job): the password comes from SUPERSET_BI_PASSWORD.
        password = os.environ.get("SUPERSET_BI_PASSWORD", "").strip()
        if not password:
            raise ValueError("set SUPERSET_BI_PASSWORD to the password of the warehouse login superset_bi")
        ensure_bi_login(warehouse_url(), password)
        print(f"login {BI_LOGIN} is a member of {BI_ROLE}")
        return 0
    info = status()
    print(f"Superset is running (pid {info['pid']}): {info['url']}" if info["running"] else "Superset is not running.")
    return 0 if info["running"] else 3


if __name__ == "__main__":
    sys.exit(main())
