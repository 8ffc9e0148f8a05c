"""Sign-ins bound to a browser (issue 20, finding 1): the hash of each sign-in cookie's token.

A sign-in lived only in the Streamlit session, which any websocket naming the session's id could
resume. Now a sign-in is a random token in an HttpOnly cookie; the store keeps only its SHA-256,
with the times that bound it (idle and absolute expiry) and when it was ended (sign-out, disable).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_ins",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
    )
    op.create_index("ix_sign_ins_username", "sign_ins", ["username"])


def downgrade() -> None:
    op.drop_table("sign_ins")
