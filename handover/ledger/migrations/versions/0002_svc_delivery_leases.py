"""Delivery leases: the generation of the task allowed to work on a delivery, and its job's lease.

Revision ID: 0002_svc
Revises: 0002_admin
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_svc'
down_revision = '0002_admin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('generation')
