"""answer jobs: the work a web worker queues for the answer workers

Revision ID: 0015
Revises: 0014

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = db.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('answer_jobs',
    sa.Column('id', ID, nullable=False),
    sa.Column('function', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('lease_until', WHEN, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('finished_at', WHEN, nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_jobs'))
    )
    with op.batch_alter_table('answer_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_answer_jobs_status_id', ['status', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('answer_jobs')
