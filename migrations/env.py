"""Alembic environment: migrations run on WAREHOUSE_URL, or on the embedded server by default."""

from alembic import context

from analytics.db import engine_for

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("warehouse_url") or config.get_main_option("sqlalchemy.url") or None
    engine = engine_for(url)
    with engine.connect() as connection:
        context.configure(connection=connection, version_table_schema="public", transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `analytics db upgrade` against a database")
run_migrations_online()
