"""Transactional outbox: deliveries the webhook stored but no relay has put on the queue yet.

Revision ID: 0003_outbox
Revises: 0002_consent
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_outbox'
down_revision = '0002_consent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every delivery stored before the outbox was enqueued by the webhook itself: queued.
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index('ix_deliveries_outbox', 'deliveries', ['id'], unique=False,
                    sqlite_where=sa.text('NOT queued'), postgresql_where=sa.text('NOT queued'))


def downgrade() -> None:
    op.drop_index('ix_deliveries_outbox', table_name='deliveries')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('queued')
