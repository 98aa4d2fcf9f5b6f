"""auth_tokens.session_id: the session of the login that made the token

``POST /users/login/`` gives a session and a token; logging out with either
ends the other too, and "log out other sessions" ends the other logins'
tokens with their sessions. Tokens made before this revision have no session.

Revision ID: h5_01
Revises: agents_02
Create Date: 2026-12-03 13:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h5_01'
down_revision = 'agents_02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_column('session_id')
