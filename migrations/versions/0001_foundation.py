"""Foundation: schemas raw/stg/core/mart/audit, load audit, staging, core dimensions and facts, mart view.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-21
"""

from analytics.migration_support import apply_sql

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql(
        "ddl/0001_foundation/01_schemas.sql",
        "ddl/0001_foundation/02_audit.sql",
        "ddl/0001_foundation/03_raw.sql",
        "ddl/0001_foundation/04_stg.sql",
        "ddl/0001_foundation/05_core_dims.sql",
        "ddl/0001_foundation/06_core_facts.sql",
        "ddl/0001_foundation/07_seed_reference.sql",
        "views/mart_customer_activity_monthly.sql",
    )


def downgrade() -> None:
    apply_sql("ddl/0001_foundation_down.sql")
