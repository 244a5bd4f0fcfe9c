"""signing_certificate: removed or revoked certificates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

An account removes its own registered certificate (a lost token, a renewed certificate), and a
principal, a school administrator or a district officer revokes a teacher's (someone left the
school, a key was handed around). The row is kept, marked: who did it, when and why, so that a
later signature with that certificate is refused naming the removal, and the certificate cannot
be registered again to anyone.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("revoked_at", "revoked_by", "revoked_reason")


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("signing_certificate")}
    if set(COLUMNS) <= present:  # a store adopted with a model that already had them
        return
    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
