"""Collections: reminders, promises to pay, disputes, and the collector's worklist."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import Field
from sqlalchemy import case, func, select

from core.dunning import SETTLED, worklist_score, worklist_sort_key
from core.errors import Conflict, InvalidInput, NotFound
from core.money import fmt, money
from core.risk import PaymentStats, risk_grade
from core.roles import Role
from db.models import OPEN_STATUSES, Customer, Invoice, Reminder
from db.reports import IS_OPEN
from db.sqlfn import days_between
from tools.context import ToolContext
from tools.invoices import InvoiceDetail, invoice_detail, invoice_line
from tools.lookup import member_named, resolve_invoice
from tools.registry import resolves, tool
from tools.schemas import Args, FlexDate, FlexDateTime, InvoiceLine, Money, PositiveMoney, Result
from tools.unapplied_cash import UnappliedCash, unapplied_for_worklist

WORKLIST_LIMIT = 25


class ReminderResult(Result):
    reminder_id: int
    invoice_number: str
    customer_name: str
    remind_at: datetime
    recipient: str
    status: str
    note: str | None = None
    timezone: str = "UTC"

    def describe(self, done: bool) -> str:
        from zoneinfo import ZoneInfo

        local = self.remind_at.astimezone(ZoneInfo(self.timezone)).strftime("%a %d %b %Y %H:%M")
        who = f"<@{self.recipient}>"
        if self.status == "cancelled":
            return (f"Cancelled reminder #{self.reminder_id} for {self.invoice_number}." if done else
                    f"Cancel reminder #{self.reminder_id} for {self.invoice_number} ({local}, to {who}).")
        if not done:  # the note is what the DM will say: shown before anyone confirms
            note = f' with the note "{self.note}"' if self.note else " (no note)"
            return (f"Remind {who} about {self.invoice_number} ({self.customer_name}) on {local} {self.timezone}"
                    f"{note}.")
        return f"Reminder #{self.reminder_id} set: {who} about {self.invoice_number} on {local} {self.timezone}."


def _recipient(ctx: ToolContext, text: str | None) -> str:
    """'me' and no one named mean the person who asked for the reminder, not whoever confirms it."""
    if not text or text.strip().lower() in ("me", "myself", "我"):
        return ctx.requested_by
    return member_named(ctx, text, "or leave it out for yourself")


class ScheduleReminderArgs(Args):
    invoice_number: str
    remind_at: FlexDateTime = Field(description="YYYY-MM-DDTHH:MM, user's timezone")
    recipient: str | None = Field(None, description="Slack user id; default: the requester")
    note: str | None = Field(None, max_length=500)


@tool("write", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def schedule_reminder(ctx: ToolContext, args: ScheduleReminderArgs) -> ReminderResult:
    """Schedule a Slack reminder about an invoice."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    remind_at = args.remind_at if args.remind_at.tzinfo else args.remind_at.replace(tzinfo=ctx.actor.tz)
    remind_at = remind_at.astimezone(UTC)
    # A time already past is refused when proposed; one that passed while the card waited for its
    # Confirm is kept as shown, and the sender sends it at once.
    if remind_at <= ctx.now and not ctx.confirming:
        raise InvalidInput(f"{args.remind_at} is in the past.", hint="Pick a time from now on, e.g. tomorrow 9am.")
    if invoice.status in SETTLED:
        raise Conflict(f"{invoice.number} is {invoice.status}; there is nothing to chase.")
    recipient = _recipient(ctx, args.recipient)
    stage = "at:" + remind_at.strftime("%Y%m%dT%H%M")
    existing = ctx.session.scalar(select(Reminder).where(
        Reminder.invoice_id == invoice.id, Reminder.stage == stage, Reminder.recipient == recipient))
    if existing is not None and existing.status != "cancelled":
        raise Conflict(f"That reminder already exists (#{existing.id}, {existing.status}).")
    if existing is not None:  # a cancelled one comes back to life rather than colliding with the key
        existing.status, existing.note, existing.attempts = "pending", args.note, 0
        reminder = existing
    else:
        reminder = Reminder(invoice_id=invoice.id, stage=stage, recipient=recipient, due_at=remind_at,
                            status="pending", note=args.note, created_by=ctx.actor.user_id, created_at=ctx.now)
        ctx.session.add(reminder)
    ctx.session.flush()
    ctx.audit("schedule_reminder", "reminder", reminder.id, None,
              {"invoice": invoice.number, "due_at": remind_at.isoformat(), "recipient": recipient})
    return ReminderResult(reminder_id=reminder.id, invoice_number=invoice.number,
                          customer_name=invoice.customer.name, remind_at=remind_at, recipient=recipient,
                          status=reminder.status, note=args.note, timezone=ctx.actor.timezone)


