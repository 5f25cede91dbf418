"""spend_days: the deployment's spend per quota day as a running total, kept by triggers on
``jobs`` in the transaction that changes a job's spend (its reservation's estimate, its recorded
cost, its refund), so the budget's clause reads a day's row and a month's few rows instead of
summing every job of the month. Filled from the jobs already recorded.

A job's spend is the rule of bot/ledger/spending.py (``SPEND``): its recorded cost, else its
estimate while it is reserved, else nothing. A later migration that rebuilds ``jobs`` on SQLite
(batch mode copies the table) drops these triggers and must create them again."""

import sqlalchemy as sa
from alembic import op

revision = "0015_spend_days"
down_revision = "0014_inline"
branch_labels = None
depends_on = None

TRIGGERS = ("jobs_spend_insert", "jobs_spend_update", "jobs_spend_delete")


def spend(row: str) -> str:
    return (f"(CASE WHEN {row}.cost_usd IS NOT NULL THEN {row}.cost_usd "
            f"WHEN {row}.status = 'reserved' THEN COALESCE({row}.estimated_usd, 0.0) "
            "ELSE 0.0 END)")


def add(row: str, sign: str) -> str:
    return (f"INSERT INTO spend_days (day, usd) VALUES ({row}.day, {sign}{spend(row)}) "
            "ON CONFLICT (day) DO UPDATE SET usd = spend_days.usd + excluded.usd;")


# only a change of spend (or of day) touches the total: most of a job's updates are not one
CHANGED = f"OLD.day <> NEW.day OR {spend('OLD')} <> {spend('NEW')}"


def upgrade() -> None:
    op.create_table(
        "spend_days",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("usd", sa.Float, nullable=False),
    )
    op.execute(f"INSERT INTO spend_days (day, usd) SELECT day, SUM({spend('jobs')}) FROM jobs "
               "GROUP BY day")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION jobs_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {add('OLD', '-')} END IF;
  IF TG_OP <> 'DELETE' THEN {add('NEW', '')} END IF;
  RETURN NULL;
END $$""")
        op.execute("CREATE TRIGGER jobs_spend_insert AFTER INSERT ON jobs FOR EACH ROW "
                   f"WHEN ({spend('NEW')} <> 0) EXECUTE FUNCTION jobs_spend()")
        op.execute("CREATE TRIGGER jobs_spend_update AFTER UPDATE OF day, status, cost_usd, "
                   f"estimated_usd ON jobs FOR EACH ROW WHEN ({CHANGED}) "
                   "EXECUTE FUNCTION jobs_spend()")
        op.execute("CREATE TRIGGER jobs_spend_delete AFTER DELETE ON jobs FOR EACH ROW "
                   "EXECUTE FUNCTION jobs_spend()")
        return
    op.execute(f"CREATE TRIGGER jobs_spend_insert AFTER INSERT ON jobs "
               f"WHEN {spend('NEW')} <> 0 BEGIN {add('NEW', '')} END")
    op.execute("CREATE TRIGGER jobs_spend_update AFTER UPDATE OF day, status, cost_usd, "
               f"estimated_usd ON jobs WHEN {CHANGED} "
               f"BEGIN {add('OLD', '-')} {add('NEW', '')} END")
    op.execute(f"CREATE TRIGGER jobs_spend_delete AFTER DELETE ON jobs "
               f"BEGIN {add('OLD', '-')} END")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (
            " ON jobs" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS jobs_spend()")
    op.drop_table("spend_days")
