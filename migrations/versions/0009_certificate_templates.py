"""certificates: template layout per field, signature image, certificate of attendance; job heartbeats

Revision ID: 0009_certificate_templates
Revises: 0008_jobs
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_certificate_templates"
down_revision = "0008_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("layout", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("attendance_title", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("attendance_pattern", sa.String(length=120), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        # existing rows get 0; the model has no server default, so it is dropped again below
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("attempt", server_default=None)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("attempt")
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("certificate_settings", schema=None) as batch_op:
        batch_op.drop_column("attendance_pattern")
        batch_op.drop_column("attendance_title")
        batch_op.drop_column("layout")
        batch_op.drop_column("signature_key")