@resolves(schedule_reminder)
def _resolve_reminder(ctx: ToolContext, args: ScheduleReminderArgs) -> ScheduleReminderArgs:
    """The recipient ('me' or nobody: the requester) and the moment in the requester's timezone are fixed
    when proposed, so a manager confirming a rep's proposal sends what the card showed, to whom it showed."""
    remind_at = args.remind_at if args.remind_at.tzinfo else args.remind_at.replace(tzinfo=ctx.actor.tz)
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number,
                                   "recipient": _recipient(ctx, args.recipient), "remind_at": remind_at})


class CancelReminderArgs(Args):
    reminder_id: int = Field(gt=0)


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def cancel_reminder(ctx: ToolContext, args: CancelReminderArgs) -> ReminderResult:
    """Cancel a scheduled reminder that has not been sent."""
    reminder = ctx.session.scalar(select(Reminder).where(Reminder.id == args.reminder_id)
                                  .with_for_update(of=Reminder))
    if reminder is None:
        raise NotFound(f"No reminder #{args.reminder_id}.")
    if reminder.status not in ("pending", "failed"):
        raise Conflict(f"Reminder #{reminder.id} is {reminder.status}; only pending reminders can be cancelled.")
    reminder.status = "cancelled"
    ctx.audit("cancel_reminder", "reminder", reminder.id, {"status": "pending"}, {"status": "cancelled"})
    return ReminderResult(reminder_id=reminder.id, invoice_number=reminder.invoice.number,
                          customer_name=reminder.invoice.customer.name, remind_at=reminder.due_at,
                          recipient=reminder.recipient, status="cancelled", timezone=ctx.actor.timezone)


class InvoiceUpdate(Result):
    action: str
    invoice: InvoiceDetail

    def describe(self, done: bool) -> str:
        inv, cur = self.invoice.invoice, self.invoice.currency
        if self.action == "promise":
            amount = fmt(self.invoice.promised_amount or inv.balance, cur)
            return (f"Promise to pay logged: {inv.customer.name} pays {amount} on {inv.promised_on} "
                    f"({inv.number}); chasing pauses until then." if done else
                    f"Log a promise: {inv.customer.name} pays {amount} on {inv.promised_on} for {inv.number}.")
        reason = self.invoice.dispute_reason
        return (f"{inv.number} marked disputed ({reason}); chasing paused." if done else
                f"Mark {inv.number} ({inv.customer.name}, {fmt(inv.balance, cur)}) disputed: {reason}.")


class LogPromiseArgs(Args):
    invoice_number: str
    promised_on: FlexDate = Field(description="YYYY-MM-DD")
    amount: PositiveMoney | None = Field(None, description="default: the balance")


def _open_invoice(ctx: ToolContext, number: str) -> Invoice:
    invoice = resolve_invoice(ctx, number, lock=True)
    if invoice.status not in OPEN_STATUSES:
        raise Conflict(f"{invoice.number} is {invoice.status}; nothing is owed on it.")
    return invoice


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def log_promise_to_pay(ctx: ToolContext, args: LogPromiseArgs) -> InvoiceUpdate:
    """Log a customer's promise to pay an invoice by a date (pauses reminders)."""
    invoice = _open_invoice(ctx, args.invoice_number)
    if args.promised_on < ctx.today:
        raise InvalidInput(f"{args.promised_on} is in the past.", hint="A promise is for today or later.")
    balance = invoice.balance
    if args.amount and args.amount > balance:
        raise InvalidInput(f"{fmt(args.amount)} is more than the balance ({fmt(balance)}).")
    before = {"promised_on": str(invoice.promised_on) if invoice.promised_on else None}
    invoice.promised_on, invoice.promised_amount, invoice.last_contact_at = args.promised_on, args.amount, ctx.now
    ctx.audit("log_promise_to_pay", "invoice", invoice.number, before,
              {"promised_on": args.promised_on.isoformat(), "amount": str(args.amount or balance)})
    return InvoiceUpdate(action="promise", invoice=invoice_detail(ctx, invoice))


@resolves(log_promise_to_pay)
def _resolve_promise(ctx: ToolContext, args: LogPromiseArgs) -> LogPromiseArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})


class MarkDisputeArgs(Args):
    invoice_number: str
    reason: str = Field(min_length=3, max_length=500)


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def mark_dispute(ctx: ToolContext, args: MarkDisputeArgs) -> InvoiceUpdate:
    """Mark an invoice disputed by the customer, with the reason (pauses reminders)."""
    invoice = _open_invoice(ctx, args.invoice_number)
    before = {"disputed": invoice.disputed, "reason": invoice.dispute_reason}
    invoice.disputed, invoice.last_contact_at = True, ctx.now
    invoice.dispute_reason = dispute_reasons(before["reason"] if before["disputed"] else None, args.reason, ctx.today)
    ctx.audit("mark_dispute", "invoice", invoice.number, before,
              {"disputed": True, "reason": invoice.dispute_reason, "added": args.reason})
    return InvoiceUpdate(action="dispute", invoice=invoice_detail(ctx, invoice))


