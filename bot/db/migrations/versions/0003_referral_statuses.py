"""Statuses that fit the request (issue 14): passed, resolved and withdrawn, a decline's reason; usernames.

Was legacy/0012_staff.sql on main before Alembic. PostgreSQL alters the CHECK constraint in place. SQLite
cannot, and a batch rebuild would drop `referrals` with foreign keys on, deleting every referral_events row
by cascade: so on SQLite the legacy file's own rebuild runs (both tables copied aside, recreated, refilled,
ids kept), which is what a database of the legacy code got.

Revision ID: 0003_referral_statuses
Revises: 0002_cases_reopened
Create Date: 2026-12-01
"""

from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0003_referral_statuses"
down_revision = "0002_cases_reopened"
branch_labels = None
depends_on = None

STATUSES = ("new", "contacted", "enrolled", "completed", "passed", "resolved", "declined", "withdrawn")


def _legacy_statements() -> list[str]:
    sql = resources.files("bot.db").joinpath("migrations", "legacy", "0012_staff.sql").read_text(encoding="utf-8")
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _legacy_statements():
            op.execute(statement)
        return
    op.drop_constraint(op.f("referrals_status"), "referrals", type_="check")
    op.create_check_constraint(
        "status", "referrals", "status IN (" + ", ".join(f"'{status}'" for status in STATUSES) + ")"
    )
    op.add_column("referrals", sa.Column("decline_reason", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("username", sa.Text(), nullable=True))
    op.create_index("users_username", "users", ["username"])


def downgrade() -> None:
    raise NotImplementedError("restore a backup to go back before 0003")
