"""The Superset bundle against a migrated warehouse: its datasets are mart views with those columns, and
``make superset``'s warehouse login is a read-only member of the BI role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import yaml

from analytics import superset_stack
from analytics.superset_bundle import BUNDLE_DIR
from tests.conftest import query

pytestmark = pytest.mark.db


def _datasets() -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((BUNDLE_DIR / "datasets").rglob("*.yaml"))]


@pytest.mark.parametrize("dataset", _datasets(), ids=lambda d: d["table_name"])
def test_dataset_is_a_mart_view_with_every_column(engine: sa.Engine, dataset: dict) -> None:
    relation = f"{dataset['schema']}.{dataset['table_name']}"
    kinds = query(engine, "select c.relkind from pg_class c where c.oid = to_regclass(%(r)s)", {"r": relation})
    assert kinds and kinds[0][0] in ("v", "m"), f"{relation} is not a view or materialized view"
    found = {
        row[0]
        for row in query(
            engine,
            "select attname from pg_attribute where attrelid = to_regclass(%(r)s) and attnum > 0 "
            "and not attisdropped",
            {"r": relation},
        )
    }
    missing = {c["column_name"] for c in dataset["columns"]} - found
    assert not missing, f"{relation} has no column(s) {sorted(missing)}"


@pytest.fixture
def bi_role(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """A throwaway BI role and login name (roles are server-wide: never touch the real ones)."""
    suffix = uuid.uuid4().hex[:8]
    role, login = f"bi_reader_t_{suffix}", f"superset_bi_t_{suffix}"
    monkeypatch.setattr(superset_stack, "BI_ROLE", role)
    yield role, login
    with engine.begin() as conn:
        conn.exec_driver_sql(f'drop role if exists "{login}"')
        conn.exec_driver_sql(f'drop role if exists "{role}"')


def test_login_is_refused_without_the_bi_role(fresh_warehouse: str, bi_role: tuple[str, str]) -> None:
    with pytest.raises(superset_stack.MissingRoleError, match="analytics db upgrade"):
        superset_stack.ensure_bi_login(fresh_warehouse, "pw-1", login=bi_role[1])


def test_login_is_a_read_only_member_of_the_bi_role_and_set_up_idempotently(
    engine: sa.Engine, fresh_warehouse: str, bi_role: tuple[str, str]
) -> None:
    role, login = bi_role
    with engine.begin() as conn:
        conn.exec_driver_sql(f'create role "{role}" nologin')
    superset_stack.ensure_bi_login(fresh_warehouse, "pw-1", login=login)
    superset_stack.ensure_bi_login(fresh_warehouse, "pw-2", login=login)
    rows = query(
        engine,
        "select r.rolcanlogin, r.rolconfig, pg_has_role(r.rolname, %(role)s, 'member') "
        "from pg_roles r where r.rolname = %(login)s",
        {"role": role, "login": login},
    )
    assert rows == [(True, ["default_transaction_read_only=on"], True)]
