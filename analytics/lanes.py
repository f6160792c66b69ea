"""Lanes: work split into parts that run side by side, one connection per core.

PostgreSQL runs an INSERT ... SELECT in a single process, so a step that fills millions of rows uses one
core. Split into lanes of about equal work, each on its own connection and transaction, the step uses them
all. A lane is usually a key range of the step's input: equal row counts from the planner's histogram of
the key column (:func:`key_ranges`, no scan), or cuts the caller computes for unequal rows
(:func:`ranges_from_cuts`); its statements read temporary views of their share (:func:`lane_views`). Other
independent parts (files, controls, partitions) run the same way (:func:`run_in_lanes`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import sqlalchemy as sa

from analytics import db

__all__ = ["KeyRange", "MAX_LANES", "lane_count", "ranges_from_cuts", "key_ranges", "run_in_lanes", "lane_views"]

KeyRange = tuple[str | None, str | None]  # [low, high); None is open
MAX_LANES = 8
P = TypeVar("P")
T = TypeVar("T")


def lane_count() -> int:
    """Lanes to run side by side: one per core, at most MAX_LANES."""
    return min(os.cpu_count() or 1, MAX_LANES)


def ranges_from_cuts(cuts: list[str]) -> list[KeyRange]:
    """The ranges between ascending cut keys, open at both ends: [None, c1), [c1, c2), ..., [cn, None)."""
    edges: list[str | None] = [None, *cuts, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def key_ranges(conn, table: str, column: str) -> list[KeyRange]:
    """Ranges [low, high) of ``schema.table``'s text ``column`` holding about as many rows each, one per core;
    one open range on one core or when the column has no histogram (a small or unanalysed table)."""
    count = lane_count()
    schema, name = table.split(".")
    row = db.fetch_one(conn, """
        select histogram_bounds::text::text[] from pg_stats
         where schemaname = %(s)s and tablename = %(t)s and attname = %(c)s""", {"s": schema, "t": name, "c": column})
    bounds = row[0] if row and row[0] else []
    if count < 2 or len(bounds) <= count:
        return [(None, None)]
    return ranges_from_cuts([bounds[len(bounds) * k // count] for k in range(1, count)])


def run_in_lanes(engine: sa.Engine, parts: Sequence[P], work: Callable[[sa.Engine, P], T]) -> list[T]:
    """``work(engine, part)`` for every part (a key range, a control, ...), ``lane_count()`` at a time, each in
    its own thread (and so connection); the results in part order. The first failure is raised once all
    parts have ended."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(parts), lane_count())), thread_name_prefix="lane") as pool:
        futures = [pool.submit(work, engine, part) for part in parts]
        return [future.result() for future in futures]


def lane_views(conn, lane: KeyRange, key: str, views: dict[str, str]) -> None:
    """For each ``view: source`` pair, the temporary view ``view`` of the rows of table ``source`` whose text
    column ``key`` lies in the lane's range: what the lane's statements read instead of the whole table."""
    low, high = lane
    for view, source in views.items():
        db.run_sql(conn, "transform/lane_view.sql", {"low": low, "high": high},
                   {"view": view, "source": source, "key": key})
