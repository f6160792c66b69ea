"""A local Airflow for development and tests: ``airflow standalone`` run in the background.

``python -m analytics.airflow_stack start|stop|status`` (``make airflow`` / ``make airflow-stop``).

What ``start`` sets up, all through environment variables so that every ``airflow`` command sees the
same stack (``airflow_env()`` returns that environment; ``run_airflow()`` runs a command with it):

- ``AIRFLOW_HOME``: ``$AIRFLOW_HOME`` or ``<project>/.airflow``; holds airflow.cfg (with the generated
  fernet key and JWT secret), task logs, ``standalone.pid``, ``standalone.log`` and the generated admin
  password file.
- DAGs from ``<project>/dags`` (unless ``AIRFLOW__CORE__DAGS_FOLDER`` is set), no example DAGs.
- Metadata database: the database ``airflow_meta`` on the embedded PostgreSQL server, created if missing
  (unless ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` is set). SQLite is not used: with Airflow 3's
  LocalExecutor the scheduler, dag-processor, triggerer, api-server and every task's supervisor write to
  the metadata database concurrently, and SQLite answers "database is locked" (seen on ``backfill
  create`` and on task state updates).
- The ``warehouse`` connection (``AIRFLOW_CONN_WAREHOUSE``): ``WAREHOUSE_URL`` when set, else the
  embedded server, which ``start`` starts. ``ANALYTICS_LANDING_DIR`` is passed through.
- The api-server on 127.0.0.1:``$ANALYTICS_AIRFLOW_PORT`` (default 8080) and, to match, the base URL and
  the execution API URL that task supervisors call (``http://localhost:<port>/execution/``).

The standalone process runs in its own session and process group; its pid is in ``standalone.pid``.
``stop`` sends SIGTERM to the group (and to any process left in the session, such as task runners,
which Airflow puts in process groups of their own), then SIGKILL after a timeout. ``stop`` leaves the
embedded warehouse running (``analytics warehouse stop`` stops it).

Nothing here imports Airflow: this module runs in the developer's shell and in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from analytics import detached
from analytics.config import PROJECT_ROOT, configured_warehouse_url, landing_dir

__all__ = [
    "META_DATABASE",
    "AirflowCommandError",
    "airflow_env",
    "airflow_home",
    "api_port",
    "is_running",
    "main",
    "run_airflow",
    "start",
    "status",
    "stop",
]

META_DATABASE = "airflow_meta"
DEFAULT_PORT = 8080
HEALTH_PATH = "/api/v2/monitor/health"
# Components that must report "healthy" before a backfill or a triggered run can make progress.
READY_COMPONENTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")
PID_FILE = "standalone.pid"
LOG_FILE = "standalone.log"
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"


class AirflowCommandError(subprocess.CalledProcessError):
    """An ``airflow`` command failed; the message carries the end of its output."""

    def __str__(self) -> str:
        tail = "\n".join(((self.stderr or "") + (self.output or "")).strip().splitlines()[-30:])
        return f"{' '.join(map(str, self.cmd))} exited with {self.returncode}:\n{tail}"


# --- configuration -------------------------------------------------------------------------------


def airflow_home() -> Path:
    """``AIRFLOW_HOME`` when set, else ``<project>/.airflow``."""
    return Path(os.environ.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow").resolve()


def api_port() -> int:
    """The api-server port: ``ANALYTICS_AIRFLOW_PORT``, default 8080 (log servers use the next two)."""
    raw = os.environ.get("ANALYTICS_AIRFLOW_PORT", str(DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError as exc:
        raise ValueError(f"ANALYTICS_AIRFLOW_PORT must be a port number, got {raw!r}") from exc
    if not 1024 <= port <= 65533:  # port + 1 and port + 2 serve logs
        raise ValueError(f"ANALYTICS_AIRFLOW_PORT must be between 1024 and 65533, got {port}")
    return port


def ui_url() -> str:
    """The URL of the Airflow UI (and of the REST API under ``/api/v2``)."""
    return f"http://localhost:{api_port()}"


def _airflow_bin() -> str:
    """The ``airflow`` executable of this interpreter's environment (the project venv)."""
    candidate = Path(sys.executable).parent / "airflow"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("airflow")
    if not found:
        raise FileNotFoundError("no `airflow` executable next to this Python or on PATH; run `make venv`")
    return found


def _embedded_meta_url() -> str:
    """SQLAlchemy URL of the metadata database on the embedded server (no password: trust auth)."""
    from analytics import embedded

    return embedded.url(META_DATABASE).replace("postgresql://", "postgresql+psycopg2://", 1)


def _embedded_warehouse_url() -> str:
    from analytics import embedded

    return embedded.url()


