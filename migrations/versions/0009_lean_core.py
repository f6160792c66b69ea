"""Order lines carry their order's qualification and their AED rounding adjustment (the line controls then read
one table); core.deferred_index keeps the definitions of indexes a bulk build has dropped; block-range indexes
replace the b-trees on months, local dates and change loads of the big staged and core tables.

Revision ID: 0009_lean_core
Revises: 0008_campaign_view
Create Date: 2026-12-07
"""

from analytics.migration_support import apply_sql

revision = "0009_lean_core"
down_revision = "0008_campaign_view"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql("ddl/0009_lean_core/01_fact_order_line_controls.sql", "ddl/0009_lean_core/02_deferred_index.sql",
              "ddl/0009_lean_core/03_brin_indexes.sql")


def downgrade() -> None:
    apply_sql("ddl/0009_lean_core_down.sql")
