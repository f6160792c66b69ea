"""Where things are: the warehouse URL, the landing folder and the project's working folders.

Settings come from the environment so that the same code runs from the CLI, from Airflow tasks and
in tests. Nothing here holds a credential; URLs are supplied by the operator.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "SQL_DIR",
    "BUSINESS_TIMEZONE",
    "landing_dir",
    "warehouse_dir",
    "embedded_port",
    "configured_warehouse_url",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"

# The retailer's business clock: schedules and "as of" cut-offs are in Riyadh time (DESIGN §4, §7).
BUSINESS_TIMEZONE = "Asia/Riyadh"


def landing_dir() -> Path:
    """The landing folder of extract drops (``ANALYTICS_LANDING_DIR``, default ``./.landing``)."""
    return Path(os.environ.get("ANALYTICS_LANDING_DIR", PROJECT_ROOT / ".landing")).resolve()


def warehouse_dir() -> Path:
    """Folder of the embedded server's data (``ANALYTICS_WAREHOUSE_DIR``, default ``./.warehouse``)."""
    return Path(os.environ.get("ANALYTICS_WAREHOUSE_DIR", PROJECT_ROOT / ".warehouse")).resolve()


def embedded_port() -> int:
    """TCP port of the embedded server on 127.0.0.1 (``ANALYTICS_WAREHOUSE_PORT``, default 54329)."""
    raw = os.environ.get("ANALYTICS_WAREHOUSE_PORT", "54329")
    try:
        port = int(raw)
    except ValueError as exc:
        raise ValueError(f"ANALYTICS_WAREHOUSE_PORT must be a port number, got {raw!r}") from exc
    if not 1024 <= port <= 65535:
        raise ValueError(f"ANALYTICS_WAREHOUSE_PORT must be between 1024 and 65535, got {port}")
    return port


def configured_warehouse_url() -> str | None:
    """``WAREHOUSE_URL`` when the operator set one, else None (meaning: use the embedded server)."""
    url = os.environ.get("WAREHOUSE_URL", "").strip()
    return url or None
