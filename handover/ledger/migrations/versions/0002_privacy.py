"""Personal data: reduced_at markers, hashed subjects, erasure audit, purge markers, ledger settings.

Existing decisions get the hashes of the addresses their verdicts hold (under a new installation
key, sealed later by the ledger when HANDOVER_DATA_KEY is set), so `handover purge --email` finds
tickets decided before the upgrade too; their requesters' own addresses were never recorded.

Revision ID: 0002_privacy
Revises: 0002_svc
Create Date: 2026-12-01 18:29:40.418428
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from handover.ledger.privacy import addresses_in, new_hash_key, subject_hashes


revision = '0002_privacy'
down_revision = '0002_svc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.CheckConstraint("scope IN ('ticket', 'address', 'retention')", name=op.f('ck_erasures_scope')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures'))
    )
    op.create_table('ledger_settings',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ledger_settings'))
    )
    op.create_table('ticket_purges',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('erasure_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['erasure_id'], ['erasures.id'], name=op.f('fk_ticket_purges_erasure_id_erasures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_purges'))
    )
    with op.batch_alter_table('ticket_purges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_purges_erasure_id'), ['erasure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_purges_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('decision_subjects',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('decision_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_decision_subjects_decision_id_decisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_subjects'))
    )
    with op.batch_alter_table('decision_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_subjects_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_subjects_subject_hash'), ['subject_hash'], unique=False)

    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reduced_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reduced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_decisions_unreduced', ['reduced_at', 'created_at'], unique=False)

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reduced_at', sa.DateTime(timezone=True), nullable=True))

    _hash_existing_subjects()


def _hash_existing_subjects() -> None:
    settings = sa.table("ledger_settings", sa.column("name", sa.String), sa.column("value", sa.Text),
                        sa.column("updated_at", sa.DateTime(timezone=True)))
    decisions = sa.table("decisions", sa.column("id", sa.Integer), sa.column("ticket_id", sa.BigInteger),
                         sa.column("verdict", sa.JSON))
    subjects = sa.table("decision_subjects", sa.column("decision_id", sa.Integer),
                        sa.column("ticket_id", sa.BigInteger), sa.column("subject_hash", sa.String))
    connection = op.get_bind()
    key = new_hash_key()
    connection.execute(settings.insert().values(name="subject_hash_key", value=key,
                                                updated_at=datetime.now(timezone.utc)))
    last_id = 0
    while True:
        rows = connection.execute(sa.select(decisions.c.id, decisions.c.ticket_id, decisions.c.verdict)
                                  .where(decisions.c.id > last_id).order_by(decisions.c.id).limit(500)).all()
        if not rows:
            return
        found = [{"decision_id": row.id, "ticket_id": row.ticket_id, "subject_hash": digest} for row in rows
                 for digest in sorted(subject_hashes(key.encode("utf-8"), addresses_in(row.verdict)))]
        if found:
            connection.execute(subjects.insert(), found)
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('reduced_at')

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_unreduced')
        batch_op.drop_column('reduced_at')

    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_column('reduced_at')

    with op.batch_alter_table('decision_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_subjects_subject_hash'))
        batch_op.drop_index(batch_op.f('ix_decision_subjects_decision_id'))

    op.drop_table('decision_subjects')
    with op.batch_alter_table('ticket_purges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_purges_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_purges_erasure_id'))

    op.drop_table('ticket_purges')
    op.drop_table('ledger_settings')
    op.drop_table('erasures')
