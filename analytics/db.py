"""Connections, SQL files and bulk COPY: the only place that talks to PostgreSQL directly.

Everything takes a SQLAlchemy ``Engine`` (from :func:`engine_for`, or from Airflow's PostgresHook in a
DAG) and works on the driver connection underneath, because COPY and server-side statements are what
make the pipeline fast. All values go in as parameters; identifiers are composed with ``psycopg2.sql``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics.config import SQL_DIR, configured_warehouse_url

__all__ = [
    "warehouse_url",
    "engine_for",
    "transaction",
    "load_sql",
    "run_sql",
    "copy_from_buffer",
    "copy_frame",
    "append_from",
    "fetch_all",
    "fetch_one",
    "indexes_deferred",
    "drop_indexes",
    "restore_indexes",
    "Identifier",
]

log = logging.getLogger(__name__)
Identifier = pgsql.Identifier


def warehouse_url() -> str:
    """``WAREHOUSE_URL`` if set, else the embedded server (started on demand)."""
    url = configured_warehouse_url()
    if url:
        return url
    from analytics import embedded

    return embedded.start()


def engine_for(url: str | sa.URL | None = None) -> sa.Engine:
    """An engine on the psycopg2 driver (COPY needs it), whatever driver the URL named."""
    parsed = sa.make_url(url or warehouse_url())
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"the warehouse must be PostgreSQL, got a {parsed.get_backend_name()!r} URL")
    parsed = parsed.set(drivername="postgresql+psycopg2")
    return sa.create_engine(parsed, pool_pre_ping=True, poolclass=sa.pool.NullPool)


@contextmanager
def transaction(engine: sa.Engine, bulk: bool = False) -> Iterator[Any]:
    """A psycopg2 connection in one transaction: committed on success, rolled back on error.

    ``bulk`` sets this transaction's sort/hash memory to ``ANALYTICS_BUILD_WORK_MEM`` (default 256MB):
    enough for the build's hash joins to stay in memory; larger values make big sorts slower (a
    cache-friendly external merge beats one huge in-memory quicksort). It also prices random reads for
    SSD or cached data, so that incremental builds use their indexes.
    """
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute("set application_name = 'analytics'; set time zone 'UTC'")
            if bulk:
                cur.execute("select set_config('work_mem', %s, true)", (build_work_mem(),))
                # The build's tables are read from memory or SSD: random reads cost little more than
                # sequential ones, so a daily run probes the keys of the few changed orders through their
                # indexes instead of scanning tens of millions of rows (the default 4.0 assumes spinning disks).
                cur.execute("select set_config('random_page_cost', '1.1', true)")
        yield conn
        conn.commit()
    except BaseException:
        raw.driver_connection.rollback()
        raise
    finally:
        raw.close()


def build_work_mem() -> str:
    value = os.environ.get("ANALYTICS_BUILD_WORK_MEM", "256MB").strip()
    if not re.fullmatch(r"\d+\s*(kB|MB|GB)", value):
        raise ValueError(f"ANALYTICS_BUILD_WORK_MEM must look like 256MB or 1GB, got {value!r}")
    return value


@cache
def load_sql(relative_path: str) -> str:
    """Text of a file under ``sql/``."""
    path = SQL_DIR / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"SQL file not found: {path}")
    return path.read_text(encoding="utf-8")


def run_sql(
    conn: Any,
    relative_path: str,
    params: Mapping[str, Any] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> int:
    """Run a SQL file (one or more statements) with pyformat parameters; returns the last rowcount.

    ``identifiers`` fill ``{name}`` placeholders with quoted identifiers (e.g. a partition name);
    values always travel as parameters.
    """
    text = load_sql(relative_path)
    statement: Any = text
    if identifiers:
        statement = pgsql.SQL(text).format(**{k: _identifier(v) for k, v in identifiers.items()})
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(statement, dict(params or {}))
        rowcount = cur.rowcount
    log.info("sql %s: %s rows in %.2fs", relative_path, rowcount, time.perf_counter() - started)
    return rowcount


def _identifier(qualified: str) -> pgsql.Composable:
    return pgsql.Identifier(*qualified.split("."))


def copy_from_buffer(conn: Any, table: str, columns: list[str] | tuple[str, ...], buffer: io.BytesIO) -> None:
    """COPY CSV bytes (no header, empty string = NULL) into ``schema.table`` (columns given)."""
    statement = pgsql.SQL("copy {} ({}) from stdin with (format csv, header false, null '')").format(
        _identifier(table), pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
    )
    buffer.seek(0)
    with conn.cursor() as cur:
        cur.copy_expert(statement.as_string(conn), buffer)


def append_from(conn: Any, source: str, target: str) -> int:
    """``insert into target select from source`` by column name (the source's columns), in one statement."""
    with conn.cursor() as cur:
        cur.execute(pgsql.SQL("select * from {} limit 0").format(_identifier(source)))
        columns = pgsql.SQL(", ").join(pgsql.Identifier(d.name) for d in cur.description)
        started = time.perf_counter()
        cur.execute(pgsql.SQL("insert into {} ({}) select {} from {}").format(
            _identifier(target), columns, columns, _identifier(source)))
        log.info("append %s -> %s: %s rows in %.2fs", source, target, cur.rowcount, time.perf_counter() - started)
        return cur.rowcount


def copy_frame(conn: Any, table: str, frame: Any) -> None:
    """COPY a pandas DataFrame into ``schema.table`` by column name, written as CSV by Arrow (empty = NULL,
    booleans true/false, dates ISO, floats at full precision)."""
    buffer = io.BytesIO()
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), buffer,
                    pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    copy_from_buffer(conn, table, list(frame.columns), buffer)


