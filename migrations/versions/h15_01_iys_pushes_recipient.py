"""iys_pushes.recipient: the address a queued İYS record is for, once its record no longer says

Erasure (docs/privacy.md) replaces the addresses in the consent history with
one-way fingerprints. The push rows still to be sent (the erasure's own RETs,
and any ONAY or RET not in İYS yet) keep the address here until İYS has
answered; it is cleared when the row is sent, refused or skipped
(docs/iys.md, "Erased customers"). Existing rows get nothing: accounts erased
before this revision have no address left to withdraw.

Revision ID: h15_01
Revises: h10_s1
Create Date: 2026-12-03 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h15_01'
down_revision = 'h10_s1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('iys_pushes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('iys_pushes', schema=None) as batch_op:
        batch_op.drop_column('recipient')
