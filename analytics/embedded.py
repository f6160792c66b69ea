"""The embedded warehouse: a real PostgreSQL from the ``pgserver`` wheel, kept in a git-ignored folder.

pgserver's own launcher listens on a unix socket only; Airflow connections, psql and BI tools are
simpler with TCP, so we use its bundled binaries (initdb, pg_ctl) and start the server on
127.0.0.1:<port> with trust authentication for local connections only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import warnings
from pathlib import Path

from analytics.config import embedded_port, warehouse_dir

__all__ = ["DATABASE", "start", "stop", "is_running", "url", "admin_url", "ensure_database"]

DATABASE = "analytics"
SUPERUSER = "postgres"

# Settings for a 2-core analytics box: bulk loads, few sessions, parallel aggregation.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "60",
    "shared_buffers": "512MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_parallel_workers_per_gather": "2",
    "timezone": "UTC",
    "log_min_messages": "warning",
}


def _pgserver():
    """Import pgserver quietly (it warns about XDG_RUNTIME_DIR, which we do not use)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver._commands
        import pgserver.utils
    return pgserver


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root; pgserver then runs it as its own system user."""
    if os.geteuid() != 0:
        return None
    ensure_user_exists = _pgserver().utils.ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


def _pgdata() -> Path:
    return warehouse_dir() / "pgdata"


def _run(binary: str, args: list[str], user: str | None) -> str:
    cmd = [str(_pgserver()._commands.POSTGRES_BIN_PATH / binary), *args]
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{binary} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _prepare(user: str | None) -> None:
    pgdata = _pgdata()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if user:
        pgserver = _pgserver()
        pgserver.utils.ensure_prefix_permissions(pgdata.parent)
        pgserver.utils.ensure_prefix_permissions(pgserver._commands.POSTGRES_BIN_PATH)
        pgdata.mkdir(exist_ok=True)
        subprocess.run(["chown", "-R", f"{user}:{user}", str(pgdata.parent)], check=True)
    if (pgdata / "PG_VERSION").exists():
        return
    _run("initdb", ["-D", str(pgdata), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", SUPERUSER], user)
    with open(pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("\n# analytics embedded warehouse\n")
        for key, value in SERVER_SETTINGS.items():
            conf.write(f"{key} = '{value}'\n")


def _postmaster() -> tuple[int, int] | None:
    """(pid, port) of this data folder's running server, from postmaster.pid; None when not running."""
    pid_file = _pgdata() / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid, port


def is_running() -> bool:
    return _postmaster() is not None


def _port() -> int:
    """The port the server listens on: the running server's, else the configured one."""
    running = _postmaster()
    return running[1] if running else embedded_port()


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start() -> str:
    """Initialise (first time) and start the embedded server; create the database. Returns its URL."""
    user = _system_user()
    _prepare(user)
    if not is_running():
        pgdata = _pgdata()
        if _port_taken(embedded_port()):
            raise RuntimeError(
                f"port {embedded_port()} on 127.0.0.1 is used by another program (another checkout's warehouse?); "
                "set ANALYTICS_WAREHOUSE_PORT to a free port")
        options = f"-p {embedded_port()} -k {pgdata}"
        _run("pg_ctl", ["-D", str(pgdata), "-w", "-t", "60", "-l", str(pgdata / "server.log"),
                        "-o", options, "start"], user)
    ensure_database()
    return url()


def stop() -> bool:
    """Stop the embedded server; False when it was not running."""
    if not is_running():
        return False
    _run("pg_ctl", ["-D", str(_pgdata()), "-w", "-m", "fast", "stop"], _system_user())
    return True


def admin_url() -> str:
    return url("postgres")


def url(database: str = DATABASE) -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{_port()}/{database}"


def ensure_database(name: str = DATABASE) -> None:
    """Create database ``name`` on the running server if it is missing."""
    import psycopg2
    from psycopg2 import sql as pgsql

    conn = psycopg2.connect(admin_url())
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(pgsql.SQL("create database {}").format(pgsql.Identifier(name)))
    finally:
        conn.close()
