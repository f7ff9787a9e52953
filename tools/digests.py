"""Weekly digests, one per manager and ISO week: sent, then marked.

A sender claims the week's row with a lease, posts, and marks it sent with the message's channel and
ts. A post that failed releases the lease, so the next hourly run tries again; a sender that died keeps
it until the lease runs out. Whoever takes over an attempt that may have posted looks for the message
in Slack first (see bot/digest.py), so two schedulers or a crash never make two digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from db.models import DigestLog
from db.session import Database
from tools.context import Clock

# Longer than any one send (Slack's 429 waits are seconds to a minute, five at most), shorter than the
# hour between runs: a crashed attempt is taken over by the next run.
LEASE = timedelta(minutes=50)


@dataclass(frozen=True)
class DigestClaim:
    manager: str
    week: str
    taken_over: bool  # an earlier attempt failed or died; it may have posted before it did


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def claim_digest(db: Database, manager: str, week: str, now: datetime, *, may_start: bool = True,
                 lease: timedelta = LEASE) -> DigestClaim | None:
    """The right to send this week's digest now, or None: sent already, someone holds it, or (with
    `may_start` false) no attempt was made yet this week."""
    with db.session(write=True) as session:
        if session.get(DigestLog, (manager, week)) is None:
            if not may_start:
                return None
            session.add(DigestLog(manager=manager, week=week, lease_until=now + lease, attempts=1))
            try:
                session.commit()
            except IntegrityError:  # another scheduler inserted it first and holds the lease
                return None
            return DigestClaim(manager, week, taken_over=False)
        # One statement: of two schedulers, the second finds the lease taken once the first commits.
        taken = session.execute(
            update(DigestLog)
            .where(DigestLog.manager == manager, DigestLog.week == week, DigestLog.sent_at.is_(None),
                   or_(DigestLog.lease_until.is_(None), DigestLog.lease_until <= now))
            .values(lease_until=now + lease, attempts=DigestLog.attempts + 1)
        ).rowcount
        session.commit()
    return DigestClaim(manager, week, taken_over=True) if taken else None


def mark_digest_sent(db: Database, manager: str, week: str, channel: str, ts: str, now: datetime) -> None:
    with db.session(write=True) as session:
        session.execute(update(DigestLog).where(DigestLog.manager == manager, DigestLog.week == week)
                        .values(sent_at=now, channel=channel, ts=ts, lease_until=None, last_error=None))
        session.commit()


def release_digest(db: Database, manager: str, week: str, error: str) -> None:
    """The attempt failed: free the row for the next run, and say why."""
    with db.session(write=True) as session:
        session.execute(update(DigestLog).where(DigestLog.manager == manager, DigestLog.week == week,
                                                DigestLog.sent_at.is_(None))
                        .values(lease_until=None, last_error=error[:500]))
        session.commit()


class Digests:
    """The weekly digest's bookkeeping, on the service's database and clock."""

    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def claim(self, manager: str, week: str, *, now: datetime | None = None, may_start: bool = True,
              lease: timedelta = LEASE) -> DigestClaim | None:
        return claim_digest(self.db, manager, week, now or self.clock.now(), may_start=may_start, lease=lease)

    def mark_sent(self, manager: str, week: str, channel: str, ts: str) -> None:
        mark_digest_sent(self.db, manager, week, channel, ts, self.clock.now())

    def release(self, manager: str, week: str, error: str) -> None:
        release_digest(self.db, manager, week, error)
