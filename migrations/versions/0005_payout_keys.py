"""Payout requests carry the studio form's one-time key (UNIQUE), so a double submit makes one request.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payout_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payout_requests_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('payout_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payout_requests_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
