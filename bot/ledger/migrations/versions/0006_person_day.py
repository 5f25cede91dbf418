"""ix_jobs_person: what one person used today in every chat (USER_DAILY_LIMIT), read by index."""

from alembic import op

revision = "0006_person_day"
down_revision = "0005_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_person", "jobs", ["actor", "day", "status", "credits"])


def downgrade() -> None:
    op.drop_index("ix_jobs_person", "jobs")
