"""Right before a reminder is sent: whether it still should go (the invoice may be paid, disputed or
promised since), and to whom (the customer may have changed hands, its rep or collector may have left)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.dunning import SETTLED, should_chase
from core.recipients import Holders, recipient_now
from core.roles import Role
from db.models import Customer, Invoice, Member, Reminder

MANUAL = "at:"  # stage prefix of reminders people scheduled themselves
Audit = Callable[..., None]  # (session, now, action, entity, entity id, before, after)


@dataclass(frozen=True)
class Verdict:
    """To whom it goes now, or why not (paid, disputed, recipient gone...)."""

    recipient: str
    skip: str | None = None


def decide(session: Session, reminder_ids: list[int], now: datetime, today: date,
           stages: dict[str, tuple[str, ...]], audit: Audit) -> dict[int, Verdict]:
    """Whether, and to whom, each of a batch goes now, in the caller's transaction; a row handed to
    someone else is changed, and audited, there."""
    roles = {uid: (role, active) for uid, role, active in
             session.execute(select(Member.slack_user_id, Member.role, Member.active))}
    active = {uid for uid, (_, is_active) in roles.items() if is_active}
    managers = sorted(uid for uid in active if roles[uid][0] == Role.MANAGER.value)
    rows = session.execute(
        select(Reminder, Customer.owner_rep, Customer.collector)
        .join(Invoice, Invoice.id == Reminder.invoice_id).join(Customer, Customer.id == Invoice.customer_id)
        .where(Reminder.id.in_(reminder_ids))).all()
    return {reminder.id: _verdict(session, reminder, today, now, stages, Holders(rep, collector, managers, active),
                                  roles, audit) for reminder, rep, collector in rows}


def _verdict(session: Session, reminder: Reminder, today: date, now: datetime, stages: dict[str, tuple[str, ...]],
             holders: Holders, roles: dict[str, tuple], audit: Audit) -> Verdict:
    invoice, manual = reminder.invoice, reminder.stage.startswith(MANUAL)
    if manual:  # asked for by a person: only a settled invoice cancels it
        why = invoice.status if invoice.status in SETTLED else None
    else:
        why = should_chase(invoice.status, invoice.balance, invoice.disputed,
                           invoice.promised_on, today)
    if why is not None:
        return Verdict(reminder.recipient, why)
    stage_roles = None if manual else stages.get(reminder.stage, ("rep", "collector", "manager"))
    others: set[str] = set()
    if stage_roles is not None and reminder.recipient not in holders.for_stage(stage_roles):
        others = set(session.scalars(select(Reminder.recipient).where(  # rare: the customer changed hands
            Reminder.invoice_id == reminder.invoice_id, Reminder.stage == reminder.stage,
            Reminder.id != reminder.id)))
    named_role = roles.get(reminder.recipient, (None, False))[0]
    decision = recipient_now(reminder.recipient, stage_roles, holders, named_role, others)
    if decision.recipient is None:
        return Verdict(reminder.recipient, decision.reason)
    if decision.recipient != reminder.recipient:
        before = reminder.recipient
        try:
            with session.begin_nested():  # a row for the new recipient may have appeared meanwhile
                reminder.recipient = decision.recipient
                session.flush()
        except IntegrityError:
            return Verdict(before, f"{decision.recipient} already has this reminder")
        audit(session, now, "reminder_redirected", "reminder", reminder.id, {"recipient": before},
                    {"recipient": decision.recipient, "why": decision.reason})
    return Verdict(decision.recipient)
