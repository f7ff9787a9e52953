"""request keys on pending actions; digests sent, then marked

Revision ID: 0007
Revises: 0006

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pending_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_pending_actions_request_key'), ['request_key'])

    with op.batch_alter_table('digest_log', schema=None) as batch_op:
        batch_op.alter_column('sent_at', existing_type=db.models.UTCDateTime(timezone=True), nullable=True)
        batch_op.add_column(sa.Column('lease_until', db.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM digest_log WHERE sent_at IS NULL")  # unsent claims: the old schema cannot hold them
    with op.batch_alter_table('digest_log', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')
        batch_op.alter_column('sent_at', existing_type=db.models.UTCDateTime(timezone=True), nullable=False)

    with op.batch_alter_table('pending_actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_pending_actions_request_key'), type_='unique')
        batch_op.drop_column('request_key')
