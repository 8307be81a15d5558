"""Talk to a person: when a closed case was opened again, so its card and the console say it was reopened.

Was legacy/0011_cases.sql on main before Alembic.

Revision ID: 0002_cases_reopened
Revises: 0001_baseline
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_cases_reopened"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.add_column("cases", sa.Column("reopened_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("reopened_at")
