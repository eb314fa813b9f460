"""attendance and attendance settings

Revision ID: 0003_attendance
Revises: 0002_roster
Create Date: 2026-11-23 14:05:36.777735

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_attendance"
down_revision = "0002_roster"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attendance_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("opens_before_minutes", sa.Integer(), nullable=False),
        sa.Column("closes_after_minutes", sa.Integer(), nullable=False),
        sa.Column("late_after_minutes", sa.Integer(), nullable=False),
        sa.Column("qr_rotation_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("closes_after_minutes >= 0", name=op.f("ck_attendance_settings_closes_after_not_negative")),
        sa.CheckConstraint("late_after_minutes >= 0", name=op.f("ck_attendance_settings_late_after_not_negative")),
        sa.CheckConstraint("opens_before_minutes >= 0", name=op.f("ck_attendance_settings_opens_before_not_negative")),
        sa.CheckConstraint("qr_rotation_seconds >= 5", name=op.f("ck_attendance_settings_qr_rotation_min")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_attendance_settings_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_attendance_settings")),
    )
    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "hadir", "terlambat", "izin", "sakit", "alpa", name="attendancestatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "method",
            sa.Enum("qr", "manual", "import", name="attendancemethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_attendances_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_sessions.id"],
            name=op.f("fk_attendances_session_id_event_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_attendances_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("session_id", "user_id", name="uq_attendances_session_id_user_id"),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_user_id"))

    op.drop_table("attendances")
    op.drop_table("attendance_settings")
