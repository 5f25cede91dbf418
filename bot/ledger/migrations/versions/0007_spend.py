"""Spend: each job's upstream usage (usageMetadata tokens), its estimated cost in US dollars,
the estimate held against the daily budget while it runs, and the model that answered; an
index on the day for the budget and /stats."""

import sqlalchemy as sa
from alembic import op

revision = "0007_spend"
down_revision = "0006_person_day"
branch_labels = None
depends_on = None

_COLUMNS = ("model", "prompt_tokens", "output_tokens", "thoughts_tokens", "total_tokens",
            "cost_usd", "estimated_usd")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("model", sa.String(80), nullable=True))
        for name in ("prompt_tokens", "output_tokens", "thoughts_tokens", "total_tokens"):
            batch.add_column(sa.Column(name, sa.Integer, nullable=True))
        batch.add_column(sa.Column("cost_usd", sa.Float, nullable=True))
        batch.add_column(sa.Column("estimated_usd", sa.Float, nullable=True))
    op.create_index("ix_jobs_day", "jobs", ["day", "status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_day", "jobs")
    with op.batch_alter_table("jobs") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
