"""POS transaction logs: raw table, cleaning reference tables, classified staging, products, cleaning
summary; engagement and one-big-table mart views.

Revision ID: 0004_pos_log
Revises: 0003_scorers
Create Date: 2026-11-22
"""

from analytics.migration_support import apply_sql, seed_csv

revision = "0004_pos_log"
down_revision = "0003_scorers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql(
        "ddl/0004_pos_log/01_raw_pos_transactions.sql",
        "ddl/0004_pos_log/02_pos_reference_and_stg.sql",
        "ddl/0004_pos_log/03_dim_product_and_cleaning_summary.sql",
        "views/mart_vw_engagement_daily.sql",
        "views/versions/0004_pos_log/mart_obt_customer_kpis_and_segmentation.sql",
        "views/versions/0004_pos_log/mart_obt_overall_customer_kpis.sql",
        "views/mart_vw_cleaning_summary.sql",
        "views/mart_vw_price_consistency.sql",
    )
    # The cleaning reference tables this revision installs (a later change is a new revision).
    seed_csv("core.ref_pos_category", "seed/pos_categories.csv")
    seed_csv("core.ref_pos_cleaning_rule", "seed/pos_cleaning_rules.csv")
    seed_csv("core.ref_pos_country_map", "seed/pos_country_map.csv")
    apply_sql("ddl/0004_pos_log/04_pos_countries.sql")


def downgrade() -> None:
    apply_sql("ddl/0004_pos_log_down.sql")
