"""signing_certificate: the certificates an account registered as its own

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Any teacher could sign with any certificate file (an account signed with a colleague's .p12 and
it was accepted). An account now registers its certificate (SHA-256 fingerprint of the DER,
subject, serial, issuer, expiry), and the service refuses a signature made with another. A
certificate belongs to one account (the fingerprint is the key); an account may hold several
(a renewed certificate beside the old one).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "signing_certificate" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "signing_certificate",
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("serial", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("not_after", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signing_certificate_username"), ["username"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_certificate_username"))
    op.drop_table("signing_certificate")