def drop_indexes(conn: Any, table: str) -> None:
    """Drop ``schema.table``'s primary/unique keys and indexes for a bulk load, keeping their definitions in
    ``core.deferred_index`` (in the same transaction) until :func:`restore_indexes` rebuilds them.

    Building an index once over loaded rows is an order of magnitude cheaper than maintaining it row by
    row. Definitions are read from the catalog, so the DDL in ``sql/ddl`` stays the only source; kept in a
    table, they survive a build that dies between dropping and rebuilding (its rerun restores them).
    """
    schema, name = table.split(".")
    constraints = fetch_all(conn, """
        select c.conname, pg_get_constraintdef(c.oid)
          from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
         where n.nspname = %(s)s and t.relname = %(t)s and c.contype in ('p', 'u')""", {"s": schema, "t": name})
    indexes = fetch_all(conn, """
        select i.indexname, i.indexdef from pg_indexes i
         where i.schemaname = %(s)s and i.tablename = %(t)s
           and not exists (select 1 from pg_constraint c where c.conname = i.indexname
                           and c.connamespace = (select oid from pg_namespace where nspname = %(s)s))""",
                        {"s": schema, "t": name})
    with conn.cursor() as cur:
        cur.executemany(
            "insert into core.deferred_index (table_name, index_name, is_constraint, definition) "
            "values (%s, %s, %s, %s)",
            [(table, n, True, d) for n, d in constraints] + [(table, n, False, d) for n, d in indexes])
        for index_name, _ in indexes:
            cur.execute(pgsql.SQL("drop index {}").format(pgsql.Identifier(schema, index_name)))
        for constraint_name, _ in constraints:
            cur.execute(pgsql.SQL("alter table {} drop constraint {}").format(
                pgsql.Identifier(schema, name), pgsql.Identifier(constraint_name)))


def restore_indexes(conn: Any, table: str) -> int:
    """Rebuild the keys, then the indexes, that :func:`drop_indexes` deferred on ``schema.table``; returns how
    many. Their records go in the same transaction."""
    schema, name = table.split(".")
    deferred = fetch_all(conn, "select index_name, is_constraint, definition from core.deferred_index "
                               "where table_name = %(t)s order by is_constraint desc, index_name", {"t": table})
    with conn.cursor() as cur:
        for index_name, is_constraint, definition in deferred:
            started = time.perf_counter()
            if is_constraint:
                cur.execute(pgsql.SQL("alter table {} add constraint {} ").format(
                    pgsql.Identifier(schema, name), pgsql.Identifier(index_name)) + pgsql.SQL(definition))
            else:
                cur.execute(definition)
            log.info("index %s on %s rebuilt in %.2fs", index_name, table, time.perf_counter() - started)
        cur.execute("delete from core.deferred_index where table_name = %(t)s", {"t": table})
    return len(deferred)


@contextmanager
def indexes_deferred(conn: Any, table: str) -> Iterator[None]:
    """Drop ``schema.table``'s keys and indexes for a bulk load in this transaction, and rebuild them after it."""
    drop_indexes(conn, table)
    yield
    restore_indexes(conn, table)


def fetch_all(conn: Any, query: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, dict(params or {}))
        return cur.fetchall()


def fetch_one(conn: Any, query: str, params: Mapping[str, Any] | None = None) -> tuple | None:
    with conn.cursor() as cur:
        cur.execute(query, dict(params or {}))
        return cur.fetchone()
