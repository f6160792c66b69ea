"""Temporary login users in the warehouse roles (DESIGN §8), for checks and benchmarks that must see exactly
what a member of a role sees.

Roles are cluster-wide and shared by every database of the server: the user gets a random suffix, holds
nothing but its membership (so DROP ROLE always succeeds) and is dropped on exit. Creating one needs a
connection allowed to create roles (the warehouse owner or a superuser).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import sqlalchemy as sa

__all__ = ["temporary_member"]


@contextmanager
def temporary_member(database_url: str, role: str) -> Iterator[str]:
    """URL of ``database_url``'s database for a new LOGIN user, member of ``role``, with a random password."""
    user = f"t_{role}_{uuid.uuid4().hex[:10]}"
    password = secrets.token_urlsafe(24)
    admin = sa.make_url(database_url)
    _run(admin, f'create role "{user}" login password %(p)s in role "{role}"', {"p": password})
    try:
        yield admin.set(username=user, password=password).render_as_string(hide_password=False)
    finally:
        _run(admin, f'drop role "{user}"')


def _run(url: sa.URL, statement: str, params: dict | None = None) -> None:
    conn = psycopg2.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement, params)
    finally:
        conn.close()
