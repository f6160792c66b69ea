"""Publishing by partition swap: build a partition's rows in a stage table, seal it, swap it in.

A stage table is a plain table shaped like the partitioned parent. Once filled it is *sealed*: the
parent's key and a CHECK constraint matching the partition bounds are added, so that ATTACH needs no
scan. The swap (detach and drop the published partition, rename the stage, attach it) takes well under
a second and runs inside the caller's transaction, so several partitions, even of different tables,
change together: readers see all the old rows until the commit, then all the new ones.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from psycopg2 import sql as pgsql

from analytics import db

__all__ = ["create_stage", "seal_stage", "create_parent_indexes", "swap_in", "attached_partitions", "drop_partition"]


def _ident(schema: str, name: str) -> pgsql.Composable:
    return pgsql.Identifier(schema, name)


def create_stage(cur: Any, schema: str, parent: str, stage: str) -> None:
    """(Re)create ``schema.stage`` as an empty plain table with the parent's columns, defaults and CHECKs."""
    cur.execute(pgsql.SQL("drop table if exists {}").format(_ident(schema, stage)))
    cur.execute(pgsql.SQL("create table {} (like {} including defaults including constraints)").format(
        _ident(schema, stage), _ident(schema, parent)))


def seal_stage(cur: Any, schema: str, stage: str, key: tuple[str, ...], bound_column: str,
               bounds: tuple[date, date]) -> None:
    """Add the primary key ``key`` and a CHECK that ``bound_column`` lies in ``[low, high)``."""
    statement = pgsql.SQL(
        "alter table {stage} add constraint {pk} primary key ({key}), "
        "add constraint {chk} check ({col} >= %s and {col} < %s)"
    ).format(stage=_ident(schema, stage), pk=pgsql.Identifier(f"{stage}_pkey"),
             key=pgsql.SQL(", ").join(pgsql.Identifier(c) for c in key),
             chk=pgsql.Identifier(f"{stage}_bounds_chk"), col=pgsql.Identifier(bound_column))
    cur.execute(statement, bounds)


# "CREATE [UNIQUE] INDEX name ON ONLY schema.parent USING ..." as pg_get_indexdef writes a partitioned index.
_INDEX_DEF = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ (USING .*)$", re.DOTALL)


def create_parent_indexes(cur: Any, schema: str, parent: str, stage: str) -> None:
    """Build on ``schema.stage`` each index of the partitioned ``parent`` other than its primary key.

    ATTACH PARTITION adopts an equivalent index it finds on the table and builds the missing ones itself,
    inside the publishing transaction; built here, in the filling step, the swap stays instant.
    """
    cur.execute("""
        select pg_get_indexdef(i.indexrelid) from pg_index i
        where i.indrelid = %(parent)s::regclass and not i.indisprimary order by i.indexrelid""",
                {"parent": f"{schema}.{parent}"})
    for (definition,) in cur.fetchall():
        match = _INDEX_DEF.match(definition)
        if match is None:
            raise ValueError(f"unexpected index definition on {schema}.{parent}: {definition}")
        cur.execute(pgsql.SQL("create {}index on {} ").format(pgsql.SQL(match.group(1) or ""), _ident(schema, stage))
                    + pgsql.SQL(match.group(2)))


def attached_partitions(conn: Any, schema: str, parent: str) -> set[str]:
    rows = db.fetch_all(conn, """
        select c.relname from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        join pg_namespace n on n.oid = p.relnamespace
        where n.nspname = %(schema)s and p.relname = %(parent)s""", {"schema": schema, "parent": parent})
    return {row[0] for row in rows}


def drop_partition(cur: Any, schema: str, parent: str, partition: str) -> None:
    cur.execute(pgsql.SQL("alter table {} detach partition {}").format(
        _ident(schema, parent), _ident(schema, partition)))
    cur.execute(pgsql.SQL("drop table {}").format(_ident(schema, partition)))


def swap_in(cur: Any, schema: str, parent: str, stage: str, partition: str, bounds: tuple[date, date],
            attached: set[str]) -> None:
    """Replace partition ``partition`` of ``parent`` (if ``attached`` lists it) with the sealed ``stage``."""
    if partition in attached:
        drop_partition(cur, schema, parent, partition)
    cur.execute(pgsql.SQL("alter table {} rename to {}").format(_ident(schema, stage), pgsql.Identifier(partition)))
    for suffix in ("pkey", "bounds_chk"):
        cur.execute(pgsql.SQL("alter table {} rename constraint {} to {}").format(
            _ident(schema, partition), pgsql.Identifier(f"{stage}_{suffix}"),
            pgsql.Identifier(f"{partition}_{suffix}")))
    cur.execute(pgsql.SQL("alter table {} attach partition {} for values from (%s) to (%s)").format(
        _ident(schema, parent), _ident(schema, partition)), bounds)
