"""Indexes for a million customers, and the folded name agent search compares

Every statement a request or a periodic command runs can use an index
(docs/scale.md):

- users.search_name: last and first name folded the Turkish way (İ/I/ı → i,
  ö → o, ş → s, ç → c, ğ → g, ü → u, other accents dropped, lower case),
  written by the application with every name change and backfilled here in
  Python (the database's lower() disagrees with Python's on Turkish letters).
  On PostgreSQL a pg_trgm GIN index serves "contains"; pg_trgm is a trusted
  extension, so the database owner may create it.
- users.email with varchar_pattern_ops on PostgreSQL: email prefix search (the
  unique index follows the collation, which LIKE 'abc%' cannot use).
- acting_sessions: a partial index on the open sessions' ends_at replaces the
  index on every row's ends_at (only the overdue check reads it).
- audit_events (customer_id, created_at, id) replaces (customer_id): a
  customer's newest events straight from one index.
- otp_codes.created_at, otp_failures.created_at: the cleanup deletes by age.
- Foreign keys that deletes go through (ON DELETE SET NULL, or a user's
  deletion): otp_codes.sms_id, otp_failures.code_id, and the staff actor of
  consent records and segment choices (partial: most rows have none).

Revision ID: h4_01
Revises: h7_01
Create Date: 2026-12-03 13:40:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h4_01'
down_revision = 'h7_01'
branch_labels = None
depends_on = None

BATCH = 5000

# A frozen copy of portal.search_text at this revision: migrations never import the app.
_TURKISH = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def _fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TURKISH))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _backfill_search_names(bind):
    users = sa.table(
        'users',
        sa.column('id', sa.Integer),
        sa.column('first_name', sa.String),
        sa.column('last_name', sa.String),
        sa.column('search_name', sa.String),
    )
    update = (
        users.update()
        .where(users.c.id == sa.bindparam('user_id'))
        .values(search_name=sa.bindparam('folded'))
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(users.c.id, users.c.first_name, users.c.last_name)
            .where(users.c.id > last_id)
            .order_by(users.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changes = [
            {'user_id': row.id, 'folded': _fold(f"{row.last_name or ''} {row.first_name or ''}")} for row in rows
        ]
        bind.execute(update, [c for c in changes if c['folded']])
        last_id = rows[-1].id


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    if postgresql:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=101), server_default='', nullable=False))
    _backfill_search_names(bind)
    op.create_index(
        'ix_users_search_name_trgm', 'users', ['search_name'], unique=False,
        postgresql_using='gin', postgresql_ops={'search_name': 'gin_trgm_ops'},
    )
    op.create_index(
        'ix_users_email_prefix', 'users', ['email'], unique=False,
        postgresql_ops={'email': 'varchar_pattern_ops'},
    )

    op.drop_index('ix_acting_sessions_ends_at', table_name='acting_sessions')
    op.create_index(
        'ix_acting_sessions_open_ends_at', 'acting_sessions', ['ends_at'], unique=False,
        postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'),
    )

    op.drop_index('ix_audit_events_customer_id', table_name='audit_events')
    op.create_index(
        'ix_audit_events_customer_id_created_at', 'audit_events', ['customer_id', 'created_at', 'id'], unique=False
    )

    op.create_index('ix_otp_codes_created_at', 'otp_codes', ['created_at'], unique=False)
    op.create_index('ix_otp_codes_sms_id', 'otp_codes', ['sms_id'], unique=False)
    op.create_index('ix_otp_failures_created_at', 'otp_failures', ['created_at'], unique=False)
    op.create_index('ix_otp_failures_code_id', 'otp_failures', ['code_id'], unique=False)

    op.create_index(
        'ix_consent_records_actor_id', 'consent_records', ['actor_id'], unique=False,
        postgresql_where=sa.text('actor_id IS NOT NULL'), sqlite_where=sa.text('actor_id IS NOT NULL'),
    )
    op.create_index(
        'ix_segment_choices_actor_id', 'segment_choices', ['actor_id'], unique=False,
        postgresql_where=sa.text('actor_id IS NOT NULL'), sqlite_where=sa.text('actor_id IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_segment_choices_actor_id', table_name='segment_choices')
    op.drop_index('ix_consent_records_actor_id', table_name='consent_records')
    op.drop_index('ix_otp_failures_code_id', table_name='otp_failures')
    op.drop_index('ix_otp_failures_created_at', table_name='otp_failures')
    op.drop_index('ix_otp_codes_sms_id', table_name='otp_codes')
    op.drop_index('ix_otp_codes_created_at', table_name='otp_codes')
    op.drop_index('ix_audit_events_customer_id_created_at', table_name='audit_events')
    op.create_index('ix_audit_events_customer_id', 'audit_events', ['customer_id'], unique=False)
    op.drop_index('ix_acting_sessions_open_ends_at', table_name='acting_sessions')
    op.create_index('ix_acting_sessions_ends_at', 'acting_sessions', ['ends_at'], unique=False)
    op.drop_index('ix_users_email_prefix', table_name='users')
    op.drop_index('ix_users_search_name_trgm', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('search_name')
    # pg_trgm stays: other objects may use it, and it is harmless.
