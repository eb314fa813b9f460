"""index enrolments by event and status (seat counts, status filters)

Revision ID: 0006_enrolment_status_index
Revises: 0005_certificates
Create Date: 2026-11-23

"""

from alembic import op

revision = "0006_enrolment_status_index"
down_revision = "0005_certificates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index("ix_enrolments_event_id_status", ["event_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_event_id_status")
