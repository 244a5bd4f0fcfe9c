"""term result: homeroom teacher's comment (Nhận xét của giáo viên chủ nhiệm)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("term_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("homeroom_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("term_result", schema=None) as batch_op:
        batch_op.drop_column("homeroom_comment")
