"""Login users for privilege tests: a unique user per test, member of one warehouse role, dropped afterwards.

Roles are cluster-wide and other test databases share the server, so names carry a random suffix and the
user owns and is granted nothing itself (only membership), which lets DROP ROLE succeed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import sqlalchemy as sa

__all__ = ["login_member"]


@contextmanager
def login_member(database_url: str, role: str) -> Iterator[str]:
    """URL of ``database_url``'s database for a new LOGIN user that is a member of ``role``."""
    user = f"t_{role}_{uuid.uuid4().hex[:10]}"
    admin = sa.make_url(database_url)
    _run(admin, f'create role "{user}" login in role "{role}"')
    try:
        yield admin.set(username=user, password=None).render_as_string(hide_password=False)
    finally:
        _run(admin, f'drop role "{user}"')


def _run(url: sa.URL, statement: str) -> None:
    conn = psycopg2.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()
