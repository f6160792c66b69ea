"""Helpers for alembic revisions: DDL lives in ``sql/`` files and revisions apply them in order."""

from __future__ import annotations

import csv

from alembic import op

from analytics.config import SQL_DIR
from analytics.db import load_sql

__all__ = ["apply_sql", "seed_csv"]


def apply_sql(*relative_paths: str) -> None:
    """Execute each ``sql/<path>`` file, in the order given, inside the revision's transaction."""
    for path in relative_paths:
        op.get_bind().exec_driver_sql(load_sql(path).replace("%", "%%"))


def seed_csv(table: str, relative_path: str, extra: dict[str, object] | None = None,
             key: str | None = None) -> int:
    """Insert every row of the seed ``sql/<path>`` (a CSV with a header) into ``table``.

    Empty cells become NULL; ``extra`` adds constant columns; ``key`` names a column numbered 1, 2, ...
    in file order. Returns the rows inserted.
    """
    with open(SQL_DIR / relative_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=1):
        values = {name: (value if value != "" else None) for name, value in row.items()}
        values.update(extra or {})
        if key:
            values[key] = number
        columns = ", ".join(values)
        placeholders = ", ".join(f"%({name})s" for name in values)
        op.get_bind().exec_driver_sql(f"insert into {table} ({columns}) values ({placeholders})", values)
    return len(rows)
