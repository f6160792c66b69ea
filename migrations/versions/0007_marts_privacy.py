"""Dashboard mart views and privacy roles: the publish marker, customer pseudonyms and contact masking,
segment value ranks, the RFM / lifetime-value / churn / cohort / model-quality / pipeline-health views, the
outreach contact lists, and the roles analytics_etl, bi_reader and crm_outreach with their grants.

Revision ID: 0007_marts_privacy
Revises: 0006_segments
Create Date: 2026-11-22
"""

from analytics.migration_support import apply_sql

revision = "0007_marts_privacy"
down_revision = "0006_segments"
branch_labels = None
depends_on = None

# The views this revision installs, in dependency order (history before the views reading it).
VIEWS = (
    "views/mart_obt_customer_kpis_and_segmentation.sql",
    "views/mart_obt_overall_customer_kpis.sql",
    "views/mart_vw_rfm_segment_summary_history.sql",
    "views/mart_vw_rfm_segment_summary.sql",
    "views/mart_vw_rfm_score_distribution.sql",
    "views/mart_vw_segment_migration.sql",
    "views/mart_vw_clv_tier_summary_history.sql",
    "views/mart_vw_clv_tier_summary.sql",
    "views/mart_vw_clv_distribution.sql",
    "views/mart_vw_top_customers_clv.sql",
    "views/mart_vw_churn_risk_overview_history.sql",
    "views/mart_vw_churn_risk_overview.sql",
    "views/core_at_risk_customers.sql",
    "views/mart_vw_at_risk_customers.sql",
    "views/mart_vw_churn_factor_analysis.sql",
    "views/mart_vw_customer_cohort_analysis.sql",
    "views/mart_vw_model_quality.sql",
    "views/mart_vw_pipeline_health.sql",
    "views/outreach_at_risk_contacts.sql",
    "views/outreach_vip_contacts.sql",
)


def upgrade() -> None:
    apply_sql(
        "ddl/0007_marts_privacy/01_roles.sql",
        "ddl/0007_marts_privacy/02_score_snapshot.sql",
        "ddl/0007_marts_privacy/03_customer_pseudonym.sql",
        "ddl/0007_marts_privacy/04_segment_value_rank.sql",
        "ddl/0007_marts_privacy/05_outreach_schema.sql",
        "ddl/0007_marts_privacy/06_drop_replaced_views.sql",
        *VIEWS,
        "ddl/0007_marts_privacy/07_grants.sql",
    )


def downgrade() -> None:
    apply_sql(
        "ddl/0007_marts_privacy_down.sql",
        "views/versions/0004_pos_log/mart_obt_customer_kpis_and_segmentation.sql",
        "views/versions/0004_pos_log/mart_obt_overall_customer_kpis.sql",
    )
