"""Helpers for alembic revisions: DDL lives in ``sql/`` files and revisions apply them in order."""

from __future__ import annotations

from alembic import op

from analytics.db import load_sql

__all__ = ["apply_sql"]


def apply_sql(*relative_paths: str) -> None:
    """Execute each ``sql/<path>`` file, in the order given, inside the revision's transaction."""
    for path in relative_paths:
        op.get_bind().exec_driver_sql(load_sql(path).replace("%", "%%"))
