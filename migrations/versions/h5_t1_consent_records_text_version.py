"""consent_records: the version of the consent text each change was made under

Every record now stores the version of the commercial electronic message consent
text (``CONSENT_TEXT_VERSION``) besides the privacy notice version. Rows written
before there was a separately versioned text are backfilled with their notice
version (the only text version they knew), or '1' where even that is missing.

Revision ID: h5_t1
Revises: h13_01
Create Date: 2026-12-03 16:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h5_t1'
down_revision = 'h13_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_version', sa.String(length=32), nullable=True))

    # A plain table, not the application's model: migrations never import the app
    # (and the model refuses updates: the history is append-only once written).
    records = sa.table('consent_records', sa.column('notice_version', sa.String), sa.column('text_version', sa.String))
    op.execute(records.update().values(text_version=sa.func.coalesce(records.c.notice_version, '1')))


def downgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('text_version')
