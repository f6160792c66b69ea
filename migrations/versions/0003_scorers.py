"""Scorer tables: model runs, segment and tier dimensions, the customer-feature extract, and the RFM,
lifetime-value and churn-risk daily snapshots.

Revision ID: 0003_scorers
Revises: 0002_frozen_history
Create Date: 2026-11-22
"""

import csv

from alembic import op

from analytics.config import SQL_DIR
from analytics.migration_support import apply_sql

revision = "0003_scorers"
down_revision = "0002_frozen_history"
branch_labels = None
depends_on = None

# The RFM rules this revision installs; a later change to the rules is a new revision with its own file.
SEGMENT_SEED = "seed/dim_customer_segment.csv"
_RULE_COLUMNS = ("segment_code", "segment_name", "priority", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max",
                 "description", "recommended_action")


def _seed_segments() -> None:
    with open(SQL_DIR / SEGMENT_SEED, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = ", ".join(_RULE_COLUMNS)
    values = ", ".join(f"%({c})s" for c in _RULE_COLUMNS)
    for key, row in enumerate(rows, start=1):
        op.get_bind().exec_driver_sql(
            f"insert into core.dim_customer_segment (segment_key, segment_type, {columns}) "
            f"values (%(segment_key)s, 'rfm', {values})",
            {"segment_key": key, **{c: row[c] for c in _RULE_COLUMNS}},
        )


def upgrade() -> None:
    apply_sql("ddl/0003_scorers/01_model_run_and_dims.sql", "ddl/0003_scorers/02_customer_features.sql",
              "ddl/0003_scorers/03_score_facts.sql")
    _seed_segments()


def downgrade() -> None:
    apply_sql("ddl/0003_scorers_down.sql")
