"""phone_changes: each phone number replaced on an account, for the per-account cap

Revision ID: h7_01
Revises: h8_01
Create Date: 2026-12-03 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h7_01'
down_revision = 'h8_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'phone_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('old_phone', sa.String(length=16), nullable=True),
        sa.Column('new_phone', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('client_ip', sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_changes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_changes')),
    )
    with op.batch_alter_table('phone_changes', schema=None) as batch_op:
        batch_op.create_index('ix_phone_changes_user_id_changed_at', ['user_id', 'changed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('phone_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_changes_user_id_changed_at')
    op.drop_table('phone_changes')
