"""Uploads, employers, people, employments, agency registrations, cards, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column("uploaded_by", sa.String(128), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.UniqueConstraint("kind", "sha256", name="uq_uploads_kind_sha256"),
    )
    op.create_table(
        "employers",
        sa.Column("employer_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255)),
    )
    op.create_table(
        "people",
        sa.Column("ssn", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(128)),
        sa.Column("birth_date", sa.Date),
        sa.Column("sex", sa.String(1)),
        sa.Column("region_code", sa.String(6)),
    )
    op.create_table(
        "employments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employer_id", sa.String(64), sa.ForeignKey("employers.employer_id"), nullable=False),
        sa.Column("ssn", sa.String(18), sa.ForeignKey("people.ssn"), nullable=False),
        sa.Column("name", sa.String(128)),
        sa.Column("hire_date", sa.Date),
        sa.Column("registration_date", sa.Date),
        sa.Column("wage", sa.Float),
        sa.Column("card_status", sa.String(32)),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
    )
    op.create_index("ix_employments_employer", "employments", ["employer_id"])
    op.create_index("ix_employments_ssn", "employments", ["ssn"])
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employer_id", sa.String(64), nullable=False),
        sa.Column("ssn", sa.String(18), nullable=False),
        sa.Column("registration_date", sa.Date),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.UniqueConstraint("employer_id", "ssn", name="uq_registrations_employer_ssn"),
    )
    op.create_index("ix_registrations_ssn", "registrations", ["ssn"])
    op.create_table(
        "card_records",
        sa.Column("ssn", sa.String(18), primary_key=True),
        sa.Column("card_status", sa.String(32)),
        sa.Column("card_bank", sa.String(64)),
        sa.Column("activation_date", sa.Date),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("employer_id", sa.String(64)),
        sa.Column("detail", sa.Text),
    )


def downgrade() -> None:
    for table in ("audit_log", "card_records", "registrations", "employments", "people", "employers", "uploads"):
        op.drop_table(table)
