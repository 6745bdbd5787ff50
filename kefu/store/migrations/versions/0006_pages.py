"""uploads: photos customers send in a conversation

Revision ID: 0006_pages
Revises: 0005_guard
Create Date: 2026-11-30 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0006_pages"
down_revision: str | None = "0005_guard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_uploads_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    op.create_index(
        op.f("ix_uploads_conversation_id"), "uploads", ["conversation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_uploads_conversation_id"), table_name="uploads")
    op.drop_table("uploads")
