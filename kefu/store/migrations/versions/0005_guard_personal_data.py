"""personal data encrypted at rest, phone lookup hash, audit log

Revision ID: 0005_guard
Revises: 0004_shop
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0005_guard"
down_revision: str | None = "0004_shop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# JSON documents with personal data become one encrypted text value each
_JSON_TO_TEXT = (
    ("aftersales_requests", "details"),
    ("tickets", "fields"),
    ("outbound_deliveries", "payload"),
    ("messages", "meta"),
    ("conversations", "state"),
)


def upgrade() -> None:
    # ciphertext is longer than a phone; existing plain values keep reading until `kefu data rekey`
    # encrypts them (the key lives in the environment, not in the migration)
    with op.batch_alter_table("customers") as batch:
        batch.alter_column("phone", type_=sa.Text(), existing_nullable=False)
        batch.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_customers_phone_hash", ["phone_hash"], unique=False)
    for table, column in _JSON_TO_TEXT:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.Text(),
                existing_type=sa.JSON(),
                existing_nullable=False,
                postgresql_using=f"{column}::text",
            )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target_kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"], unique=False)
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"], unique=False)
    op.create_index(
        "ix_audit_events_target", "audit_events", ["target_kind", "target_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_target", table_name="audit_events")
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
    for table, column in _JSON_TO_TEXT:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.JSON(), existing_type=sa.Text(), postgresql_using=f"{column}::json"
            )
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_phone_hash")
        batch.drop_column("phone_hash")
        batch.alter_column("phone", type_=sa.String(length=32), existing_nullable=False)
