"""Consent events: parties asked, reminded, sent a signed link, confirmed; requesters activated.

Revision ID: 0002_consent
Revises: 0002_privacy
Create Date: 2026-12-01 19:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_consent'
down_revision = '0002_privacy'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('consent_events',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('consumes', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events')),
    sa.UniqueConstraint('nonce', 'consumes', name='uq_consent_events_nonce_consumes')
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index('ix_consent_events_ticket', ['ticket_id', 'id'], unique=False)
        batch_op.create_index('ix_consent_events_event_at', ['event', 'at'], unique=False)
        batch_op.create_index('ix_consent_events_subject', ['subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_events_subject')
        batch_op.drop_index('ix_consent_events_event_at')
        batch_op.drop_index('ix_consent_events_ticket')
    op.drop_table('consent_events')
