"""Per-customer summary of the frozen months (first and last active month) for fast daily builds.

Revision ID: 0002_frozen_history
Revises: 0001_foundation
Create Date: 2026-11-21
"""

from analytics.migration_support import apply_sql

revision = "0002_frozen_history"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql("ddl/0002_frozen_history/01_customer_frozen_history.sql")


def downgrade() -> None:
    apply_sql("ddl/0002_frozen_history_down.sql")
