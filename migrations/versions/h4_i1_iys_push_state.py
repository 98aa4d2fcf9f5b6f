"""iys_pushes (the İYS push state of each consent record) and iys_sync (cursor, last runs)

Consent records stay append-only: whether each one reached İYS lives beside
it. Every existing record gets a pending push row (records that came from
İYS itself are skipped: İYS has them), so `flask iys push` registers the
whole history, oldest first.

Revision ID: h4_i1
Revises: h5_t1
Create Date: 2026-12-03 17:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'h4_i1'
down_revision = 'h5_t1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'iys_pushes',
        sa.Column('record_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('transaction_id', sa.String(length=64), nullable=True),
        sa.Column('error', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['consent_records.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('record_id'),
    )
    op.create_index(
        'ix_iys_pushes_unsent', 'iys_pushes', ['record_id'], unique=False,
        postgresql_where=sa.text("state IN ('pending', 'failed')"),
        sqlite_where=sa.text("state IN ('pending', 'failed')"),
    )
    op.create_table(
        'iys_sync',
        sa.Column('name', sa.String(length=8), nullable=False),
        sa.Column('cursor', sa.String(length=255), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    # Plain tables, not the application's models: migrations never import the app.
    records = sa.table('consent_records', sa.column('id', sa.Integer), sa.column('iys_source', sa.String))
    pushes = sa.table('iys_pushes', sa.column('record_id', sa.Integer), sa.column('state', sa.String),
                      sa.column('attempts', sa.Integer), sa.column('error', sa.String))
    from_iys = sa.func.coalesce(records.c.iys_source, '').like('IYS\\_%', escape='\\')
    op.execute(pushes.insert().from_select(
        ['record_id', 'state', 'attempts', 'error'],
        sa.select(
            records.c.id,
            sa.case((from_iys, 'skipped'), else_='pending'),
            sa.literal(0),
            sa.case((from_iys, 'from_iys'), else_=None),
        ),
    ))


def downgrade():
    op.drop_table('iys_sync')
    op.drop_index('ix_iys_pushes_unsent', table_name='iys_pushes')
    op.drop_table('iys_pushes')
