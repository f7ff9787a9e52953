"""shipments: delivery notes and their lines, promised dates on order lines, the shipment an invoice bills

Orders shipped in full before shipments existed were 'invoiced'; they are 'shipped' now (the order
lifecycle is confirmed -> partially_shipped -> shipped -> delivered).

Revision ID: 0009
Revises: 0008

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('shipments',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('order_id', BIG_ID, nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('shipped_on', sa.Date(), nullable=False),
    sa.Column('carrier', sa.String(length=80), nullable=True),
    sa.Column('tracking', sa.String(length=120), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('signed_by', sa.String(length=120), nullable=True),
    sa.Column('delivery_recorded_by', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('shipped', 'delivered')", name=op.f('ck_shipments_status')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_shipments_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_shipments_order_id_sales_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('number', name=op.f('uq_shipments_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)

    op.create_table('shipment_lines',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('shipment_id', BIG_ID, nullable=False),
    sa.Column('order_line_id', BIG_ID, nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_shipment_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'],
                            name=op.f('fk_shipment_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_lines_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_lines'))
    )
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_lines_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_lines_shipment_id'), ['shipment_id'], unique=False)

    op.add_column('order_lines', sa.Column('promised_date', sa.Date(), nullable=True))
    # Not in batch mode: rebuilding invoices on SQLite would have to carry its partial index over.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE invoices ADD COLUMN shipment_id INTEGER REFERENCES shipments (id)')
    else:
        op.add_column('invoices', sa.Column('shipment_id', BIG_ID, nullable=True))
        op.create_foreign_key(op.f('fk_invoices_shipment_id_shipments'), 'invoices', 'shipments',
                              ['shipment_id'], ['id'])
    op.create_index(op.f('ix_invoices_shipment_id'), 'invoices', ['shipment_id'], unique=False)

    op.execute("UPDATE sales_orders SET status = 'shipped' WHERE status = 'invoiced'")


def downgrade() -> None:
    op.execute("UPDATE sales_orders SET status = 'invoiced' "
               "WHERE status IN ('partially_shipped', 'shipped', 'delivered')")
    op.drop_index(op.f('ix_invoices_shipment_id'), table_name='invoices')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_invoices_shipment_id_shipments'), 'invoices', type_='foreignkey')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('shipment_id')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('promised_date')

    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_lines_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_lines_order_line_id'))

    op.drop_table('shipment_lines')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_customer_id'))

    op.drop_table('shipments')
