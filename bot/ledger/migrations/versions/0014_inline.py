"""recent_images: the images a person can pick again without sending them anew (their results
and the photos they sent), by the platform's reference to the file; Telegram's inline mode and
/history read them."""

import sqlalchemy as sa
from alembic import op

revision = "0014_inline"
down_revision = "0012_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recent_images",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_recent_actor", "recent_images", ["actor", "id"])


def downgrade() -> None:
    op.drop_table("recent_images")
