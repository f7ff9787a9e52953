"""What a reminder DM shows: the invoice, what is due, how late, the last contact, and the history of
promises and disputes, so a collector can act without leaving Slack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.roles import Role
from db.models import AuditEvent, Reminder
from db.session import Database
from tools.context import Actor, Clock, Rules, ToolContext
from tools.invoices import InvoiceDetail, invoice_detail
from tools.schemas import Result

HISTORY = ("log_promise_to_pay", "mark_dispute", "record_payment")


class HistoryItem(Result):
    at: datetime
    actor: str
    action: str
    detail: str


class ReminderMessage(Result):
    reminder_id: int
    stage: str
    recipient: str
    note: str | None
    invoice: InvoiceDetail
    last_contact_at: datetime | None
    history: list[HistoryItem]

    @property
    def escalation(self) -> bool:
        return self.stage == "+30d"


def _detail(event: AuditEvent) -> str:
    after = event.after or {}
    if event.action == "log_promise_to_pay":
        return f"promised {after.get('amount')} by {after.get('promised_on')}"
    if event.action == "mark_dispute":
        return f"disputed: {after.get('reason')}"
    return f"payment recorded, status {after.get('status')}"


def reminder_message(db: Database, clock: Clock, rules: Rules, reminder_id: int) -> ReminderMessage:
    with db.session() as session:
        reminder = session.get(Reminder, reminder_id)
        invoice = reminder.invoice
        # Read as the system, not as the recipient: the outbox decided who gets this message.
        ctx = ToolContext(Actor("dunning", Role.ADMIN, "Tally"), session, clock, rules)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "invoice", AuditEvent.entity_id == invoice.number,
                                     AuditEvent.action.in_(HISTORY)).order_by(AuditEvent.at.desc()).limit(5)
        ).all()
        return ReminderMessage(
            reminder_id=reminder.id, stage=reminder.stage, recipient=reminder.recipient, note=reminder.note,
            invoice=invoice_detail(ctx, invoice), last_contact_at=invoice.last_contact_at,
            history=[HistoryItem(at=e.at, actor=e.actor, action=e.action, detail=_detail(e)) for e in events],
        )
