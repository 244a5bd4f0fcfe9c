"""quality_result: data-quality outcomes kept with the night (reports/, issue 7)

Revision ID: 0002_quality_result
Revises: 0001
Create Date: 2026-11-23 23:59:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_quality_result"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_result",
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("suite", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expectation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("element_count", sa.Integer(), nullable=False),
        sa.Column("unexpected_count", sa.Integer(), nullable=False),
        sa.Column("details", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quality_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_result_night"), ["night"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_result_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_quality_result_school_code"), ["school_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quality_result_snapshot_id"), ["snapshot_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quality_result_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quality_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_result_source"))
        batch_op.drop_index(batch_op.f("ix_quality_result_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_quality_result_school_code"))
        batch_op.drop_index(batch_op.f("ix_quality_result_run_id"))
        batch_op.drop_index(batch_op.f("ix_quality_result_night"))
    op.drop_table("quality_result")
