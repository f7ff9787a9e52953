"""answer feedback: a thumbs up or down per person and answer, and the words each turn answered

Revision ID: 0014
Revises: 0013

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = db.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', ID, nullable=False),
    sa.Column('turn_id', ID, nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('vote', sa.String(length=4), nullable=False),
    sa.Column('voted_at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['turn_id'], ['turn_logs.id'], name=op.f('fk_feedback_turn_id_turn_logs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('turn_id', 'user_id', name='uq_feedback_turn_user')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_voted_at'), ['voted_at'], unique=False)
    with op.batch_alter_table('turn_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('turn_logs', schema=None) as batch_op:
        batch_op.drop_column('asked')
    op.drop_table('feedback')
