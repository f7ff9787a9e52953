"""cash application: bank statements and their lines, customer credits (unapplied cash), customer IBANs,
and the statement line a payment came from

Revision ID: 0012
Revises: 0011

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    op.create_table('bank_statements',
    sa.Column('id', ID, nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('imported_by', sa.String(length=40), nullable=False),
    sa.Column('imported_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statements'))
    )
    op.create_table('bank_statement_lines',
    sa.Column('id', ID, nullable=False),
    sa.Column('statement_id', ID, nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('credit', sa.Boolean(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('payer_name', sa.String(length=140), nullable=True),
    sa.Column('payer_iban', sa.String(length=40), nullable=True),
    sa.Column('remittance', sa.Text(), nullable=True),
    sa.Column('bank_reference', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('customer_id', ID, nullable=True),
    sa.Column('suggestions', sa.JSON(), nullable=True),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('decided_at', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                            name=op.f('fk_bank_statement_lines_customer_id_customers')),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statements.id'],
                            name=op.f('fk_bank_statement_lines_statement_id_bank_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_lines')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_bank_statement_lines_dedupe_key'))
    )
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_lines_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_statement_lines_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index('ix_bank_statement_lines_status', ['status', 'statement_id'], unique=False)
    op.create_table('customer_credits',
    sa.Column('id', ID, nullable=False),
    sa.Column('customer_id', ID, nullable=False),
    sa.Column('statement_line_id', ID, nullable=True),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('remaining', MONEY, nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_credits_customer_id_customers')),
    sa.ForeignKeyConstraint(['statement_line_id'], ['bank_statement_lines.id'],
                            name=op.f('fk_customer_credits_statement_line_id_bank_statement_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_credits'))
    )
    with op.batch_alter_table('customer_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_credits_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_credits_statement_line_id'), ['statement_line_id'], unique=False)
    op.create_table('customer_ibans',
    sa.Column('iban', sa.String(length=40), nullable=False),
    sa.Column('customer_id', ID, nullable=False),
    sa.Column('learned_from_line_id', ID, nullable=True),
    sa.Column('learned_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_ibans_customer_id_customers')),
    sa.ForeignKeyConstraint(['learned_from_line_id'], ['bank_statement_lines.id'],
                            name=op.f('fk_customer_ibans_learned_from_line_id_bank_statement_lines')),
    sa.PrimaryKeyConstraint('iban', name=op.f('pk_customer_ibans'))
    )
    with op.batch_alter_table('customer_ibans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_ibans_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_line_id', ID, nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_source_line_id'), ['source_line_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_source_line_id_bank_statement_lines'),
                                    'bank_statement_lines', ['source_line_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payments_source_line_id_bank_statement_lines'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payments_source_line_id'))
        batch_op.drop_column('source_line_id')
    op.drop_table('customer_ibans')
    op.drop_table('customer_credits')
    op.drop_table('bank_statement_lines')
    op.drop_table('bank_statements')
