"""Shared fixtures: a real PostgreSQL for every database test.

The server is the embedded one (started on demand) or the one named by ``TEST_WAREHOUSE_URL``. Each
test session migrates one template database; ``fresh_warehouse`` clones it per test (CREATE DATABASE
... TEMPLATE), so tests are isolated and start from an upgraded, empty warehouse.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
import sqlalchemy as sa

from analytics import migrate
from analytics.config import embedded_port
from analytics.db import engine_for


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_url() -> str:
    url = os.environ.get("TEST_WAREHOUSE_URL", "").strip()
    if url:
        return url
    from analytics import embedded

    if not embedded.is_running():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            taken = sock.connect_ex(("127.0.0.1", embedded_port())) == 0
        if taken:  # e.g. another checkout's warehouse: run this checkout's server on a free port
            os.environ["ANALYTICS_WAREHOUSE_PORT"] = str(_free_port())
    embedded.start()
    return embedded.url("postgres")


def _with_database(url: str, database: str) -> str:
    return sa.make_url(url).set(database=database).render_as_string(hide_password=False)


def _admin(url: str, statement: str) -> None:
    conn = psycopg2.connect(_with_database(url, "postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def template_database(server_url: str) -> Iterator[str]:
    name = f"analytics_tpl_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    try:
        migrate.upgrade(_with_database(server_url, name))
        yield name
    finally:
        _admin(server_url, f'drop database if exists "{name}" with (force)')


@pytest.fixture
def fresh_warehouse(server_url: str, template_database: str) -> Iterator[str]:
    """URL of a new, migrated, empty warehouse database, dropped after the test."""
    name = f"analytics_t_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}" template "{template_database}"')
    try:
        yield _with_database(server_url, name)
    finally:
        _admin(server_url, f'drop database if exists "{name}" with (force)')


@contextmanager
def database_copy(server_url: str, template: str) -> Iterator[sa.Engine]:
    """An engine on a new copy of database ``template`` (which nobody may be connected to), dropped after."""
    name = f"analytics_t_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}" template "{template}"')
    engine = engine_for(_with_database(server_url, name))
    try:
        yield engine
    finally:
        engine.dispose()
        _admin(server_url, f'drop database if exists "{name}" with (force)')


@pytest.fixture
def engine(fresh_warehouse: str) -> Iterator[sa.Engine]:
    eng = engine_for(fresh_warehouse)
    yield eng
    eng.dispose()


def query(engine: sa.Engine, sql: str, params: dict | None = None) -> list[tuple]:
    """Run a read query on the warehouse and return all rows (tests only)."""
    from analytics import db

    with db.transaction(engine) as conn:
        return db.fetch_all(conn, sql, params)
