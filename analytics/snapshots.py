"""Warehouse side of the scorers: the customer-feature extract, score stage tables and atomic publishing.

Data moves between the Airflow tasks through these tables, never through XCom:

1. ``build_features`` computes ``core.customer_features`` for a date in SQL and swaps its partition in;
2. each scorer reads the features with ``read_frame`` (one COPY, parsed by Arrow) and writes its scores
   with ``write_stage`` into a stage table ``core.<fact>_s<YYYYMMDD>`` (COPY in, then sealed);
3. the segment scorer reads the RFM and LTV stage tables of the day with ``read_stage`` once they are sealed;
4. ``publish`` swaps the four stage tables into ``core.fact_customer_rfm``, ``core.fact_customer_ltv``,
   ``core.fact_customer_churn_risk`` and ``core.fact_customer_segment`` in one transaction, then applies
   retention.

A scorer that fails leaves its stage table missing or stale and ``publish`` refuses to run, so readers
keep the previous snapshot.
"""

from __future__ import annotations

import calendar
import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from psycopg2 import sql as pgsql

from analytics import db, partitions

__all__ = [
    "FEATURES",
    "SCORE_FACTS",
    "build_features",
    "read_frame",
    "read_features",
    "read_training_frame",
    "read_stage",
    "write_stage",
    "publish",
    "publish_in",
    "retention_days",
    "shard_of",
]

log = logging.getLogger(__name__)

FEATURES = "customer_features"
SCORE_FACTS = ("fact_customer_rfm", "fact_customer_ltv", "fact_customer_churn_risk", "fact_customer_segment")
_KEY = ("customer_id_nat", "snapshot_date")


def retention_days() -> int:
    """Days a daily snapshot is kept (``ANALYTICS_SNAPSHOT_RETENTION_DAYS``, default 35)."""
    raw = os.environ.get("ANALYTICS_SNAPSHOT_RETENTION_DAYS", "35").strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"ANALYTICS_SNAPSHOT_RETENTION_DAYS must be a whole number of days >= 1, got {raw!r}")
    return int(raw)


def _bounds(day: date) -> tuple[date, date]:
    return day, day + timedelta(days=1)


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def stage_name(table: str, day: date) -> str:
    return f"{table}_s{day:%Y%m%d}"


def shard_of(ids: pd.Series, shards: int) -> np.ndarray:
    """Stable shard number 0..shards-1 of each customer id (same id, same shard, on every run)."""
    return (pd.util.hash_pandas_object(ids, index=False).to_numpy() % np.uint64(shards)).astype(np.int64)


def build_features(engine: sa.Engine, days: list[date]) -> dict[date, int]:
    """Compute the features as of each of ``days`` and publish them as those dates' partitions.

    The stage tables fill in parallel, one connection (and core) each, and are committed sealed; one
    transaction then swaps them all in. Returns the customers per day.
    """
    with ThreadPoolExecutor(max_workers=len(days), thread_name_prefix="features") as pool:
        rows = dict(zip(days, pool.map(lambda day: _fill_features_stage(engine, day), days), strict=True))
    with db.transaction(engine) as conn:
        attached = partitions.attached_partitions(conn, "core", FEATURES)
        with conn.cursor() as cur:
            cur.execute("set local lock_timeout = '60s'")
            for day in days:
                partition = partition_name(FEATURES, day)
                partitions.swap_in(cur, "core", FEATURES, stage_name(FEATURES, day), partition, _bounds(day), attached)
                cur.execute(pgsql.SQL("analyze core.{}").format(pgsql.Identifier(partition)))
    log.info("features: %s", {day.isoformat(): n for day, n in rows.items()})
    return rows


def _fill_features_stage(engine: sa.Engine, day: date) -> int:
    stage = stage_name(FEATURES, day)
    with db.transaction(engine, bulk=True) as conn:
        with conn.cursor() as cur:
            partitions.create_stage(cur, "core", FEATURES, stage)
        rows = db.run_sql(conn, "transform/scores/customer_features.sql", {"as_of": day}, {"target": f"core.{stage}"})
        with conn.cursor() as cur:
            partitions.seal_stage(cur, "core", stage, ("customer_id_nat", "as_of_date"), "as_of_date", _bounds(day))
    return rows


