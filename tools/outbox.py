"""The reminder outbox. The database is the source of truth: an hourly sweep inserts the dunning
stages that are due (unique per invoice, stage and recipient); senders claim due rows under a lease
(FOR UPDATE SKIP LOCKED on PostgreSQL), re-read the invoice and who should get it, post, and mark
the row. A crashed sender's lease runs out and another sender takes the row over; a row that may
have been posted before (taken over, or an earlier attempt got no answer) is looked for in Slack
first, so that a message already posted is recorded, not sent again. Every change of a row leaves
an audit event: one per sweep that queued anything and per batch sent, one per row skipped, deferred or failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from core.dunning import next_delivery_time
from db.models import AuditEvent, Invoice, Reminder
from db.session import Database
from tools.context import Clock, Rules
from tools.dunning_policy import Policy, Timing
from tools.outbox_sweep import WHO, SweepReport, sweep
from tools.outbox_verdicts import MANUAL, Verdict, decide
from tools.reminder_rows import ReminderRow, reminder_row


@dataclass(frozen=True)
class Claimed:
    reminder_id: int
    recipient: str
    stage: str
    attempts: int
    taken_over: bool  # its previous sender's lease ran out
    lease_until: datetime
    since: datetime  # the earliest moment an earlier attempt could have posted it

    @property
    def maybe_posted(self) -> bool:
        """Taken over, or tried before: it may be in Slack already, so look there before posting."""
        return self.taken_over or self.attempts > 1


class Outbox:
    table: type = Reminder  # the outbox rows; the alert outbox has its own
    entity = "reminder"  # ...and its own name in the audit log

    def __init__(self, db: Database, clock: Clock, policy: Policy | None = None, rules: Rules | None = None,
                 timing: Timing | None = None):
        self.db, self.clock = db, clock
        self.policy = policy or Policy()
        self.rules = rules or Rules()
        self.timing = timing or Timing()

    def _tz(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.rules.timezone)
        except Exception:
            return ZoneInfo("UTC")

    def _today(self, now: datetime) -> object:
        return now.astimezone(self._tz(self.rules.timezone)).date()

    @staticmethod
    def _audit(session: Session, now: datetime, action: str, entity: str, entity_id: object,
               before: dict | None, after: dict | None) -> None:
        session.add(AuditEvent(at=now, actor=WHO, action=action, entity=entity, entity_id=str(entity_id)[:40],
                               before=before, after=after))

    def sweep(self) -> SweepReport:
        """Insert the latest dunning stage that has come due for each invoice (tools.outbox_sweep)."""
        return sweep(self.db, self.clock.now(), self._today, self.policy, self._deliver_at, self._audit)

    def _deliver_at(self, day: object, tz_name: str | None, now: datetime) -> datetime:
        tz = self._tz(tz_name)
        start = datetime.combine(day, self.policy.hours.start, tzinfo=tz)
        return next_delivery_time(max(start, now), tz, self.policy.hours)

    def claim(self, worker: str, limit: int = 50) -> list[Claimed]:
        """Take due rows (and rows whose sender's lease ran out) for `worker`, under a lease."""
        now = self.clock.now()
        lease_until = now + self.timing.lease
        with self.db.session(write=True) as session:
            # Two queries, each a walk of the (status, due_at) index that stops after `limit` rows: an OR of
            # the two, or a tie-break on id, makes PostgreSQL sort the whole backlog for every batch. Rows
            # whose sender's lease ran out (a few) go first; due rows fill the batch, oldest due first.
            columns = (Reminder.id, Reminder.status, Reminder.recipient, Reminder.stage, Reminder.attempts,
                       Reminder.lease_until, Reminder.created_at, Reminder.due_at)
            rows = session.execute(
                select(*columns).where(Reminder.status == "claimed", Reminder.lease_until < now)
                .order_by(Reminder.due_at).limit(limit).with_for_update(skip_locked=True)).all()
            if len(rows) < limit:
                rows += session.execute(
                    select(*columns).where(Reminder.status == "pending", Reminder.due_at <= now)
                    .order_by(Reminder.due_at).limit(limit - len(rows)).with_for_update(skip_locked=True)).all()
            if not rows:
                return []
            rows.sort(key=lambda r: (r.due_at, r.id))
            session.execute(update(Reminder).where(Reminder.id.in_([r.id for r in rows])).values(
                status="claimed", claimed_by=worker, lease_until=lease_until, attempts=Reminder.attempts + 1))
            taken_over = [r.id for r in rows if r.status == "claimed"]
            if taken_over:
                self._audit(session, now, "reminders_taken_over", "outbox", worker, None,
                            {"ids": taken_over, "worker": worker})
            session.commit()
        # An earlier attempt posted, if at all, under the last lease the row had: after that lease began.
        return [Claimed(r.id, r.recipient, r.stage, r.attempts + 1, r.status == "claimed", lease_until,
                        r.lease_until - self.timing.lease if r.lease_until else r.created_at) for r in rows]

    def renew(self, worker: str, reminder_ids: list[int], now: datetime) -> tuple[set[int], datetime]:
        """Extend the lease of rows `worker` still holds; the ids still held and the new end of the lease."""
        lease_until = now + self.timing.lease
        with self.db.session(write=True) as session:
            rows = self.table
            held = session.scalars(
                update(rows).where(rows.id.in_(reminder_ids), rows.status == "claimed", rows.claimed_by == worker)
                .values(lease_until=lease_until).returning(rows.id)).all()
            session.commit()
        return set(held), lease_until

    def recheck(self, reminder_id: int) -> str | None:
        """Right before sending: why not to send it now (paid, void, disputed, promised...), or None."""
        return self.verdicts([reminder_id], self.clock.now())[reminder_id].skip

    def verdicts(self, reminder_ids: list[int], now: datetime) -> dict[int, Verdict]:
        """For a sender's batch, right before posting: skip it (settled, paused, no one to send it to), or
        send it to whom. A row whose recipient no longer handles the customer is handed to who does now."""
        stages = {s.name: s.recipients for s in self.policy.stages}
        with self.db.session(write=True) as session:
            verdicts = decide(session, reminder_ids, now, self._today(now), stages, self._audit)
            session.commit()
        return verdicts

    def _finish(self, reminder_id: int, worker: str | None, now: datetime, action: str, audit: dict,
                **values: object) -> bool:
        with self.db.session(write=True) as session:
            rows = self.table
            query = update(rows).where(rows.id == reminder_id, rows.status == "claimed")
            if worker is not None:  # only the holder of the lease may finish it
                query = query.where(rows.claimed_by == worker)
            # lease_until stays: the end of the row's last lease bounds where a retry looks for an earlier post
            done = session.execute(query.values(**values)).rowcount == 1
            if done:
                self._audit(session, now, action, self.entity, reminder_id, {"status": "claimed", "by": worker}, audit)
            session.commit()
            return done

    def mark_sent_many(self, worker: str, posted: list[tuple[int, str, str]], reconciled: set[int] = frozenset(),
                       ) -> int:
        """Mark a batch of (reminder id, channel, ts) sent, in one transaction; how many were still ours.
        `reconciled` are those found already in Slack rather than posted now."""
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
            ours = select(Reminder.id, Reminder.invoice_id).where(
                Reminder.id.in_([p[0] for p in posted]), Reminder.status == "sent", Reminder.claimed_by == worker)
            mine = session.execute(ours).all()
            # lock the invoices in id order, so that two senders touching the same invoices cannot deadlock
            invoice_ids = session.scalars(select(Invoice.id).where(Invoice.id.in_({i for _, i in mine}))
                                          .order_by(Invoice.id).with_for_update()).all()
            session.execute(update(Invoice).where(Invoice.id.in_(invoice_ids)).values(last_contact_at=now))
            ids = sorted(r for r, _ in mine)
            self._audit(session, now, "reminders_sent", "outbox", worker, None,
                        {"ids": ids, "found_in_slack": sorted(reconciled & set(ids)), "worker": worker})
            session.commit()
            return marked

    def release(self, worker: str, reminder_ids: list[int]) -> None:
        """Claimed but not tried: back to pending at once, no attempt spent."""
        now = self.clock.now()
        with self.db.session(write=True) as session:
            rows = self.table
            released = session.execute(update(rows).where(
                rows.id.in_(reminder_ids), rows.status == "claimed", rows.claimed_by == worker)
                .values(status="pending", attempts=rows.attempts - 1)).rowcount
            if released:
                self._audit(session, now, "reminders_released", "outbox", worker, None,
                            {"ids": sorted(reminder_ids), "worker": worker})
            session.commit()

    def mark_skipped(self, reminder_id: int, worker: str | None, reason: str) -> bool:
        return self._finish(reminder_id, worker, self.clock.now(), f"{self.entity}_skipped",
                            {"status": "skipped", "reason": reason}, status="skipped", skip_reason=reason)

    def defer(self, reminder_id: int, worker: str | None, until: datetime, why: str) -> bool:
        """Not now after all (outside working hours, Slack asked to wait): back to pending for `until`,
        no attempt spent, since nothing was posted."""
        return self._finish(reminder_id, worker, self.clock.now(), f"{self.entity}_deferred",
                            {"status": "pending", "due_at": until.isoformat(), "why": why},
                            status="pending", due_at=until, attempts=self.table.attempts - 1)

    def mark_failed(self, reminder_id: int, worker: str | None, error: str, attempts: int) -> bool:
        """Retry with backoff; after the last attempt the row is failed, for managers to see."""
        now, error = self.clock.now(), error[:2000]
        if attempts >= self.timing.max_attempts:
            return self._finish(reminder_id, worker, now, f"{self.entity}_failed",
                                {"status": "failed", "error": error[:300], "attempts": attempts},
                                status="failed", last_error=error)
        retry_at = now + self.timing.retry_after[attempts - 1]
        return self._finish(reminder_id, worker, now, f"{self.entity}_failed",
                            {"status": "pending", "retry_at": retry_at.isoformat(), "error": error[:300],
                             "attempts": attempts}, status="pending", due_at=retry_at, last_error=error)

    def deliver_again_at(self, recipient_tz: str | None, now: datetime) -> datetime:
        """The first moment from `now` inside the recipient's working hours (`now` itself when inside)."""
        return next_delivery_time(now, self._tz(recipient_tz), self.policy.hours)

    def listing(self, status: str | None = None, limit: int = 50) -> list[ReminderRow]:
        with self.db.session() as session:
            query = select(Reminder).order_by(Reminder.due_at.desc()).limit(limit)
            if status:
                query = query.where(Reminder.status == status)
            return [reminder_row(r) for r in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            return dict(session.execute(select(self.table.status, func.count()).group_by(self.table.status)).all())

    def failed_since(self, since: datetime) -> list[ReminderRow]:
        with self.db.session() as session:
            return [reminder_row(r) for r in session.scalars(select(Reminder).where(
                Reminder.status == "failed", Reminder.created_at >= since - timedelta(days=30))
                .order_by(Reminder.due_at))]


__all__ = ["MANUAL", "Claimed", "Outbox", "Policy", "SweepReport", "Timing", "Verdict"]
