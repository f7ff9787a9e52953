"""The hourly dunning sweep: for each open invoice, the latest stage that has come due and is later than
every stage recorded for it gets its rows in the outbox (one per recipient). A recorded stage stands
for the earlier ones (core.dunning.stages_to_create), so an invoice found 60 days late gets one
reminder and no rows for the four stages it skipped; unique (invoice, stage, recipient) keeps a stage
to once per invoice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.dunning import Stage, passed_over, should_chase, stage_date, stages_to_create
from core.recipients import Holders
from core.roles import Role
from db.bulk import insert_rows
from db.models import Customer, Invoice, Member, Reminder
from db.reports import IS_OPEN
from db.session import Database
from tools.dunning_policy import Policy
from tools.outbox_verdicts import MANUAL, Audit

DeliverAt = Callable[[date, str | None, datetime], datetime]  # (day, recipient's zone, now): when to post

WHO = "dunning"  # the actor of the outbox's audit events
PAST_DUE = "a heads-up, and the invoice is past due"
INSERT_CHUNK = 10_000
COLUMNS = ("invoice_id", "stage", "recipient", "due_at", "status", "skip_reason", "attempts", "created_by",
           "created_at")


@dataclass(frozen=True)
class SweepReport:
    invoices: int  # open invoices looked at
    created: int  # reminders queued to send
    skipped: int  # stages recorded unsent (a heads-up for an invoice already past due)
    passed_over: int  # earlier stages a later one stands for: not sent, no row


class _Plans:
    """Many invoices share a due date, a customer and a time zone: each answer is worked out once a sweep."""

    def __init__(self, policy: Policy, deliver: DeliverAt, now: datetime, today: date, members: dict[str, Member]):
        self.policy, self.deliver, self.now, self.today, self.members = policy, deliver, now, today, members
        self.managers = sorted(uid for uid, m in members.items() if m.role == Role.MANAGER.value)
        self._stages: dict[tuple, tuple[list[tuple[Stage, bool]], int]] = {}
        self._people: dict[tuple, list[str]] = {}
        self._delivery: dict[tuple, datetime] = {}

    def stages(self, due: date, existing: frozenset[str]) -> tuple[list[tuple[Stage, bool]], int]:
        key = (due, existing)
        if key not in self._stages:
            policy = self.policy.stages
            self._stages[key] = (stages_to_create(due, self.today, policy, set(existing)),
                                 passed_over(due, self.today, policy, set(existing)))
        return self._stages[key]

    def recipients(self, rep: str | None, collector: str | None, stage: Stage) -> list[str]:
        key = (rep, collector, stage.recipients)
        if key not in self._people:
            holders = Holders(rep, collector, self.managers, self.members)
            self._people[key] = holders.for_stage(stage.recipients)
        return self._people[key]

    def deliver_at(self, due: date, stage: Stage, recipient: str) -> datetime:
        key = (due, stage.offset_days, tz := self.members[recipient].timezone)
        if key not in self._delivery:
            self._delivery[key] = self.deliver(stage_date(due, stage), tz, self.now)
        return self._delivery[key]


def sweep(db: Database, now: datetime, today_of: Callable[[datetime], date], policy: Policy, deliver: DeliverAt,
          audit: Audit) -> SweepReport:
    today = today_of(now)
    earliest = min(s.offset_days for s in policy.stages)
    with db.session(write=True) as session:
        members = {m.slack_user_id: m for m in session.scalars(select(Member).where(Member.active.is_(True)))}
        plans = _Plans(policy, deliver, now, today, members)
        recorded: dict[int, set[str]] = defaultdict(set)
        for invoice_id, stage in session.execute(
            select(Reminder.invoice_id, Reminder.stage).join(Invoice, Invoice.id == Reminder.invoice_id)
            .where(IS_OPEN, ~Reminder.stage.startswith(MANUAL))
        ):
            recorded[invoice_id].add(stage)
        rows, created, skipped, passed, scanned = [], 0, 0, 0, 0
        nothing: frozenset[str] = frozenset()
        query = (select(Invoice.id, Invoice.due_date, Invoice.status, Invoice.balance,
                        Invoice.disputed, Invoice.promised_on, Customer.owner_rep, Customer.collector)
                 .join(Customer, Customer.id == Invoice.customer_id)
                 .where(IS_OPEN, Invoice.due_date <= today - timedelta(days=earliest)))
        for inv_id, due, status, balance, disputed, promised, rep, collector in session.execute(query).all():
            scanned += 1
            if should_chase(status, balance, disputed, promised, today) is not None:
                continue  # paused or settled; a broken promise makes it due again at the next sweep
            existing = recorded.get(inv_id)
            plan, over = plans.stages(due, frozenset(existing) if existing else nothing)
            passed += over
            for stage, send in plan:
                for recipient in plans.recipients(rep, collector, stage):
                    rows.append((inv_id, stage.name, recipient, plans.deliver_at(due, stage, recipient) if send
                                 else now, "pending" if send else "skipped", None if send else PAST_DUE, 0, WHO, now))
                    created += send
                    skipped += not send
            if len(rows) >= INSERT_CHUNK:  # a backlog of 100k invoices makes ~150k rows: not all at once
                _insert(session, rows)
                rows = []
        _insert(session, rows)
        report = SweepReport(scanned, created, skipped, passed)
        if created or skipped:  # an hourly pass that changed nothing is not worth a row in the log
            audit(session, now, "reminder_sweep", "outbox", today.isoformat(), None,
                  {"invoices": scanned, "queued": created, "skipped": skipped, "passed_over": passed})
        session.commit()
    return report


def _insert(session: Session, rows: list[tuple]) -> None:
    insert_rows(session, Reminder.__table__, COLUMNS, rows)