# PostgreSQL type oid -> Arrow type of the parsed column (anything else is read as text).
_ARROW_TYPES = {16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(), 700: pa.float64(),
                701: pa.float64(), 1700: pa.float64(), 1082: pa.date32(), 1114: pa.timestamp("us"),
                1184: pa.timestamp("us", tz="UTC")}


def read_frame(engine: sa.Engine, query: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run ``query`` through one ``COPY ... TO STDOUT`` and parse it with Arrow (no row-by-row fetch).

    Column types come from the query's result description, not from guessing: text stays text even when
    it looks like a number (customer ids), dates become datetime64 days, numerics float64.
    """
    buffer = io.BytesIO()
    with db.transaction(engine) as conn, conn.cursor() as cur:
        statement = cur.mogrify(query, params or {}).decode()
        cur.execute(f"select * from ({statement}) as q limit 0")
        types = {d.name: _ARROW_TYPES.get(d.type_code, pa.string()) for d in cur.description}
        cur.copy_expert(f"copy ({statement}) to stdout with (format csv, header true)", buffer)
    buffer.seek(0)
    table = pacsv.read_csv(buffer, convert_options=pacsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, true_values=["t"], false_values=["f"]))
    frame = table.to_pandas()
    for name, kind in types.items():
        if kind == pa.date32():
            frame[name] = pd.to_datetime(frame[name])
    return frame


def _features_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Name the columns as the scorers expect: ``T_days`` as in the literature, the as-of date as the
    ``snapshot_date`` the features describe."""
    return frame.rename(columns={"t_days": "T_days", "as_of_date": "snapshot_date"})


def read_features(engine: sa.Engine, as_of: date) -> pd.DataFrame:
    """The published features of ``as_of``, one row per customer, ordered by customer id (no rows when no
    customer had ordered by then)."""
    with db.transaction(engine) as conn:
        built = partition_name(FEATURES, as_of) in partitions.attached_partitions(conn, "core", FEATURES)
    if not built:
        raise LookupError(f"no customer features as of {as_of}: run the features step first")
    frame = read_frame(engine, "select * from core.customer_features where as_of_date = %(d)s "
                               "order by customer_id_nat", {"d": as_of})
    return _features_frame(frame)


def read_training_frame(engine: sa.Engine, cutoff: date, until: date) -> pd.DataFrame:
    """Features as of ``cutoff`` with ``churned`` = 1 when the customer had no qualified order in
    (cutoff, until]. Nothing after ``until`` is read, and the features themselves stop at ``cutoff``."""
    frame = read_frame(engine, """
        select f.*, (later.customer_id_nat is null)::int as churned
        from core.customer_features as f
        left join (
            select distinct o.surviving_customer_id_nat as customer_id_nat
            from core.fact_order as o
            where o.is_qualified and o.local_date > %(cutoff)s and o.local_date <= %(until)s
        ) as later on f.customer_id_nat = later.customer_id_nat
        where f.as_of_date = %(cutoff)s
        order by f.customer_id_nat""", {"cutoff": cutoff, "until": until})
    return _features_frame(frame)


def write_stage(conn: Any, fact: str, day: date, frame: pd.DataFrame, *, append: bool = False) -> None:
    """COPY ``frame`` (columns named as the fact's) into the fact's stage table for ``day``.

    The first call of a run creates the stage table; ``append`` adds a further shard to it.
    """
    stage = stage_name(fact, day)
    if not append:
        with conn.cursor() as cur:
            partitions.create_stage(cur, "core", fact, stage)
    db.copy_frame(conn, f"core.{stage}", frame)


def empty_stage(conn: Any, fact: str, day: date) -> None:
    """A sealed, empty stage table: the scores of a day on which no customer had ordered yet."""
    with conn.cursor() as cur:
        partitions.create_stage(cur, "core", fact, stage_name(fact, day))
    seal_stage(conn, fact, day)


def seal_stage(conn: Any, fact: str, day: date) -> None:
    """Key and bounds on a filled stage table (a duplicate customer or a wrong date fails here), and the
    fact's indexes, so that the publish attaches it without building any."""
    with conn.cursor() as cur:
        partitions.seal_stage(cur, "core", stage_name(fact, day), _KEY, "snapshot_date", _bounds(day))
        partitions.create_parent_indexes(cur, "core", fact, stage_name(fact, day))


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _stage_rows(conn: Any, fact: str, day: date) -> int:
    row = db.fetch_one(conn, """
        select count(*) filter (where c.contype = 'p') from pg_class t
        left join pg_constraint c on c.conrelid = t.oid
        where t.relnamespace = 'core'::regnamespace and t.relname = %(t)s
        group by t.oid""", {"t": stage_name(fact, day)})
    if row is None:
        raise LookupError(f"core.{stage_name(fact, day)} does not exist: the {fact} scorer has not run for {day}")
    if row[0] != 1:
        raise LookupError(f"core.{stage_name(fact, day)} is not sealed: the {fact} scorer did not finish")
    with conn.cursor() as cur:
        cur.execute(pgsql.SQL("select count(*) from core.{}").format(pgsql.Identifier(stage_name(fact, day))))
        return cur.fetchone()[0]


def read_stage(engine: sa.Engine, fact: str, day: date, columns: str) -> pd.DataFrame:
    """``columns`` of the rows a scorer sealed into its stage table for ``day``, by customer id: the input of
    a scorer that builds on another's scores. LookupError while that scorer has not finished."""
    with db.transaction(engine) as conn:
        _stage_rows(conn, fact, day)
    return read_frame(engine, f"select {columns} from core.{stage_name(fact, day)} order by customer_id_nat")


def publish(engine: sa.Engine, day: date) -> dict[str, int]:
    """Swap the score stage tables of ``day`` (one per fact of ``SCORE_FACTS``) in, in one transaction,
    then apply retention.

    Refuses (publishing nothing) unless every scorer has sealed its stage with one row per customer of the
    day's features. Returns the rows published per fact.
    """
    with db.transaction(engine) as conn:
        return publish_in(conn, day)


def publish_in(conn: Any, day: date) -> dict[str, int]:
    """``publish`` inside the caller's transaction: nothing is visible to readers before it commits.

    Besides the partitions it records the snapshot in ``core.score_snapshot``, whose newest date is the
    snapshot every mart view reads.
    """
    expected = db.fetch_one(conn, "select count(*) from core.customer_features where as_of_date = %(d)s",
                            {"d": day})[0]
    counts = {fact: _stage_rows(conn, fact, day) for fact in SCORE_FACTS}
    wrong = {fact: n for fact, n in counts.items() if n != expected}
    if wrong:
        raise ValueError(f"score stages for {day} do not have one row per customer ({expected}): {wrong}")
    with conn.cursor() as cur:
        cur.execute("set local lock_timeout = '60s'")
        for fact in SCORE_FACTS:
            attached = partitions.attached_partitions(conn, "core", fact)
            partitions.swap_in(cur, "core", fact, stage_name(fact, day), partition_name(fact, day),
                               _bounds(day), attached)
        cur.execute("""
            insert into core.score_snapshot (snapshot_date, customers) values (%(d)s, %(n)s)
            on conflict (snapshot_date) do update set customers = excluded.customers, published_at = now()""",
                    {"d": day, "n": expected})
    dropped = _apply_retention(conn, day)
    log.info("published scores of %s: %s; retention dropped %s partitions", day, counts, dropped)
    return counts


def _apply_retention(conn: Any, day: date) -> int:
    """Drop daily partitions older than the retention window; month-end snapshots of the score facts stay.
    Feature partitions are inputs, not history: all older than the window go."""
    oldest_kept = day - timedelta(days=retention_days() - 1)
    dropped = 0
    with conn.cursor() as cur:
        for table in (*SCORE_FACTS, FEATURES):
            for name in sorted(partitions.attached_partitions(conn, "core", table)):
                snapshot = date(int(name[-8:-4]), int(name[-4:-2]), int(name[-2:]))
                keep_forever = table != FEATURES and _is_month_end(snapshot)
                if snapshot < oldest_kept and not keep_forever:
                    partitions.drop_partition(cur, "core", table, name)
                    dropped += 1
                    if table == SCORE_FACTS[0]:
                        cur.execute("delete from core.score_snapshot where snapshot_date = %(d)s", {"d": snapshot})
    return dropped
