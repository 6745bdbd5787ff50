"""ops: AI rollout settings, audit and conversation sides; handoff reviews; service alerts; staff plan

Revision ID: 0003_ops
Revises: 0002_jobs
Create Date: 2026-11-30 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0003_ops"
down_revision: str | None = "0002_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = kefu.store.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rollout_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_share", sa.Integer(), nullable=False),
        sa.Column("ai_off_channels", sa.JSON(), nullable=False),
        sa.Column("ai_off_intents", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=True),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_config")),
    )
    op.create_table(
        "rollout_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_audit")),
    )
    op.create_index(op.f("ix_rollout_audit_at"), "rollout_audit", ["at"], unique=False)
    op.create_table(
        "conversation_sides",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("ai_share", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_sides_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_sides")),
    )
    op.create_index(op.f("ix_conversation_sides_at"), "conversation_sides", ["at"], unique=False)
    op.create_index(
        op.f("ix_conversation_sides_customer_id"),
        "conversation_sides",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "handoff_reviews",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("needless", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_handoff_reviews_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_handoff_reviews")),
    )
    op.create_index(op.f("ix_handoff_reviews_at"), "handoff_reviews", ["at"], unique=False)
    op.create_table(
        "service_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_service_alerts_key")),
    )
    op.create_index(op.f("ix_service_alerts_at"), "service_alerts", ["at"], unique=False)
    op.create_table(
        "staff_plan_hours",
        sa.Column("hour", UTC_DATETIME, nullable=False),
        sa.Column("agents", sa.Integer(), nullable=False),
        sa.Column("saved_at", UTC_DATETIME, nullable=False),
        sa.Column("saved_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("hour", name=op.f("pk_staff_plan_hours")),
    )


def downgrade() -> None:
    op.drop_table("staff_plan_hours")
    op.drop_index(op.f("ix_service_alerts_at"), table_name="service_alerts")
    op.drop_table("service_alerts")
    op.drop_index(op.f("ix_handoff_reviews_at"), table_name="handoff_reviews")
    op.drop_table("handoff_reviews")
    op.drop_index(op.f("ix_conversation_sides_customer_id"), table_name="conversation_sides")
    op.drop_index(op.f("ix_conversation_sides_at"), table_name="conversation_sides")
    op.drop_table("conversation_sides")
    op.drop_index(op.f("ix_rollout_audit_at"), table_name="rollout_audit")
    op.drop_table("rollout_audit")
    op.drop_table("rollout_config")
