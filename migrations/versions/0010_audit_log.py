"""security: audit log of organiser and admin actions

Revision ID: 0010_audit_log
Revises: 0009_certificate_templates
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_audit_log"
down_revision = "0009_certificate_templates"
branch_labels = None
depends_on = None


INDEXED = ("action", "created_at", "endpoint", "event_id", "user_id")


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=200), nullable=True),
        sa.Column("user_role", sa.String(length=20), nullable=True),
        sa.Column(
            "action",
            sa.Enum("request", "login", "login_failed", "logout", name="auditaction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.JSON(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_audit_log_{column}"), [column], unique=False)


def downgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_audit_log_{column}"))

    op.drop_table("audit_log")
