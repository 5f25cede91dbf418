"""The budget for the whole deployment: ``budget_alerts``, where each of the operators' 80% and
100% alerts is claimed once per day (and per month) by the replica that sends it, and an index
that lets the reservation sum a day's or a month's spend from the index alone."""

import sqlalchemy as sa
from alembic import op

revision = "0010_budget"
down_revision = "0009_asked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_alerts",
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("threshold", sa.Integer, primary_key=True),
        sa.Column("spent_usd", sa.Float, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_jobs_spend", "jobs", ["day", "status", "cost_usd", "estimated_usd"])


def downgrade() -> None:
    op.drop_index("ix_jobs_spend", "jobs")
    op.drop_table("budget_alerts")
