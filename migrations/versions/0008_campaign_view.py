"""Campaign-level mart view: mart.vw_campaign_performance (campaign x month: spend, reach, attributed revenue,
CTR, cost per click / lead / acquisition, ROAS, ROI %), owned by analytics_etl like the other mart views.

Revision ID: 0008_campaign_view
Revises: 0007_marts_privacy
Create Date: 2026-11-24
"""

from analytics.migration_support import apply_sql

revision = "0008_campaign_view"
down_revision = "0007_marts_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The grants file hands the new view to analytics_etl (default privileges only cover bi_reader's SELECT).
    apply_sql("views/mart_vw_campaign_performance.sql", "ddl/0007_marts_privacy/07_grants.sql")


def downgrade() -> None:
    apply_sql("ddl/0008_campaign_view_down.sql")
