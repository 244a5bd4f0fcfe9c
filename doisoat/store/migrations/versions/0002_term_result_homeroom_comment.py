"""term result: homeroom teacher's comment (Nhận xét của giáo viên chủ nhiệm)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

A store adopted by 0001 (made by ``create_all`` with a model that already had the column) keeps
the column it has.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("term_result")}
    if "homeroom_comment" in columns:
        return
    with op.batch_alter_table("term_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("homeroom_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("term_result", schema=None) as batch_op:
        batch_op.drop_column("homeroom_comment")
