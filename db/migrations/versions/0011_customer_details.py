"""customer details a document needs: tax id and billing address

Revision ID: 0011
Revises: 0010

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('tax_id', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('billing_address', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('billing_address')
        batch.drop_column('tax_id')
