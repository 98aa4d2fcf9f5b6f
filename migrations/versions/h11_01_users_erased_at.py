"""users.erased_at: when the account was erased (KVKK erasure, docs/privacy.md)

The row stays (consent history and audit trail reference its id as legal
evidence) but holds no personal data any more; this column says so.

Revision ID: h11_01
Revises: h9_01
Create Date: 2026-12-03 14:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h11_01'
down_revision = 'h9_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
