"""conversation_notes and conversation_tags: agents' internal notes, whispers and tags

Revision ID: 0007_console_notes
Revises: 0006_pages
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0007_console_notes"
down_revision: str | None = "0006_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=32), nullable=False),
        sa.Column("to_agent", sa.String(length=32), nullable=True),
        # encrypted at rest by the column type (kefu.store.encrypted): text in the database
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_notes_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_notes")),
    )
    op.create_index(
        op.f("ix_conversation_notes_conversation_id"),
        "conversation_notes",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=24), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_tags_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "tag", name=op.f("pk_conversation_tags")),
    )


def downgrade() -> None:
    op.drop_table("conversation_tags")
    op.drop_index(op.f("ix_conversation_notes_conversation_id"), table_name="conversation_notes")
    op.drop_table("conversation_notes")
