"""Credits people buy: jobs.paid_credits (what of a job's credits came from the bought
balance, so a refund returns each credit to where it came from), and purchases, one row per
purchase or refund keyed by the platform's charge or entitlement id (credited once)."""

import sqlalchemy as sa
from alembic import op

revision = "0011_payments"
down_revision = "0010_budget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("paid_credits", sa.Integer(), nullable=False,
                                    server_default="0"))
    op.create_index("ix_jobs_paid", "jobs", ["actor", "paid_credits", "status"])
    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("charge_id", sa.String(255), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
    )
    op.create_index("ux_purchases_charge", "purchases", ["platform", "kind", "charge_id"],
                    unique=True)
    op.create_index("ix_purchases_actor", "purchases", ["actor", "credits"])
    op.create_index("ix_purchases_at", "purchases", ["at"])


def downgrade() -> None:
    op.drop_table("purchases")
    op.drop_index("ix_jobs_paid", "jobs")
    op.drop_column("jobs", "paid_credits")
