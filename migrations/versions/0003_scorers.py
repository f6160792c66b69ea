"""Scorer tables: model runs, segment and tier dimensions, the customer-feature extract, and the RFM,
lifetime-value and churn-risk daily snapshots.

Revision ID: 0003_scorers
Revises: 0002_frozen_history
Create Date: 2026-11-22
"""

from analytics.migration_support import apply_sql, seed_csv

revision = "0003_scorers"
down_revision = "0002_frozen_history"
branch_labels = None
depends_on = None

# The RFM rules this revision installs; a later change to the rules is a new revision with its own file.
SEGMENT_SEED = "seed/dim_customer_segment.csv"


def upgrade() -> None:
    apply_sql("ddl/0003_scorers/01_model_run_and_dims.sql", "ddl/0003_scorers/02_customer_features.sql",
              "ddl/0003_scorers/03_score_facts.sql")
    seed_csv("core.dim_customer_segment", SEGMENT_SEED, extra={"segment_type": "rfm"}, key="segment_key")


def downgrade() -> None:
    apply_sql("ddl/0003_scorers_down.sql")
