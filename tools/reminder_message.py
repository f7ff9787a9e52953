"""What a reminder DM shows: the invoice, what is due, how late, the last contact, and the history of
promises and disputes, so a collector can act without leaving Slack."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.dunning import DEFAULT_POLICY, Stage
from core.roles import Role
from db.models import AuditEvent, Invoice, Member, Reminder
from db.session import Database
from tools.context import Actor, Clock, Rules, ToolContext
from tools.invoices import InvoiceDetail, invoice_details
from tools.schemas import Result

HISTORY = ("log_promise_to_pay", "mark_dispute", "record_payment")
HISTORY_SHOWN = 5


class HistoryItem(Result):
    at: datetime
    actor: str
    action: str
    detail: str


class ReminderMessage(Result):
    reminder_id: int
    stage: str
    recipient: str
    recipient_collects: bool = True  # collectors and managers act on it; a rep's copy is for information
    note: str | None
    invoice: InvoiceDetail
    last_contact_at: datetime | None
    history: list[HistoryItem]
    escalation: bool = False  # its stage is the policy's escalation, whatever that stage is called


def _detail(event: AuditEvent) -> str:
    after = event.after or {}
    if event.action == "log_promise_to_pay":
        return f"promised {after.get('amount')} by {after.get('promised_on')}"
    if event.action == "mark_dispute":
        return f"disputed: {after.get('reason')}"
    return f"payment recorded, status {after.get('status')}"


def reminder_message(db: Database, clock: Clock, rules: Rules, reminder_id: int,
                     stages: Iterable[Stage] = DEFAULT_POLICY) -> ReminderMessage:
    return reminder_messages(db, clock, rules, [reminder_id], stages)[reminder_id]


def reminder_message_for(db: Database, clock: Clock, rules: Rules, actor: Actor, reminder_id: int,
                         invoice_number: str, stages: Iterable[Stage] = DEFAULT_POLICY) -> ReminderMessage | None:
    """The reminder a button names, for the person who clicked it, or None: a reminder that does not
    exist, is about another invoice than the button's, or whose customer the clicker may not see is
    never read for them."""
    with db.session() as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.invoice.number != str(invoice_number).strip().upper():
            return None
        if not ToolContext(actor, session, clock, rules).can_see(reminder.invoice.customer):
            return None
    return reminder_message(db, clock, rules, reminder_id, stages)


def reminder_messages(db: Database, clock: Clock, rules: Rules, reminder_ids: list[int],
                      stages: Iterable[Stage] = DEFAULT_POLICY) -> dict[int, ReminderMessage]:
    """The messages of a sender's batch, in one read and a handful of queries. `stages` is the dunning
    policy the reminders were queued by: it says which stage escalates."""
    escalations = {stage.name for stage in stages if stage.kind == "escalation"}
    with db.session() as session:
        reminders = session.scalars(select(Reminder).where(Reminder.id.in_(reminder_ids))
                                    .options(joinedload(Reminder.invoice).joinedload(Invoice.customer))).all()
        invoices = list({reminder.invoice_id: reminder.invoice for reminder in reminders}.values())
        # Read as the system, not as the recipient: the outbox decided who gets this message.
        ctx = ToolContext(Actor("dunning", Role.ADMIN, "Tally"), session, clock, rules)
        details = invoice_details(ctx, invoices)
        history: dict[str, list[HistoryItem]] = defaultdict(list)
        for e in session.scalars(select(AuditEvent).where(
                AuditEvent.entity == "invoice", AuditEvent.entity_id.in_([i.number for i in invoices]),
                AuditEvent.action.in_(HISTORY)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())):
            if len(history[e.entity_id]) < HISTORY_SHOWN:
                history[e.entity_id].append(HistoryItem(at=e.at, actor=e.actor, action=e.action, detail=_detail(e)))
        roles = dict(session.execute(select(Member.slack_user_id, Member.role).where(
            Member.slack_user_id.in_({r.recipient for r in reminders}))).all())
        return {r.id: ReminderMessage(
            reminder_id=r.id, stage=r.stage, recipient=r.recipient, note=r.note, invoice=details[r.invoice_id],
            recipient_collects=roles.get(r.recipient) != Role.SALES.value,
            last_contact_at=r.invoice.last_contact_at, history=history[r.invoice.number],
            escalation=r.stage in escalations,
        ) for r in reminders}


class ReminderMessages:
    """What reminder DMs show, on the service's database, clock, rules and dunning stages."""

    def __init__(self, db: Database, clock: Clock, rules: Rules, stages: Iterable[Stage] = DEFAULT_POLICY):
        self.db, self.clock, self.rules, self.stages = db, clock, rules, tuple(stages)

    def for_click(self, actor: Actor, reminder_id: int, invoice_number: str) -> ReminderMessage | None:
        return reminder_message_for(self.db, self.clock, self.rules, actor, reminder_id, invoice_number,
                                    self.stages)

    def many(self, reminder_ids: list[int], stages: Iterable[Stage] | None = None) -> dict[int, ReminderMessage]:
        """`stages`: the policy of the outbox that queued them, when it is not the service's own."""
        return reminder_messages(self.db, self.clock, self.rules, reminder_ids,
                                 self.stages if stages is None else stages)
