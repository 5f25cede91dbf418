"""jobs.owner and jobs.heartbeat_at: a job's lease. A process resumes only the jobs whose owner
stopped beating (or, on SQLite, which one process holds, every job of an earlier run)."""

import sqlalchemy as sa
from alembic import op

revision = "0004_leases"
down_revision = "0006_turns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("jobs", sa.Column("heartbeat_at", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "heartbeat_at")
    op.drop_column("jobs", "owner")
