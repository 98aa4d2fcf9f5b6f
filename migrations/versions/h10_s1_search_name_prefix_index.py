"""users: a B-tree on the folded name of customers, for surname prefixes in agent search

A name a search word starts with (``search_name LIKE 'yilmaz%'``, surname
first) is read from this index in order and stops after 1,001 rows, so a
surname 40,000 customers share is known to be "1,000+" without the trigram
index gathering all 40,000 matches (docs/scale.md). Partial (customers only:
staff are never searched) and, on PostgreSQL, ``varchar_pattern_ops``: the
database collation's order cannot serve ``LIKE``. On SQLite a plain partial
B-tree, like the other search indexes there.

Revision ID: h10_s1
Revises: h4_i1
Create Date: 2026-12-03 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h10_s1'
down_revision = 'h4_i1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_users_search_name_prefix', 'users', ['search_name'], unique=False,
        postgresql_ops={'search_name': 'varchar_pattern_ops'},
        postgresql_where=sa.text("role = 'customer'"), sqlite_where=sa.text("role = 'customer'"),
    )


def downgrade():
    op.drop_index('ix_users_search_name_prefix', table_name='users')
