"""What is owed and collected: invoices, payments, and the reminders that chase them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Money, Str40
from db.models.parties import Customer

OPEN_STATUSES = ("open", "partially_paid")
# The predicate of the partial index of open invoices. Queries that want that index must say it in
# these words, with literals (SQLite matches the text of the term; a bound parameter never matches).
OPEN_INVOICE = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_status_due", "status", "due_date"),
        # Period reports (sales, DSO, payments on recent invoices) need only these columns: the index
        # alone answers them.
        Index("ix_invoices_issue_date", "issue_date", "status", "customer_id", "rep", "total", "amount", "cost",
              "id"),
        # Receivables reports (ageing, open AR) read only open invoices, a small share of all, from here.
        Index("ix_invoices_open", "customer_id", "due_date", "issue_date", "total", "paid_amount", "credited_amount",
              "status",
              sqlite_where=text(OPEN_INVOICE), postgresql_where=text(OPEN_INVOICE)),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)  # what it bills
    rep: Mapped[Str40 | None]
    issue_date: Mapped[date]
    due_date: Mapped[date]
    amount: Mapped[Money]  # net of tax
    tax: Mapped[Money]
    total: Mapped[Money]
    cost: Mapped[Money]  # cost of goods, for margin
    paid_amount: Mapped[Money]
    # What credit notes took off: kept here, like paid_amount, so a balance is read without a join.
    credited_amount: Mapped[Money] = mapped_column(default=Decimal(0), server_default="0")
    status: Mapped[str] = mapped_column(String(20))  # open, partially_paid, paid, credited, void
    paid_on: Mapped[date | None]  # the day the balance reached zero with money received
    disputed: Mapped[bool] = mapped_column(default=False)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    promised_on: Mapped[date | None]
    promised_amount: Mapped[Money | None]
    last_contact_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")

    @hybrid_property
    def balance(self) -> Decimal:
        """What is still owed; in a query, the same rule as an SQL expression."""
        return self.total - self.paid_amount - self.credited_amount


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("source", "reference", name="uq_payments_source_reference"),
        # AR as of a past day adds back the payments received since: the index alone answers that.
        Index("ix_payments_received_on", "received_on", "invoice_id", "customer_id", "amount"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[Money]
    received_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(40), default="slack")
    # The bank statement line the money came in on, when it was applied from a statement.
    source_line_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement_lines.id"), index=True)
    recorded_by: Mapped[Str40]
    created_at: Mapped[datetime]


class Reminder(Base):
    """The collection outbox: one row per (invoice, stage, recipient); the sender claims due rows."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("invoice_id", "stage", "recipient", name="uq_reminders_invoice_stage_recipient"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    stage: Mapped[Str40]
    recipient: Mapped[Str40]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # pending, claimed, sent, skipped, failed, cancelled
    note: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    skip_reason: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[Str40]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    invoice: Mapped[Invoice] = relationship(lazy="joined")
