"""turns: one row per delivered job holding what a follow-up edit sends back to the model:
the user's turn (prompt and images) and the model's turn, its parts exactly as received
(thoughtSignature included); ``message_key`` names the platform message showing the result."""

import sqlalchemy as sa
from alembic import op

revision = "0006_turns"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turns",
        sa.Column("job_id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("user_parts", sa.Text, nullable=False),
        sa.Column("model_parts", sa.Text, nullable=False),
        sa.Column("message_key", sa.String(160), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_turns_message", "turns", ["message_key"])
    op.create_index("ix_turns_created", "turns", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_turns_created", "turns")
    op.drop_index("ix_turns_message", "turns")
    op.drop_table("turns")
