"""users.service_accessed_at: when customer service last began acting as the user

The profile page shows a "customer service accessed your account" notice; this
column lets it skip the acting-sessions query for everyone not accessed lately.
Backfilled from acting_sessions (naive UTC on both SQLite and PostgreSQL, as
every UTCDateTime column is stored).

Revision ID: agents_02
Revises: agents_01
Create Date: 2026-11-27 07:12:46.792637

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'agents_02'
down_revision = 'agents_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_accessed_at', sa.DateTime(), nullable=True))

    # Plain tables, not the application's models: migrations never import the app.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('service_accessed_at', sa.DateTime))
    acting = sa.table('acting_sessions', sa.column('customer_id', sa.Integer), sa.column('started_at', sa.DateTime))
    latest = (
        sa.select(sa.func.max(acting.c.started_at))
        .where(acting.c.customer_id == users.c.id)
        .scalar_subquery()
    )
    op.execute(
        users.update()
        .where(sa.exists().where(acting.c.customer_id == users.c.id))
        .values(service_accessed_at=latest)
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('service_accessed_at')
