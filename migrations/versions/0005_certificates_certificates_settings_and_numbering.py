"""certificates: settings, pass rule, overrides, number sequences, certificates

Revision ID: 0005_certificates
Revises: 0004_courses
Create Date: 2026-11-23 14:06:16.104480

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_certificates"
down_revision = "0004_courses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_number_sequences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_certificate_number_sequences_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_number_sequences")),
        sa.UniqueConstraint("agency_id", "year", name="uq_certificate_number_sequences_agency_id_year"),
    )
    op.create_table(
        "certificate_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number_pattern", sa.String(length=120), nullable=False),
        sa.Column("signatory_name", sa.String(length=200), nullable=False),
        sa.Column("signatory_position", sa.String(length=200), nullable=False),
        sa.Column("signatory_nip", sa.String(length=18), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("issue_attendance", sa.Boolean(), nullable=False),
        sa.Column("background_key", sa.String(length=200), nullable=True),
        sa.Column("logo_key", sa.String(length=200), nullable=True),
        sa.Column("issue_lock", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_certificate_settings_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_settings")),
        sa.UniqueConstraint("event_id", name=op.f("uq_certificate_settings_event_id")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("kelulusan", "kehadiran", name="certificatekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=150), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("holder_nip", sa.String(length=18), nullable=True),
        sa.Column("holder_agency", sa.String(length=200), nullable=False),
        sa.Column("total_jp", sa.Integer(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_pdf_key", sa.String(length=200), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_certificates_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_certificates_issued_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_replaced_by_id_certificates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_certificates_revoked_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_certificates_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_user_id"), ["user_id"], unique=False)
    op.create_table(
        "completion_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "result",
            sa.Enum("passed", "failed", "cleared", name="overrideresult", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_completion_overrides_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_completion_overrides_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_completion_overrides_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_overrides")),
    )
    with op.batch_alter_table("completion_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_completion_overrides_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_completion_overrides_user_id"), ["user_id"], unique=False)
    op.create_table(
        "completion_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("min_attendance", sa.Integer(), nullable=True),
        sa.Column(
            "attendance_basis",
            sa.Enum("sessions", "jp", name="attendancebasis", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("min_post_test", sa.Float(), nullable=True),
        sa.Column("require_evaluation", sa.Boolean(), nullable=False),
        sa.Column("require_materials", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "min_attendance IS NULL OR (min_attendance >= 0 AND min_attendance <= 100)",
            name=op.f("ck_completion_rules_attendance"),
        ),
        sa.CheckConstraint(
            "min_post_test IS NULL OR (min_post_test >= 0 AND min_post_test <= 100)",
            name=op.f("ck_completion_rules_post_test"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_completion_rules_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_rules")),
        sa.UniqueConstraint("event_id", name=op.f("uq_completion_rules_event_id")),
    )


def downgrade():
    op.drop_table("completion_rules")
    with op.batch_alter_table("completion_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_overrides_user_id"))
        batch_op.drop_index(batch_op.f("ix_completion_overrides_event_id"))
    op.drop_table("completion_overrides")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_user_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_event_id"))
    op.drop_table("certificates")
    op.drop_table("certificate_settings")
    op.drop_table("certificate_number_sequences")
