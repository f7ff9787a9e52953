"""proactive alerts: conditions found and the alert outbox; products' restocking lead time

Revision ID: 0013
Revises: 0012

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = db.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('alert_conditions',
    sa.Column('id', ID, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('episode', sa.Integer(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('opened_at', WHEN, nullable=False),
    sa.Column('cleared_at', WHEN, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_conditions')),
    sa.UniqueConstraint('kind', 'subject', 'episode', name='uq_alert_conditions_kind_subject_episode')
    )
    with op.batch_alter_table('alert_conditions', schema=None) as batch_op:
        batch_op.create_index('ix_alert_conditions_open', ['cleared_at', 'kind'], unique=False)
    op.create_table('alerts',
    sa.Column('id', ID, nullable=False),
    sa.Column('condition_id', ID, nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('due_at', WHEN, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', WHEN, nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('slack_channel', sa.String(length=40), nullable=True),
    sa.Column('slack_ts', sa.String(length=40), nullable=True),
    sa.Column('skip_reason', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['condition_id'], ['alert_conditions.id'],
                            name=op.f('fk_alerts_condition_id_alert_conditions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('condition_id', 'recipient', name='uq_alerts_condition_recipient')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_condition_id'), ['condition_id'], unique=False)
        batch_op.create_index('ix_alerts_status_due', ['status', 'due_at'], unique=False)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_time_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('lead_time_days')
    op.drop_table('alerts')
    op.drop_table('alert_conditions')
