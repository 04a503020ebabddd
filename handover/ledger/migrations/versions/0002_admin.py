"""Admin pages: delivery summary columns and keyset indexes, dead-letter discard, login failures.

Revision ID: 0002_admin
Revises: 0001
Create Date: 2026-12-01 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_admin'
down_revision = '0001'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# name -> (columns, partial index condition or None); see the Delivery model.
RECENT_INDEXES = {
    'ix_deliveries_recent': (['received_at', 'id'], None),
    'ix_deliveries_ticket_recent': (['ticket_id', 'received_at', 'id'], None),
    'ix_deliveries_unfinished': (['status', 'received_at', 'id'], "status IN ('accepted', 'failed', 'dead')"),
    'ix_deliveries_outcome_recent': (['outcome', 'received_at', 'id'], 'outcome IS NOT NULL'),
    'ix_deliveries_type_recent': (['request_type', 'received_at', 'id'], 'request_type IS NOT NULL'),
    'ix_deliveries_complete_recent': (['complete', 'received_at', 'id'], 'complete IS NOT NULL'),
}

# Each delivery's latest decision (highest id), and that decision's latest outcome.
BACKFILL = """
UPDATE deliveries SET
  request_type = (SELECT d.request_type FROM decisions d WHERE d.delivery_id = deliveries.id
                  ORDER BY d.id DESC LIMIT 1),
  complete = (SELECT d.complete FROM decisions d WHERE d.delivery_id = deliveries.id
              ORDER BY d.id DESC LIMIT 1),
  outcome = (SELECT o.status FROM outcomes o WHERE o.decision_id =
               (SELECT d.id FROM decisions d WHERE d.delivery_id = deliveries.id ORDER BY d.id DESC LIMIT 1)
             ORDER BY o.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.delivery_id = deliveries.id)
"""


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_type', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('complete', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=32), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_ticket_id')
        for name, (columns, where) in RECENT_INDEXES.items():
            condition = {} if where is None else {'sqlite_where': sa.text(where), 'postgresql_where': sa.text(where)}
            batch_op.create_index(name, columns, unique=False, **condition)

    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discarded_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('admin_login_failures',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_login_failures'))
    )
    with op.batch_alter_table('admin_login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_admin_login_failures_address_at', ['address', 'failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admin_login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_login_failures_address_at')
    op.drop_table('admin_login_failures')

    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_column('discarded_at')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        for name in RECENT_INDEXES:
            batch_op.drop_index(name)
        batch_op.create_index('ix_deliveries_ticket_id', ['ticket_id'], unique=False)
        batch_op.drop_column('outcome')
        batch_op.drop_column('complete')
        batch_op.drop_column('request_type')
