"""credit notes: what corrections took off an invoice (credited_amount), and the notes with their lines

Revision ID: 0010
Revises: 0009

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('open', 'partially_paid')")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credited_amount', MONEY, server_default='0', nullable=False))
        # The open-invoice index answers ageing alone: it carries the new part of the balance too.
        batch_op.drop_index('ix_invoices_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_invoices_open', ['customer_id', 'due_date', 'issue_date', 'total', 'paid_amount',
                                                   'credited_amount', 'status'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)

    op.create_table('credit_notes',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('invoice_id', BIG_ID, nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_credit_notes_customer_id_customers')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_notes_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_notes')),
    sa.UniqueConstraint('number', name=op.f('uq_credit_notes_number'))
    )
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_notes_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_notes_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_notes_issued_on'), ['issued_on'], unique=False)

    op.create_table('credit_note_lines',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('credit_note_id', BIG_ID, nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', MONEY, nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_notes.id'],
                            name=op.f('fk_credit_note_lines_credit_note_id_credit_notes')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_credit_note_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_note_lines'))
    )
    with op.batch_alter_table('credit_note_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_lines_credit_note_id'), ['credit_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_lines_product_id'), ['product_id'], unique=False)


def downgrade() -> None:
    op.drop_table('credit_note_lines')
    op.drop_table('credit_notes')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_invoices_open', ['customer_id', 'due_date', 'issue_date', 'total', 'paid_amount',
                                                   'status'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_column('credited_amount')
