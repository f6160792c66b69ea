"""Behavioural segments and LTV-score VIP tiers: more segment attributes, 'behavioral' segment rules,
'ltv_score' tiers, and the daily snapshot fact core.fact_customer_segment.

Revision ID: 0006_segments
Revises: 0005_acquisition
Create Date: 2026-11-23
"""

from analytics.migration_support import apply_sql, seed_csv

revision = "0006_segments"
down_revision = "0005_acquisition"
branch_labels = None
depends_on = None

# The behavioural rules and VIP tiers this revision installs; a later change is a new revision with its own file.
BEHAVIORAL_SEED = "seed/dim_customer_segment_behavioral.csv"
LTV_TIER_SEED = "seed/dim_customer_tier_ltv_score.csv"


def upgrade() -> None:
    apply_sql("ddl/0006_segments/01_segment_and_tier_dims.sql", "ddl/0006_segments/02_fact_customer_segment.sql")
    seed_csv("core.dim_customer_segment", BEHAVIORAL_SEED, extra={"segment_type": "behavioral"})
    seed_csv("core.dim_customer_tier", LTV_TIER_SEED, extra={"tier_type": "ltv_score"})


def downgrade() -> None:
    apply_sql("ddl/0006_segments_down.sql")
