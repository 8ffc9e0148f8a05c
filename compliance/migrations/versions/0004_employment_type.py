"""Employment type and work permit date of stored roster rows (shared README section 10).

Who must be registered depends on the kind of employment (re-employed retirees, interns, dispatched
workers and service contracts are exempt from Art. 58), and a foreign employee's 30 days count from
the work permit when it is later than the hire date: both must survive storage so that a stored row
is judged as its file was. Rows stored before this revision have neither (treated as full-time, no
permit), as they were judged then.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employments") as batch:
        batch.add_column(sa.Column("employment_type", sa.String(16)))
        batch.add_column(sa.Column("work_permit_date", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("employments") as batch:
        batch.drop_column("work_permit_date")
        batch.drop_column("employment_type")