def _uses_embedded_metadata() -> bool:
    """True unless the operator brought a metadata database (``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN``)."""
    return "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in os.environ


def airflow_env() -> dict[str, str]:
    """The environment to run any ``airflow`` command against this stack.

    Values already in the environment win (so a test can point ``AIRFLOW__CORE__DAGS_FOLDER`` at its
    own folder, or an operator can bring a metadata database), except ``LOAD_EXAMPLES``, always off.
    """
    env = dict(os.environ)
    port = api_port()
    venv_bin = str(Path(sys.executable).parent)
    # `airflow standalone` launches its components as plain `airflow ...`: the venv must come first.
    env["PATH"] = os.pathsep.join([venv_bin, env.get("PATH", "")])
    env["AIRFLOW_HOME"] = str(airflow_home())
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", _embedded_meta_url())
    env.setdefault("AIRFLOW__API__HOST", "127.0.0.1")
    env["AIRFLOW__API__PORT"] = str(port)
    env.setdefault("AIRFLOW__API__BASE_URL", f"http://localhost:{port}")
    # Task supervisors report to the api-server's execution API; it must match the port above.
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", f"http://localhost:{port}/execution/")
    # The scheduler and the triggerer each serve task logs on a port of their own (Airflow: 8793 and
    # 8794 on every interface); tie them to the api port so two stacks on one machine do not clash.
    env.setdefault("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", str(port + 1))
    env.setdefault("AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT", str(port + 2))
    # LocalExecutor forks `parallelism` worker processes up front (Airflow's default: 32); a 2-core
    # development box needs far fewer. The DAGs' widest fan-out is the three scorers.
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "8")
    env.setdefault("AIRFLOW_CONN_WAREHOUSE", configured_warehouse_url() or _embedded_warehouse_url())
    env.setdefault("ANALYTICS_LANDING_DIR", str(landing_dir()))
    return env


def run_airflow(*args: str, check: bool = True, timeout: float | None = 600) -> subprocess.CompletedProcess:
    """Run ``airflow <args>`` against this stack; output is captured as text.

    Raises ``AirflowCommandError`` (with the output's tail in its message) when ``check`` and the
    command fails.
    """
    cmd = [_airflow_bin(), *args]
    done = subprocess.run(
        cmd, env=airflow_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AirflowCommandError(done.returncode, cmd, output=done.stdout, stderr=done.stderr)
    return done


# --- the metadata database -------------------------------------------------------------------------


def _ensure_metadata_database() -> None:
    """Start the embedded server and create the ``airflow_meta`` database if it is missing."""
    from analytics import embedded

    embedded.start()
    embedded.ensure_database(META_DATABASE)


def prepare_backends() -> None:
    """Make sure the databases the stack needs exist and run (embedded ones only)."""
    from analytics import embedded

    if _uses_embedded_metadata():
        _ensure_metadata_database()
    if "AIRFLOW_CONN_WAREHOUSE" not in os.environ and configured_warehouse_url() is None:
        embedded.start()


# --- the process ------------------------------------------------------------------------------------


def _pid_file() -> Path:
    return airflow_home() / PID_FILE


def _log_file() -> Path:
    return airflow_home() / LOG_FILE


def _password_file(env: Mapping[str, str]) -> Path:
    """Where SimpleAuthManager writes the generated admin password."""
    configured = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    return Path(configured) if configured else Path(env["AIRFLOW_HOME"]) / PASSWORD_FILE


def _is_standalone(pid: int) -> bool:
    """True when ``pid`` is alive and is an ``airflow standalone`` (guards against pid reuse)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # not Linux: trust the pid
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"standalone" in args


def is_running() -> bool:
    """True when the pid file names a live ``airflow standalone``."""
    pid = detached.read_pid(_pid_file())
    return pid is not None and _is_standalone(pid)


def _health(port: int) -> dict | None:
    """The api-server's health document, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=5) as resp:
            return json.loads(resp.read().decode())
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None


def _is_ready(health: Mapping | None) -> bool:
    """All components the api-server reports on among ``READY_COMPONENTS`` are healthy."""
    if not health:
        return False
    reported = [name for name in READY_COMPONENTS if name in health]
    return bool(reported) and all(health[name].get("status") == "healthy" for name in reported)


def _spawn(env: Mapping[str, str]) -> subprocess.Popen:
    """Launch ``airflow standalone`` detached in its own session; record its pid."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    return detached.spawn([_airflow_bin(), "standalone"], env, home, _log_file(), _pid_file())


def _wait_ready(proc: subprocess.Popen, port: int, timeout: float) -> dict:
    """Poll the health endpoint until the stack is ready; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    health = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"airflow standalone exited with {proc.returncode} while starting; "
                f"end of {_log_file()}:\n{detached.log_tail(_log_file())}"
            )
        health = _health(port)
        if _is_ready(health):
            return health
        time.sleep(1)
    raise TimeoutError(
        f"Airflow not ready after {timeout:.0f}s (last health: {health}); "
        f"end of {_log_file()}:\n{detached.log_tail(_log_file())}"
    )


