"""document reads: who viewed which documents, through which front end; alerts on unusual reading

Revision ID: 0008
Revises: 0007

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_reads',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('surface', sa.String(length=20), nullable=False),
    sa.Column('tool', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('refs', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_reads'))
    )
    with op.batch_alter_table('document_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_reads_at'), ['at'], unique=False)
        batch_op.create_index('ix_document_reads_user_day', ['user_id', 'day'], unique=False)

    op.create_table('read_alerts',
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('median', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=40), nullable=True),
    sa.Column('ts', sa.String(length=40), nullable=True),
    sa.Column('lease_until', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('user_id', 'day', 'recipient', name=op.f('pk_read_alerts'))
    )


def downgrade() -> None:
    op.drop_table('read_alerts')
    with op.batch_alter_table('document_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_document_reads_user_day')
        batch_op.drop_index(batch_op.f('ix_document_reads_at'))

    op.drop_table('document_reads')
