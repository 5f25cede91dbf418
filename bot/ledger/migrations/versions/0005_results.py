"""results: a generated image kept with its job from before delivery until the job is finished
(deleted then, or after 24 h at most), so a restart delivers it instead of paying again."""

import sqlalchemy as sa
from alembic import op

revision = "0005_results"
down_revision = "0004_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "results",
        sa.Column("job_id", sa.Integer, primary_key=True),
        sa.Column("mime_type", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("results")
