"""Alembic environment: the ledger hands over an open connection (see ledger.migrate)."""

from alembic import context

from bot.ledger.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
