"""The ledger's tables (SQLAlchemy Core). Migrations in bot/ledger/migrations create them."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

limits = Table(
    "limits", metadata,
    Column("scope", String(128), primary_key=True),
    Column("kind", String(16), primary_key=True),  # member | default | total
    Column("member", String(128), primary_key=True),  # '' unless kind == member
    Column("per_day", Integer, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("scope", String(128), nullable=False),
    Column("day", String(10), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # reserved | committed | refunded
    Column("request", Text, nullable=False),  # JSON: command, actor, scope, adapter origin
    Column("note", Text, nullable=False, server_default=""),
    Column("origin_key", String(160), nullable=True),  # the platform message, at most once
    Column("delivering_at", String(40), nullable=True),  # the result's upload began
    Column("asked_at", String(40), nullable=True),  # sent to the model: paid for from here
    Column("owner", String(64), nullable=True),  # the process holding the job (its lease)
    Column("heartbeat_at", String(40), nullable=True),  # the owner's last sign of life
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # spend (bot/pricing.py): what the upstream reported and what it is estimated to cost
    Column("model", String(80), nullable=True),
    Column("prompt_tokens", Integer, nullable=True),
    Column("output_tokens", Integer, nullable=True),
    Column("thoughts_tokens", Integer, nullable=True),
    Column("total_tokens", Integer, nullable=True),
    Column("cost_usd", Float, nullable=True),  # set once the upstream answered
    Column("estimated_usd", Float, nullable=True),  # held against the budget meanwhile
    # of ``credits``, how many came from the person's bought balance (the rest were free)
    Column("paid_credits", Integer, nullable=False, server_default="0"),
    Index("ix_jobs_usage", "scope", "day", "actor", "status", "credits"),
    Index("ix_jobs_status", "status", "platform"),
    Index("ix_jobs_day", "day", "status"),
    Index("ux_jobs_origin", "origin_key", unique=True),
    Index("ix_jobs_person", "actor", "day", "status", "credits"),
    Index("ix_jobs_spend", "day", "status", "cost_usd", "estimated_usd"),
    Index("ix_jobs_paid", "actor", "paid_credits", "status"),
)

# every purchase and refund of bought credits: who, what, when, and the platform's id for it
# (Telegram's telegram_payment_charge_id, Discord's entitlement id); a person's balance is
# what their rows add up to, less the credits their live jobs took from it
purchases = Table(
    "purchases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),  # telegram | discord
    Column("kind", String(16), nullable=False),  # purchase | refund
    Column("charge_id", String(255), nullable=False),  # the platform's charge or entitlement
    Column("actor", String(128), nullable=False),
    Column("pack", String(64), nullable=False),  # credits:stars, or the Discord SKU id
    Column("credits", Integer, nullable=False),  # added (a purchase) or taken back (< 0)
    Column("stars", Integer, nullable=False, server_default="0"),  # paid (< 0: given back)
    Column("at", String(40), nullable=False),
    Column("by", String(128), nullable=False),  # the buyer, or who refunded
    Index("ux_purchases_charge", "platform", "kind", "charge_id", unique=True),
    Index("ix_purchases_actor", "actor", "credits"),
    Index("ix_purchases_at", "at"),
)

# a generated (paid) result, kept from before its delivery starts until the job is finished
results = Table(
    "results", metadata,
    Column("job_id", Integer, primary_key=True),
    Column("mime_type", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),  # bytea on PostgreSQL, a blob on SQLite
    Column("created_at", String(40), nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("scope", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(128), nullable=False),
    Column("old_value", Integer, nullable=True),
    Column("new_value", Integer, nullable=True),
    Column("detail", Text, nullable=True),  # a change that is no number: "4K off", a word
)

# a group's or server's settings (bot/community/settings.py), one JSON row each; ``version``
# grows with every change, so a replica sees a change with one cheap read
community_settings = Table(
    "community_settings", metadata,
    Column("scope", String(128), primary_key=True),
    Column("data", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

turns = Table(
    "turns", metadata,
    Column("job_id", Integer, primary_key=True),  # the job whose result this turn made
    Column("parent_id", Integer, nullable=True),  # the turn it continued
    Column("user_parts", Text, nullable=False),  # JSON: the prompt and input images
    Column("model_parts", Text, nullable=False),  # JSON: the model's parts, as received
    Column("message_key", String(160), nullable=True),  # the message showing the result
    Column("created_at", String(40), nullable=False),
    Index("ix_turns_message", "message_key"),
    Index("ix_turns_created", "created_at"),
)

# the images a person can pick again without sending them anew (Telegram's inline mode and
# /history): their results and the photos they sent, by the platform's own reference to the
# file (a Telegram file_id), so showing one again uploads nothing
recent_images = Table(
    "recent_images", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(128), nullable=False),  # whose image it is
    Column("ref", String(255), nullable=False),  # the platform's reference to the file
    Column("job_id", Integer, nullable=True),  # the job whose result it is; None: sent
    Column("created_at", String(40), nullable=False),
    Index("ix_recent_actor", "actor", "id"),
)

# the operators' budget alerts, each claimed once for the deployment (bot/ledger/spending.py)
budget_alerts = Table(
    "budget_alerts", metadata,
    Column("period", String(16), primary_key=True),  # a day (2026-12-06) or a month (2026-12)
    Column("threshold", Integer, primary_key=True),  # percent of the budget: 80 or 100
    Column("spent_usd", Float, nullable=False),  # the spend when it was reached
    Column("at", String(40), nullable=False),
)

# the deployment's spend per quota day (each job's SPEND, spending.py), a running total kept by
# triggers on jobs (migration 0015) in the transaction that changes a job's spend
spend_days = Table(
    "spend_days", metadata,
    Column("day", String(10), primary_key=True),
    Column("usd", Float, nullable=False),
)
