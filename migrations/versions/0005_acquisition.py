"""Marketing extracts and acquisition facts: raw and stg campaigns, spend and touchpoints; campaign and
interaction-channel dimensions; lead, customer-acquisition and campaign-performance facts; CAC columns of the
lifetime-value snapshot; acquisition mart views.

Revision ID: 0005_acquisition
Revises: 0004_pos_log
Create Date: 2026-11-23
"""

from analytics.migration_support import apply_sql, seed_csv

revision = "0005_acquisition"
down_revision = "0004_pos_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql(
        "ddl/0005_acquisition/01_raw_marketing.sql",
        "ddl/0005_acquisition/02_stg_marketing.sql",
        "ddl/0005_acquisition/03_core_dims.sql",
        "ddl/0005_acquisition/04_core_facts.sql",
        "ddl/0005_acquisition/05_ltv_acquisition_cost.sql",
        "views/mart_vw_acquisition_channel_performance.sql",
        "views/mart_vw_acquisition_funnel.sql",
    )
    # The channels this revision installs (a later change is a new revision).
    seed_csv("core.dim_interaction_channel", "seed/dim_interaction_channel.csv")


def downgrade() -> None:
    apply_sql("ddl/0005_acquisition_down.sql")
