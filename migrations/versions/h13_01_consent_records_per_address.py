"""consent_records: the İYS view of each record (type, recipient, status, source) and the call reference

Every consent record now says which address it is for and holds İYS's own
vocabulary. Existing rows are backfilled from what they already say: the type
from the channel, ONAY/RET from ``granted``, the İYS source from ``source``
(web → HS_WEB, api → HS_MOBIL, call_center → HS_CAGRI_MERKEZI), and the
recipient from the user's current phone (sms, call) or email: the best
knowledge there is, since the address at the time was never recorded.

Revision ID: h13_01
Revises: h10_01
Create Date: 2026-12-03 14:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h13_01'
down_revision = 'h10_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iys_type', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('recipient', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('iys_source', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('call_reference', sa.String(length=64), nullable=True))

    # Plain tables, not the application's models: migrations never import the app.
    records = sa.table(
        'consent_records',
        sa.column('user_id', sa.Integer),
        sa.column('channel', sa.String),
        sa.column('granted', sa.Boolean),
        sa.column('source', sa.String),
        sa.column('iys_type', sa.String),
        sa.column('recipient', sa.String),
        sa.column('status', sa.String),
        sa.column('iys_source', sa.String),
    )
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('phone', sa.String), sa.column('email', sa.String))
    for channel, iys_type, address in (('sms', 'MESAJ', users.c.phone), ('call', 'ARAMA', users.c.phone),
                                       ('email', 'EPOSTA', users.c.email)):
        op.execute(
            records.update()
            .where(records.c.channel == channel)
            .values(
                iys_type=iys_type,
                recipient=sa.select(address).where(users.c.id == records.c.user_id).scalar_subquery(),
            )
        )
    op.execute(records.update().where(records.c.granted == sa.true()).values(status='ONAY'))
    op.execute(records.update().where(records.c.granted == sa.false()).values(status='RET'))
    for source, iys_source in (('web', 'HS_WEB'), ('api', 'HS_MOBIL'), ('call_center', 'HS_CAGRI_MERKEZI')):
        op.execute(records.update().where(records.c.source == source).values(iys_source=iys_source))


def downgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('call_reference')
        batch_op.drop_column('iys_source')
        batch_op.drop_column('status')
        batch_op.drop_column('recipient')
        batch_op.drop_column('iys_type')
