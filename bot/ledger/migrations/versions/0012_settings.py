"""Community settings: one row of JSON per group or server, set by its moderators, and the
audit's ``detail`` for changes that are no number (a size turned off, a word blocked)."""

import sqlalchemy as sa
from alembic import op

revision = "0012_settings"
down_revision = "0011_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit", sa.Column("detail", sa.Text(), nullable=True))
    op.create_table(
        "community_settings",
        sa.Column("scope", sa.String(128), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("community_settings")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("detail")
