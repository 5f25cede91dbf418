"""jobs.delivering_at: when the upload of a job's result began. A job found unfinished with it
set may have reached the user: it is never redone (no second delivery), only refunded."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("delivering_at", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "delivering_at")
