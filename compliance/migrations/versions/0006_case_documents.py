"""Inspector cases' documents (shared README 11.6): the document served and its rectify-by date.

A case moved to ``notified`` records which document the employer was served (``rectification_order`` 限期改正
指令书, ``audit_opinion`` 稽核整改意见书 or ``payment_notice`` 限期缴费通知书) and the date it orders things put
right by; ``not_rectified`` is allowed only after that date. Both are kept on the case (its current notice) and
on the note of the move (its history). The new states (``not_rectified``, ``penalised``, ``withdrawn``) fit the
existing ``state`` columns (String(16)). Cases stored before this revision have neither: they keep their
states and moves, and one notified without a date cannot be recorded as not rectified (compliance.cases).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("cases", "case_notes"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("document", sa.String(32)))
            batch.add_column(sa.Column("rectify_by", sa.Date))


def downgrade() -> None:
    for table in ("case_notes", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("rectify_by")
            batch.drop_column("document")
