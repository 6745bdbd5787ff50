"""jobs: dead letters, the payload of inbound channel messages so a task can rerun them, and an
index on the delivery lanes

Revision ID: 0002_jobs
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.store.tables.base

revision: str = "0002_jobs"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_at", kefu.store.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_dead_letters")),
    )
    op.create_index(op.f("ix_job_dead_letters_task"), "job_dead_letters", ["task"], unique=False)
    op.create_index(
        op.f("ix_job_dead_letters_failed_at"), "job_dead_letters", ["failed_at"], unique=False
    )
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    op.create_index(
        "ix_outbound_deliveries_lane",
        "outbound_deliveries",
        ["channel", "target", "status", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_deliveries_lane", table_name="outbound_deliveries")
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.drop_column("payload")
    op.drop_index(op.f("ix_job_dead_letters_failed_at"), table_name="job_dead_letters")
    op.drop_index(op.f("ix_job_dead_letters_task"), table_name="job_dead_letters")
    op.drop_table("job_dead_letters")