def _mask(url: str) -> str:
    """A URL with any password replaced by ***, safe to print."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _describe(env: Mapping[str, str], pid: int | None, health: Mapping | None = None) -> dict:
    return {
        "running": pid is not None,
        "pid": pid,
        "url": ui_url(),
        "airflow_home": env["AIRFLOW_HOME"],
        "log": str(_log_file()),
        "password_file": str(_password_file(env)),
        "dags_folder": env["AIRFLOW__CORE__DAGS_FOLDER"],
        "metadata_db": _mask(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]),
        "warehouse": _mask(env["AIRFLOW_CONN_WAREHOUSE"]),
        "health": dict(health) if health else None,
    }


def start(timeout: float = 180) -> dict:
    """Start the stack (no-op when it already runs) and wait until it is ready.

    Returns a description: pid, UI url, AIRFLOW_HOME, log and password file paths, the (masked)
    metadata and warehouse URLs and the last health document.
    """
    env = airflow_env()
    port = api_port()
    if is_running():
        return _describe(env, detached.read_pid(_pid_file()), _health(port))
    stop()  # a previous stack that died half-way: clear its leftovers and its stale pid file
    if detached.port_in_use(port):
        raise RuntimeError(
            f"port {port} is already in use by another program; set ANALYTICS_AIRFLOW_PORT to a free port"
        )
    prepare_backends()
    proc = _spawn(env)
    try:
        health = _wait_ready(proc, port, timeout)
    except BaseException:
        stop()
        raise
    return _describe(env, proc.pid, health)


def _owns_pid(pid: int) -> bool:
    """True when ``pid`` still designates our stack, so signalling its group and session is safe.

    Either the standalone process is alive, or it is gone but processes of its session remain (the
    kernel does not reuse a pid while it names a live session or group). A dead pid with no session
    left, or a live pid running something else, is a stale pid file.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return bool(detached.session_pids(pid))
    except PermissionError:
        return False
    return _is_standalone(pid)


def stop(timeout: float = 30) -> bool:
    """Stop the stack: SIGTERM to its group and session, SIGKILL after ``timeout``. False if not running."""
    return detached.stop(_pid_file(), _owns_pid, timeout)


def status() -> dict:
    """Whether the stack runs, with its description and (if it answers) its health document."""
    env = airflow_env()
    pid = detached.read_pid(_pid_file()) if is_running() else None
    return _describe(env, pid, _health(api_port()) if pid else None)


# --- command line -------------------------------------------------------------------------------------


def _print_started(info: Mapping) -> None:
    print(f"Airflow is running (pid {info['pid']}): {info['url']}")
    print(f"  log in as admin; the generated password is in {info['password_file']}")
    print(f"  AIRFLOW_HOME  {info['airflow_home']}   (log: {info['log']})")
    print(f"  DAGs          {info['dags_folder']}")
    print(f"  metadata DB   {info['metadata_db']}")
    print(f"  warehouse     {info['warehouse']}   (connection id: warehouse)")
    print("  stop with `make airflow-stop`")


def _print_exports() -> None:
    """Shell ``export`` lines of the stack's Airflow settings, for ``eval "$(... env)"``."""
    env = airflow_env()
    names = sorted(k for k in env if k.startswith(("AIRFLOW", "ANALYTICS_")) or k in ("PATH", "WAREHOUSE_URL"))
    for name in names:
        print(f"export {name}={shlex.quote(env[name])}")


def main(argv: list[str] | None = None) -> int:
    """``start`` | ``stop`` | ``status`` | ``env``; exit code 0, or 1 on failure (``status``: 3 when stopped)."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics.airflow_stack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for readiness (start)")
    args = parser.parse_args(argv)
    try:
        return _run_command(args.command, args.timeout)
    except (RuntimeError, TimeoutError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run_command(command: str, timeout: float) -> int:
    if command == "start":
        _print_started(start(timeout=timeout))
        return 0
    if command == "stop":
        print("Airflow stopped." if stop() else "Airflow was not running.")
        return 0
    if command == "env":
        _print_exports()
        return 0
    info = status()
    if not info["running"]:
        print(f"Airflow is not running (AIRFLOW_HOME {info['airflow_home']}).")
        return 3
    print(f"Airflow is running (pid {info['pid']}): {info['url']}")
    if info["health"]:
        print(json.dumps(info["health"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
