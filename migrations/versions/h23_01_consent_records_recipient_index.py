"""consent_records: an index on the address, for İYS's order per address and for erasure

``flask iys push`` asks, for every record it sends, whether an earlier record
for the same address and type is still unsent or was a grant (İYS must see an
address's changes in order, and refuses a RET with no ONAY before it); an
erasure asks the same to know which permissions İYS holds. Both compare
``recipient`` (the address as written, or its erasure fingerprint) and
``iys_type`` and look at lower ids: without this index each asked by reading
every consent record (3 million at a million customers). Partial: records
without an address (none of İYS's business) are left out.

``CREATE INDEX`` blocks writes to ``consent_records`` while it builds: run the
upgrade in a quiet hour, as every release's (docs/scale.md).

Revision ID: h23_01
Revises: h15_01
Create Date: 2026-12-03 21:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h23_01'
down_revision = 'h15_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_consent_records_recipient', 'consent_records', ['recipient', 'iys_type', 'id'], unique=False,
        postgresql_where=sa.text('recipient IS NOT NULL'), sqlite_where=sa.text('recipient IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_consent_records_recipient', table_name='consent_records')
