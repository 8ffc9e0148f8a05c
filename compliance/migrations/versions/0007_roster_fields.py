"""The roster fields of shared README section 11.1 kept with each stored employment.

A leaver's status, the deregistration (减员) check, a month-only registration date, the duty of a
dispatched worker and the insurance types an employee is exempt from all decide how a stored row is
judged (section 11.2–11.3), and the card's fields (card city, its two functions, the insurance status)
what the card page says (11.4): they must survive storage so that a stored row is judged as its file
was. Rows stored before this revision have none of them, and are judged as they were then.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DATES = ["career_start_date", "leave_date", "deregistration_date"]
TEXTS = {"insurance_status": 16, "card_city": 64, "social_function": 16, "financial_function": 16,
         "dispatch_local_branch": 8, "exempt_types": 64}


def upgrade() -> None:
    with op.batch_alter_table("employments") as batch:
        for name in DATES:
            batch.add_column(sa.Column(name, sa.Date))
        for name, length in TEXTS.items():
            batch.add_column(sa.Column(name, sa.String(length)))
        batch.add_column(sa.Column("registration_month_only", sa.Boolean))


def downgrade() -> None:
    with op.batch_alter_table("employments") as batch:
        for name in ["registration_month_only", *reversed(TEXTS), *reversed(DATES)]:
            batch.drop_column(name)
