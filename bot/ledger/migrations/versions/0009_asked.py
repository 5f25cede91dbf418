"""jobs.asked_at: when the job's request was sent to the model. Only the process holding the
job may ask (a replica that lost its lease never asks for a job another one took over), and a
job resumed with it set but no kept result is logged as asked twice."""

import sqlalchemy as sa
from alembic import op

revision = "0009_asked"
down_revision = "0008_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("asked_at", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "asked_at")
