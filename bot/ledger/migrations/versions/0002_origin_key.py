"""jobs.origin_key: the platform message (or button press) a job came from, at most once."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("origin_key", sa.String(160), nullable=True))
    op.create_index("ux_jobs_origin", "jobs", ["origin_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_jobs_origin", "jobs")
    op.drop_column("jobs", "origin_key")
