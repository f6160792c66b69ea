"""Local services run in the background in their own session (``make airflow``, ``make superset``).

A service is started detached (``start_new_session``), its pid kept in a file and its output appended to a
log; stopping it signals its whole process group and every process left in its session, so that nothing
the service forked survives. Shared by ``analytics.airflow_stack`` and ``analytics.superset_stack``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["read_pid", "spawn", "log_tail", "port_in_use", "session_pids", "terminate", "stop"]


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def spawn(argv: Sequence[str], env: Mapping[str, str], cwd: Path, log_file: Path, pid_file: Path) -> subprocess.Popen:
    """Start ``argv`` in its own session with its output appended to ``log_file``; record its pid."""
    log = open(log_file, "ab")  # noqa: SIM115 - the child keeps the descriptor
    try:
        log.write(f"\n=== {Path(argv[0]).name} starting {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        log.flush()
        proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    pid_file.write_text(f"{proc.pid}\n")
    return proc


def log_tail(log_file: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def session_pids(sid: int) -> list[int]:
    """Pids whose session is ``sid`` (Linux /proc); empty where /proc is unavailable."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid pgrp session ...
        fields = raw[raw.rfind(")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(stat.parent.name))
    return pids


def _signal_all(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group of ``pid`` and to every process left in its session."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    for other in session_pids(pid):
        try:
            os.kill(other, sig)
        except ProcessLookupError:
            pass


def _group_alive(pid: int) -> bool:
    """Any process left in the process group or session that ``pid`` leads."""
    try:
        os.killpg(pid, 0)
        return True
    except ProcessLookupError:
        return bool(session_pids(pid))
    except PermissionError:
        return True


def _reap(pid: int) -> None:
    """Collect the exit status when ``pid`` is our own child (else it stays a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not _group_alive(pid):
            return True
        time.sleep(0.3)
    return False


def terminate(pid: int, timeout: float = 30) -> None:
    """SIGTERM to the group and session that ``pid`` leads, SIGKILL to what is left after ``timeout``."""
    _signal_all(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        _signal_all(pid, signal.SIGKILL)
        _wait_gone(pid, 10)


def stop(pid_file: Path, owns: Callable[[int], bool], timeout: float = 30) -> bool:
    """Terminate the service whose pid ``pid_file`` holds, if ``owns`` says that process is the service (a
    stale pid may by now name another program), and forget the pid. False when it was not running."""
    pid = read_pid(pid_file)
    if pid is None:
        return False
    owned = owns(pid)
    if owned:
        terminate(pid, timeout)
    pid_file.unlink(missing_ok=True)
    return owned
