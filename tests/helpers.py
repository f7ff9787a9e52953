"""Test helpers: compare database states, find demo documents."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from db.backup import snapshot
from db.models import BankStatement, Customer, CustomerCredit, Invoice, SalesOrder, StatementLine
from db.session import Database

WORKFLOW_TABLES = {"pending_actions", "conversation_messages", "turn_logs"}  # not business data
# The log of who looked at what grows with every read; "nothing changed" is about what was looked at.
MONITORING_TABLES = {"document_reads", "read_alerts"}


def state(db: Database, *, with_pending: bool = True) -> dict:
    with db.session() as session:
        data = snapshot(session)
    for name in MONITORING_TABLES:
        data.pop(name, None)
    if not with_pending:
        for name in WORKFLOW_TABLES:
            data.pop(name, None)
    return data


def invoice_of(db: Database, code: str, *, status=("open", "partially_paid"), overdue: bool | None = None,
               today=None, disputed: bool = False, promised: bool | None = None) -> Invoice:
    with db.session() as session:
        query = select(Invoice).join(Invoice.customer).where(
            Invoice.customer.has(code=code), Invoice.status.in_(status), Invoice.disputed.is_(disputed))
        if overdue is not None and today is not None:
            query = query.where(Invoice.due_date < today if overdue else Invoice.due_date >= today)
        if promised is not None:
            query = query.where(Invoice.promised_on.is_not(None) if promised else Invoice.promised_on.is_(None))
        invoice = session.scalars(query.order_by(Invoice.due_date)).first()
        assert invoice is not None, f"no matching invoice for {code}"
        return invoice


def order_of(db: Database, code: str, status: str) -> SalesOrder:
    with db.session() as session:
        order = session.scalars(select(SalesOrder).where(SalesOrder.customer.has(code=code),
                                                         SalesOrder.status == status)
                                .order_by(SalesOrder.id)).first()
        assert order is not None, f"no {status} order for {code}"
        return order


def demo_now():
    from tests.conftest import DEMO_NOW  # the conftest imports this module

    return DEMO_NOW


def credit_of(db, code):
    """A credit of 10.00 (unapplied cash) for the customer."""
    with db.session(write=True) as session:
        customer = session.scalars(select(Customer).where(Customer.code == code)).one()
        credit = CustomerCredit(customer_id=customer.id, amount=Decimal("10"), remaining=Decimal("10"),
                                received_on=demo_now().date(), created_by="test", created_at=demo_now())
        session.add(credit)
        session.commit()
        return f"CR-{credit.id}"


def line_for_review(db, code, status="review"):
    """A bank statement line from the customer waiting for review."""
    with db.session(write=True) as session:
        customer = session.scalars(select(Customer).where(Customer.code == code)).one()
        statement = BankStatement(format="csv", account="TEST", file_name="t.csv", imported_by="test",
                                  imported_at=demo_now())
        session.add(statement)
        session.flush()
        line = StatementLine(statement_id=statement.id, dedupe_key=f"test:{code}:{status}",
                             booking_date=demo_now().date(), amount=Decimal("10"), credit=True, status=status,
                             customer_id=customer.id)
        session.add(line)
        session.commit()
        return line.id
