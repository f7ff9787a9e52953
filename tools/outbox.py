"""The reminder outbox. The database is the source of truth: an hourly sweep inserts the dunning
stages that are due (unique per invoice, stage and recipient); senders claim due rows under a lease
(FOR UPDATE SKIP LOCKED on PostgreSQL), re-read the invoice, post, and mark the row. A crashed
sender's lease runs out and another sender takes the row over, checking Slack first so that a
message already posted is recorded, not sent again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from core.dunning import (
    DEFAULT_POLICY,
    Stage,
    WorkingHours,
    next_delivery_time,
    parse_policy,
    parse_working_hours,
    should_chase,
    stage_date,
    stages_to_create,
)
from core.roles import Role
from db.models import Customer, Invoice, Member, Reminder
from db.reports import IS_OPEN
from db.session import Database
from tools.context import Clock, Rules

MANUAL = "at:"  # stage prefix of reminders people scheduled themselves
LEASE = timedelta(minutes=2)
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
INSERT_CHUNK = 10_000


@dataclass(frozen=True)
class Policy:
    stages: tuple[Stage, ...] = DEFAULT_POLICY
    hours: WorkingHours = WorkingHours()


def load_policy(path: Path | None) -> Policy:
    """The dunning policy from a TOML file (stages and working hours), or the built-in default."""
    if path is None:
        return Policy()
    text = Path(path).read_text(encoding="utf-8")
    stages = parse_policy(text) if "[[stage]]" in text else DEFAULT_POLICY
    return Policy(stages, parse_working_hours(text))


@dataclass(frozen=True)
class SweepReport:
    invoices: int
    created: int
    superseded: int


@dataclass(frozen=True)
class Claimed:
    reminder_id: int
    recipient: str
    stage: str
    attempts: int
    taken_over: bool  # its previous sender's lease ran out: check Slack before posting again
    claimed_at: datetime


class Outbox:
    def __init__(self, db: Database, clock: Clock, policy: Policy | None = None, rules: Rules | None = None):
        self.db, self.clock = db, clock
        self.policy = policy or Policy()
        self.rules = rules or Rules()

    def _tz(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.rules.timezone)
        except Exception:
            return ZoneInfo("UTC")

    def sweep(self) -> SweepReport:
        """Insert every dunning stage that has come due; only the latest per invoice is sent."""
        now = self.clock.now()
        today = now.astimezone(self._tz(self.rules.timezone)).date()
        earliest = min(s.offset_days for s in self.policy.stages)
        with self.db.session(write=True) as session:
            members = {m.slack_user_id: m for m in session.scalars(select(Member).where(Member.active.is_(True)))}
            managers = sorted(uid for uid, m in members.items() if m.role == Role.MANAGER.value)
            recorded: dict[int, set[str]] = defaultdict(set)
            for invoice_id, stage in session.execute(
                select(Reminder.invoice_id, Reminder.stage).join(Invoice, Invoice.id == Reminder.invoice_id)
                .where(IS_OPEN, ~Reminder.stage.startswith(MANUAL))
            ):
                recorded[invoice_id].add(stage)
            rows, created, superseded, scanned = [], 0, 0, 0
            query = (select(Invoice.id, Invoice.due_date, Invoice.status, Invoice.total - Invoice.paid_amount,
                            Invoice.disputed, Invoice.promised_on, Customer.owner_rep, Customer.collector)
                     .join(Customer, Customer.id == Invoice.customer_id)
                     .where(IS_OPEN, Invoice.due_date <= today - timedelta(days=earliest)))
            for inv_id, due, status, balance, disputed, promised, rep, collector in session.execute(query).all():
                scanned += 1
                if should_chase(status, balance, disputed, promised, today) is not None:
                    continue  # paused or settled; a broken promise makes it due again at the next sweep
                for stage, send in stages_to_create(due, today, self.policy.stages, recorded[inv_id]):
                    people = {"rep": [rep], "collector": [collector or (managers[0] if managers else None)],
                              "manager": managers}
                    recipients = sorted({p for role in stage.recipients for p in people[role] if p in members})
                    for recipient in recipients:
                        due_at = (self._deliver_at(stage_date(due, stage), members[recipient].timezone, now)
                                  if send else now)
                        rows.append({"invoice_id": inv_id, "stage": stage.name, "recipient": recipient,
                                     "due_at": due_at, "status": "pending" if send else "skipped",
                                     "skip_reason": None if send else "superseded by a later stage",
                                     "attempts": 0, "created_by": "dunning", "created_at": now})
                        created += send
                        superseded += not send
                if len(rows) >= INSERT_CHUNK:  # a backlog of 100k invoices makes ~600k rows: not all at once
                    self._insert(session, rows)
                    rows = []
            self._insert(session, rows)
            session.commit()
        return SweepReport(scanned, created, superseded)

    @staticmethod
    def _insert(session: Session, rows: list[dict]) -> None:
        if rows:  # through Core, one executemany: the ORM leaves out None values and splits the rows by that
            session.execute(insert(Reminder.__table__), rows)

    def _deliver_at(self, day: object, tz_name: str | None, now: datetime) -> datetime:
        tz = self._tz(tz_name)
        start = datetime.combine(day, self.policy.hours.start, tzinfo=tz)
        return next_delivery_time(max(start, now), tz, self.policy.hours)

    def claim(self, worker: str, limit: int = 50) -> list[Claimed]:
        """Take due rows (and rows whose sender's lease ran out) for `worker`, under a lease."""
        now = self.clock.now()
        with self.db.session(write=True) as session:
            due = (select(Reminder.id, Reminder.status, Reminder.recipient, Reminder.stage, Reminder.attempts)
                   .where(((Reminder.status == "pending") & (Reminder.due_at <= now))
                          | ((Reminder.status == "claimed") & (Reminder.lease_until < now)))
                   .order_by(Reminder.due_at, Reminder.id).limit(limit)
                   .with_for_update(skip_locked=True))
            rows = session.execute(due).all()
            if not rows:
                return []
            session.execute(update(Reminder).where(Reminder.id.in_([r.id for r in rows])).values(
                status="claimed", claimed_by=worker, lease_until=now + LEASE, attempts=Reminder.attempts + 1))
            session.commit()
        return [Claimed(r.id, r.recipient, r.stage, r.attempts + 1, r.status == "claimed", now) for r in rows]

    def recheck(self, reminder_id: int) -> str | None:
        """Right before sending: why not to send it now (paid, void, disputed, promised), or None."""
        return self.recheck_many([reminder_id])[reminder_id]

    def recheck_many(self, reminder_ids: list[int]) -> dict[int, str | None]:
        """`recheck` for a sender's batch, in one read."""
        today = self.clock.now().astimezone(self._tz(self.rules.timezone)).date()
        reasons: dict[int, str | None] = {}
        with self.db.session() as session:
            for reminder in session.scalars(select(Reminder).where(Reminder.id.in_(reminder_ids))):
                invoice = reminder.invoice
                if reminder.stage.startswith(MANUAL):  # asked for by a person: only a settled invoice cancels it
                    reasons[reminder.id] = invoice.status if invoice.status in ("paid", "void") else None
                else:
                    reasons[reminder.id] = should_chase(invoice.status, invoice.total - invoice.paid_amount,
                                                        invoice.disputed, invoice.promised_on, today)
        return reasons

    def _finish(self, reminder_id: int, worker: str | None, *, contacted: bool = False, **values: object) -> bool:
        with self.db.session(write=True) as session:
            query = update(Reminder).where(Reminder.id == reminder_id, Reminder.status == "claimed")
            if worker is not None:  # only the holder of the lease may finish it
                query = query.where(Reminder.claimed_by == worker)
            done = session.execute(query.values(lease_until=None, **values)).rowcount == 1
            if done and contacted:
                invoice_id = select(Reminder.invoice_id).where(Reminder.id == reminder_id).scalar_subquery()
                session.execute(update(Invoice).where(Invoice.id == invoice_id)
                                .values(last_contact_at=self.clock.now()))
            session.commit()
            return done

    def mark_sent(self, reminder_id: int, worker: str | None, channel: str, ts: str) -> bool:
        return self._finish(reminder_id, worker, contacted=True, status="sent", slack_channel=channel, slack_ts=ts,
                            sent_at=self.clock.now(), last_error=None)

    def mark_sent_many(self, worker: str, posted: list[tuple[int, str, str]]) -> int:
        """`mark_sent` for a batch of (reminder id, channel, ts), in one transaction; how many were still ours."""
        if not posted:
            return 0
        now = self.clock.now()
        rows = [{"rid": reminder_id, "channel": channel, "ts": ts} for reminder_id, channel, ts in posted]
        table = Reminder.__table__
        with self.db.session(write=True) as session:
            marked = session.execute(  # one statement, many rows: a single round trip on PostgreSQL
                update(table).where(table.c.id == bindparam("rid"), table.c.status == "claimed",
                                    table.c.claimed_by == worker)
                .values(status="sent", slack_channel=bindparam("channel"), slack_ts=bindparam("ts"), sent_at=now,
                        last_error=None, lease_until=None), rows).rowcount
            ours = select(Reminder.invoice_id).where(Reminder.id.in_([p[0] for p in posted]),
                                                     Reminder.status == "sent", Reminder.claimed_by == worker)
            # lock the invoices in id order, so that two senders touching the same invoices cannot deadlock
            invoice_ids = session.scalars(select(Invoice.id).where(Invoice.id.in_(ours)).order_by(Invoice.id)
                                          .with_for_update()).all()
            session.execute(update(Invoice).where(Invoice.id.in_(invoice_ids)).values(last_contact_at=now))
            session.commit()
            return marked

    def release(self, worker: str, reminder_ids: list[int]) -> None:
        """Claimed but not tried (the lease ran short): back to pending at once, no attempt spent."""
        with self.db.session(write=True) as session:
            session.execute(update(Reminder).where(Reminder.id.in_(reminder_ids), Reminder.status == "claimed",
                                                   Reminder.claimed_by == worker)
                            .values(status="pending", lease_until=None, attempts=Reminder.attempts - 1))
            session.commit()

    def mark_skipped(self, reminder_id: int, worker: str | None, reason: str) -> bool:
        return self._finish(reminder_id, worker, status="skipped", skip_reason=reason)

    def defer(self, reminder_id: int, worker: str | None, until: datetime) -> bool:
        """Outside the recipient's working hours after all: back to pending, for later, no attempt spent."""
        return self._finish(reminder_id, worker, status="pending", due_at=until, attempts=Reminder.attempts - 1)

    def mark_failed(self, reminder_id: int, worker: str | None, error: str, attempts: int) -> bool:
        """Retry with backoff; after the last attempt the row is failed, for managers to see."""
        if attempts >= MAX_ATTEMPTS:
            return self._finish(reminder_id, worker, status="failed", last_error=error[:2000])
        retry_at = self.clock.now() + RETRY_AFTER[attempts - 1]
        return self._finish(reminder_id, worker, status="pending", due_at=retry_at, last_error=error[:2000])

    def deliver_again_at(self, recipient_tz: str | None, now: datetime) -> datetime:
        """The first moment from `now` inside the recipient's working hours (`now` itself when inside)."""
        return next_delivery_time(now, self._tz(recipient_tz), self.policy.hours)

    def listing(self, status: str | None = None, limit: int = 50) -> list[Reminder]:
        with self.db.session() as session:
            query = select(Reminder).order_by(Reminder.due_at.desc()).limit(limit)
            if status:
                query = query.where(Reminder.status == status)
            return list(session.scalars(query))

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            return dict(session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())

    def failed_since(self, since: datetime) -> list[Reminder]:
        with self.db.session() as session:
            return list(session.scalars(select(Reminder).where(Reminder.status == "failed",
                                                                Reminder.created_at >= since - timedelta(days=30))
                                        .order_by(Reminder.due_at)))
