"""shop: order event receipts, notices, notice preferences

Revision ID: 0004_shop
Revises: 0003_ops
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0004_shop"
down_revision: str | None = "0003_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_event_receipts",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_order_event_receipts")),
    )
    with op.batch_alter_table("order_event_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_event_receipts_order_id"), ["order_id"], unique=False
        )
    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("delivery", sa.String(length=24), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("due_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notices_dedupe_key")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_notices_status_due", ["status", "due_at"], unique=False)
    op.create_table(
        "notice_preferences",
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("opted_out", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_notice_preferences")),
    )


def downgrade() -> None:
    op.drop_table("notice_preferences")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_status_due")
        batch_op.drop_index(batch_op.f("ix_notices_customer_id"))
    op.drop_table("notices")
    with op.batch_alter_table("order_event_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_event_receipts_order_id"))
    op.drop_table("order_event_receipts")
