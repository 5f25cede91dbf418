"""The deployment's line for the upstream (bot/upstream/shared_queue.py,
PostgreSQL): ``queue_slots``,
the upstream calls granted, and ``queue_waiters``, the places waiting for one in arrival order.
Each row names the replica that holds it and expires unless that replica renews it. SQLite gets
the tables too (one schema everywhere) but never uses them."""

import sqlalchemy as sa
from alembic import op

revision = "0008_queue"
down_revision = "0007_spend"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),  # the person (one call at a time)
        sa.Column("replica", sa.String(64), nullable=False),  # the process that holds it
        sa.Column("arrival", sa.Float, nullable=False),  # when the request was received
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table("queue_slots", *_columns())
    op.create_table("queue_waiters", *_columns())
    op.create_index("ix_queue_waiters_arrival", "queue_waiters", ["arrival", "id"])


def downgrade() -> None:
    op.drop_index("ix_queue_waiters_arrival", "queue_waiters")
    op.drop_table("queue_waiters")
    op.drop_table("queue_slots")
