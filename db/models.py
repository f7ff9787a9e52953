"""SQLAlchemy 2.x typed models for every O2C document. The same code runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Annotated[Decimal, "money"]
Str40 = Annotated[str, 40]
BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys
OPEN_STATUSES = ("open", "partially_paid")
# The predicate of the partial index of open invoices. Queries that want that index must say it in
# these words, with literals (SQLite matches the text of the term; a bound parameter never matches).
OPEN_INVOICE = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no offset, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        Money: Numeric(14, 2, asdecimal=True),
        Str40: String(40),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Member(Base):
    """A Slack user mapped to a role. Unknown Slack users have no row and get nothing."""

    __tablename__ = "members"
    slack_user_id: Mapped[Str40] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str | None] = mapped_column(String(64))
    tz_checked_at: Mapped[datetime | None]  # when the timezone was last read from Slack (users.info)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_rep: Mapped[Str40 | None] = mapped_column(ForeignKey("members.slack_user_id"))
    collector: Mapped[Str40 | None] = mapped_column(ForeignKey("members.slack_user_id"))
    credit_limit: Mapped[Money]
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    on_hold: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Money]
    cost: Mapped[Money]
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def available(self) -> int:
        return self.stock_on_hand - self.stock_reserved


class SalesOrder(Base):
    __tablename__ = "sales_orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    rep: Mapped[Str40]  # who took the order: sales are reported by it
    status: Mapped[str] = mapped_column(String(20), index=True)
    total: Mapped[Money]
    credit_decision: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    ordered_on: Mapped[date]
    shipped_on: Mapped[date | None]
    tracking: Mapped[str | None] = mapped_column(String(120))
    decided_by: Mapped[Str40 | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[Str40]
    quantity: Mapped[int]
    unit_price: Mapped[Money]  # snapshotted: later price changes do not touch old orders
    unit_cost: Mapped[Money]
    line_total: Mapped[Money]

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_status_due", "status", "due_date"),
        # Period reports (sales, DSO, payments on recent invoices) need only these columns: the index
        # alone answers them.
        Index("ix_invoices_issue_date", "issue_date", "status", "customer_id", "rep", "total", "amount", "cost",
              "id"),
        # Receivables reports (ageing, open AR) read only open invoices, a small share of all, from here.
        Index("ix_invoices_open", "customer_id", "due_date", "issue_date", "total", "paid_amount", "status",
              sqlite_where=text(OPEN_INVOICE), postgresql_where=text(OPEN_INVOICE)),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    rep: Mapped[Str40 | None]
    issue_date: Mapped[date]
    due_date: Mapped[date]
    amount: Mapped[Money]  # net of tax
    tax: Mapped[Money]
    total: Mapped[Money]
    cost: Mapped[Money]  # cost of goods, for margin
    paid_amount: Mapped[Money]
    status: Mapped[str] = mapped_column(String(20))  # open, partially_paid, paid, void
    paid_on: Mapped[date | None]  # the day the balance reached zero
    disputed: Mapped[bool] = mapped_column(default=False)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    promised_on: Mapped[date | None]
    promised_amount: Mapped[Money | None]
    last_contact_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid_amount


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


class PendingAction(Base):
    """A write proposed by a person or the agent, waiting for an explicit human confirmation."""

    __tablename__ = "pending_actions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tool: Mapped[Str40]
    args: Mapped[dict[str, Any]]
    summary: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[Str40]
    status: Mapped[str] = mapped_column(String(20))  # pending, done, failed, cancelled, expired
    thread_key: Mapped[str | None] = mapped_column(String(120))
    # The human request that proposed it (a modal's view id): a repeat of that request finds this row.
    request_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[Str40 | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only: who did what, when, with the record before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[Str40]
    action: Mapped[Str40]
    entity: Mapped[Str40]
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class DocumentCounter(Base):
    """Gapless numbering: the row is locked while a number is taken, in the document's transaction."""

    __tablename__ = "document_counters"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class ConversationMessage(Base):
    """Per-thread memory for the agent: what was asked and answered, newest kept, oldest pruned."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_thread", "thread_key", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    thread_key: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # user, assistant, tool_call
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[Str40 | None]  # the Slack user whose turn this row belongs to
    created_at: Mapped[datetime]


class TurnLog(Base):
    """One conversation turn's cost: model calls, tokens, tools, latency."""

    __tablename__ = "turn_logs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[Str40]
    thread_key: Mapped[str] = mapped_column(String(120))
    model_calls: Mapped[int]
    prompt_tokens: Mapped[int]
    completion_tokens: Mapped[int]
    tool_calls: Mapped[list[Any]]
    latency_ms: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # answered, proposed, asked, refused, failed
    error: Mapped[str | None] = mapped_column(Text)


class SlackEvent(Base):
    """Slack event ids already handled: a redelivery finds its id here and is dropped."""

    __tablename__ = "slack_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class SlackCard(Base):
    """Where a card about a document was posted, so a decision can update every copy in place."""

    __tablename__ = "slack_cards"
    __table_args__ = (Index("ix_slack_cards_ref", "kind", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # order (the requester's), approval (a manager's)
    ref: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(40))
    ts: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[Str40 | None]
    created_at: Mapped[datetime]


class DigestLog(Base):
    """One weekly digest per manager and ISO week. A sender claims the row with a lease, posts, then marks
    it sent; a failed post leaves it unsent for the next cycle, and a lapsed lease lets another sender
    take over (after looking for the message in Slack, so a crash after the post is not a second post)."""

    __tablename__ = "digest_log"
    manager: Mapped[Str40] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # e.g. 2026-W48
    sent_at: Mapped[datetime | None]  # set once Slack has the message
    channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]  # a sender is posting it until then
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class DocumentRead(Base):
    """Who viewed which documents, when, through which front end: one row per read call, a list being
    one row with how many it showed and their numbers. Read by `audit --reads` and the daily check for
    unusual reading (tools/read_watch.py)."""

    __tablename__ = "document_reads"
    __table_args__ = (Index("ix_document_reads_user_day", "user_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    day: Mapped[date]  # the reader's own calendar day, in their timezone: what the daily check counts
    user_id: Mapped[Str40]
    surface: Mapped[str] = mapped_column(String(20))  # slack, slash, console, home, digest...
    tool: Mapped[Str40]
    kind: Mapped[str] = mapped_column(String(20))  # invoice, order, customer, customer_credit, report
    ref: Mapped[str | None] = mapped_column(String(64))  # the one document (or report) viewed
    count: Mapped[int]  # how many documents the answer showed
    refs: Mapped[list[Any] | None]  # their numbers, for a list


class ReadAlert(Base):
    """Unusual reading, told once: one row per reader, day and person told (an admin or manager). A
    sender claims the row with a lease, posts the DM, then marks it sent; a failed post frees it for the
    next run, and a run taking over an attempt that may have posted looks for it in Slack first."""

    __tablename__ = "read_alerts"
    user_id: Mapped[Str40] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    recipient: Mapped[Str40] = mapped_column(primary_key=True)
    views: Mapped[int]
    median: Mapped[Decimal] = mapped_column(Numeric(10, 1))  # of the 30 days before, days without reads as 0
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