@resolves(mark_dispute)
def _resolve_dispute(ctx: ToolContext, args: MarkDisputeArgs) -> MarkDisputeArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})


def dispute_reasons(earlier: str | None, reason: str, today: date) -> str:
    """A further reason on a disputed invoice adds to the earlier ones, dated; it never replaces them."""
    if not earlier:
        return reason
    if earlier == reason or earlier.endswith(f": {reason}"):  # the same reason again adds nothing
        return earlier
    return f"{earlier}; then on {today}: {reason}"


class WorklistItem(Result):
    invoice: InvoiceLine
    risk_grade: str
    score: Money
    broken_promise: bool
    last_contact_at: datetime | None


class Worklist(Result):
    collector: str | None
    currency: str
    items: list[WorklistItem]
    total_overdue: Money
    more: int = 0
    unapplied: list[UnappliedCash] = []  # customers' money waiting to be applied: apply it before chasing


class WorklistArgs(Args):
    collector: str | None = Field(None, description="collector's Slack id or 'all'; default: yours")


def customer_grades(ctx: ToolContext, overdue_days: dict[int, int]) -> dict[int, str]:
    """Risk grade per customer (the keys: the oldest overdue invoice's days), from paid invoices in one
    query, capped by the age of what each owes now."""
    customer_ids = set(overdue_days)
    if not customer_ids:
        return {}
    late = days_between(ctx.session, Invoice.paid_on, Invoice.due_date)
    rows = ctx.session.execute(
        select(Invoice.customer_id, func.count(),
               func.sum(case((late <= 0, 1), else_=0)), func.sum(case((late > 0, late), else_=0)))
        .where(Invoice.customer_id.in_(customer_ids), Invoice.paid_on.is_not(None))
        .group_by(Invoice.customer_id)
    ).all()
    grades = {cid: risk_grade(PaymentStats(0, Decimal(0), Decimal(0)), overdue_days.get(cid, 0))
              for cid in customer_ids}
    for cid, count, on_time, days_late in rows:
        stats = PaymentStats(paid_count=count, on_time_share=(Decimal(on_time) / count).quantize(Decimal("0.01")),
                             avg_days_late=(Decimal(days_late) / count).quantize(Decimal("0.1")))
        grades[cid] = risk_grade(stats, overdue_days.get(cid, 0))
    return grades


@tool("read", {Role.COLLECTOR, Role.MANAGER})
def collection_worklist(ctx: ToolContext, args: WorklistArgs) -> Worklist:
    """Overdue invoices to chase, ranked (broken promises first)."""
    today = ctx.today
    who = args.collector
    if who and who.lower() != "all":
        who = member_named(ctx, who, "or `all`")
    elif who is None and ctx.actor.role is Role.COLLECTOR:
        who = ctx.actor.user_id
    if who == ctx.actor.user_id and ctx.actor.role is not Role.COLLECTOR:
        who = None  # a manager's "my worklist" is the whole book: they chase through the collectors

    query = select(Invoice).where(
        IS_OPEN, Invoice.due_date < today, Invoice.disputed.is_(False),
        (Invoice.promised_on.is_(None)) | (Invoice.promised_on < today),
    )
    if who and who.lower() != "all":
        query = query.join(Customer, Invoice.customer_id == Customer.id).where(Customer.collector == who)
    invoices = ctx.session.scalars(query).unique().all()
    oldest: dict[int, int] = {}
    for invoice in invoices:
        oldest[invoice.customer_id] = max(oldest.get(invoice.customer_id, 0), (today - invoice.due_date).days)
    grades = customer_grades(ctx, oldest)
    items = []
    for invoice in invoices:
        line = invoice_line(invoice, today)
        broken = invoice.promised_on is not None and invoice.promised_on < today
        grade = grades[invoice.customer_id]
        score = money(worklist_score(line.balance, line.days_overdue, grade))
        items.append(WorklistItem(invoice=line, risk_grade=grade, score=score, broken_promise=broken,
                                  last_contact_at=invoice.last_contact_at))
    items.sort(key=lambda it: worklist_sort_key(it.score, it.broken_promise))
    ctx.viewed("invoice", [it.invoice.number for it in items[:WORKLIST_LIMIT]])
    return Worklist(collector=who if who and who.lower() != "all" else None, currency=ctx.rules.currency,
                    items=items[:WORKLIST_LIMIT], total_overdue=sum((i.invoice.balance for i in items), Decimal(0)),
                    more=max(len(items) - WORKLIST_LIMIT, 0),
                    unapplied=unapplied_for_worklist(ctx, who if who and who.lower() != "all" else None))
