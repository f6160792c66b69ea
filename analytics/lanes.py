"""Lanes: one big statement split by key range over one connection per core.

PostgreSQL runs an INSERT ... SELECT in a single process, so a step that fills millions of rows uses one
core. Split by ranges of the table's key into lanes of about equal size, each on its own connection and
transaction, the step uses them all. The ranges come from the planner's histogram of the key column (the
table must have been analysed), which needs no scan.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import sqlalchemy as sa

from analytics import db

__all__ = ["KeyRange", "MAX_LANES", "key_ranges", "run_in_lanes"]

KeyRange = tuple[str | None, str | None]  # [low, high); None is open
MAX_LANES = 8
T = TypeVar("T")


def key_ranges(conn, table: str, column: str) -> list[KeyRange]:
    """Ranges [low, high) of ``schema.table``'s text ``column`` holding about as many rows each, one per core;
    one open range on one core or when the column has no histogram (a small or unanalysed table)."""
    lanes = min(os.cpu_count() or 1, MAX_LANES)
    schema, name = table.split(".")
    row = db.fetch_one(conn, """
        select histogram_bounds::text::text[] from pg_stats
         where schemaname = %(s)s and tablename = %(t)s and attname = %(c)s""", {"s": schema, "t": name, "c": column})
    bounds = row[0] if row and row[0] else []
    if lanes < 2 or len(bounds) <= lanes:
        return [(None, None)]
    cuts = [bounds[len(bounds) * k // lanes] for k in range(1, lanes)]
    edges: list[str | None] = [None, *cuts, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def run_in_lanes(engine: sa.Engine, ranges: list[KeyRange], work: Callable[[sa.Engine, str | None, str | None], T]
                 ) -> list[T]:
    """``work(engine, low, high)`` for every range at once, each in its own thread (and so connection); the
    results in range order. The first failure is raised once all lanes have ended."""
    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="lane") as pool:
        futures = [pool.submit(work, engine, low, high) for low, high in ranges]
        return [future.result() for future in futures]
