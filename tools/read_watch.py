"""The read log: what `audit --reads` lists, which days of whose reading were unusual, and the alerts
about them, each told once to each admin and manager.

An alert row (reader, day, person told) is claimed with a lease, posted, then marked sent; a failed
post frees it for the next run, and a run that takes over an attempt that may have posted looks for
the message in Slack first (bot/read_alerts.py). Two schedulers or a retry never tell anyone twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.reading import HISTORY_DAYS, alert_above, daily_median, is_unusual
from db.models import DocumentRead, Member, ReadAlert
from db.session import Database
from tools.context import Clock

# Longer than one post (Slack's 429 waits included), shorter than the time between runs.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class ReadEntry:
    at: datetime
    day: date  # the reader's own day, which the unusual-reading check counts
    user_id: str
    surface: str
    tool: str
    kind: str
    ref: str | None
    count: int
    refs: list | None

    def what(self) -> str:
        if self.ref is not None:
            return f"{self.kind} {self.ref}" + (" (nothing found)" if self.count == 0 else "")
        shown = ", ".join(self.refs or [])
        return f"{self.kind} ×{self.count}" + (f" ({shown})" if shown else "")

    def line(self) -> str:
        at = self.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return f"{at} {self.user_id} {self.surface} {self.tool} {self.what()}"


@dataclass(frozen=True)
class UnusualDay:
    user_id: str
    name: str
    day: date
    views: int
    median: Decimal
    floor: int

    @property
    def above(self) -> Decimal:
        return alert_above(self.median, self.floor)


def read_log(db: Database, *, user: str | None = None, document: str | None = None, surface: str | None = None,
             since: datetime | None = None, limit: int = 50) -> list[ReadEntry]:
    """Reads, newest first."""
    query = select(DocumentRead).order_by(DocumentRead.at.desc(), DocumentRead.id.desc()).limit(limit)
    if user:
        query = query.where(DocumentRead.user_id.in_({user.strip(), user.strip().upper()}))
    if document:
        number = document.strip().upper()
        query = query.where(or_(DocumentRead.ref.in_({document.strip(), number}),
                                cast(DocumentRead.refs, String).contains(f'"{number}"')))
    if surface:
        query = query.where(DocumentRead.surface == surface.strip().lower())
    if since:
        query = query.where(DocumentRead.at >= since)
    with db.session() as session:
        return [ReadEntry(r.at, r.day, r.user_id, r.surface, r.tool, r.kind, r.ref, r.count, r.refs)
                for r in session.scalars(query)]


def unusual_days(db: Database, floor: int, first: date, last: date, *, user: str | None = None) -> list[UnusualDay]:
    """Each reader's days from `first` to `last` whose views were unusual: a grouped count of the days,
    then, for the few over the floor, the reader's own history."""
    views = func.count(DocumentRead.id)
    query = (select(DocumentRead.user_id, DocumentRead.day, views)
             .where(DocumentRead.day >= first, DocumentRead.day <= last)
             .group_by(DocumentRead.user_id, DocumentRead.day).having(views > floor)
             .order_by(DocumentRead.day, DocumentRead.user_id))
    if user:
        query = query.where(DocumentRead.user_id.in_({user.strip(), user.strip().upper()}))
    found = []
    with db.session() as session:
        for user_id, day, count in session.execute(query).all():
            history = dict(session.execute(
                select(DocumentRead.day, func.count(DocumentRead.id))
                .where(DocumentRead.user_id == user_id, DocumentRead.day >= day - timedelta(days=HISTORY_DAYS),
                       DocumentRead.day < day)
                .group_by(DocumentRead.day)).all())
            median = daily_median(history, day)
            if is_unusual(count, median, floor):
                name = session.scalar(select(Member.name).where(Member.slack_user_id == user_id)) or user_id
                found.append(UnusualDay(user_id, name, day, count, median, floor))
    return found


def recent_unusual_days(db: Database, now: datetime, floor: int) -> list[UnusualDay]:
    """Days are the readers' own; around the world, yesterday, today and tomorrow in UTC cover them."""
    today = now.astimezone(UTC).date()
    return unusual_days(db, floor, today - timedelta(days=1), today + timedelta(days=1))


@dataclass(frozen=True)
class AlertClaim:
    user_id: str
    day: date
    recipient: str
    taken_over: bool  # an earlier attempt failed or died; it may have posted before it did


def claim_read_alert(db: Database, unusual: UnusualDay, recipient: str, now: datetime,
                     lease: timedelta = LEASE) -> AlertClaim | None:
    """The right to tell `recipient` about this reader's day now, or None: told already, or being told."""
    key = (unusual.user_id, unusual.day, recipient)
    with db.session(write=True) as session:
        if session.get(ReadAlert, key) is None:
            session.add(ReadAlert(user_id=unusual.user_id, day=unusual.day, recipient=recipient, views=unusual.views,
                                  median=unusual.median, created_at=now, lease_until=now + lease, attempts=1))
            try:
                session.commit()
            except IntegrityError:  # another run inserted it first and holds the lease
                return None
            return AlertClaim(*key, taken_over=False)
        taken = session.execute(
            update(ReadAlert)
            .where(ReadAlert.user_id == unusual.user_id, ReadAlert.day == unusual.day,
                   ReadAlert.recipient == recipient, ReadAlert.sent_at.is_(None),
                   or_(ReadAlert.lease_until.is_(None), ReadAlert.lease_until <= now))
            .values(lease_until=now + lease, attempts=ReadAlert.attempts + 1, views=unusual.views)
        ).rowcount
        session.commit()
    return AlertClaim(*key, taken_over=True) if taken else None


def _alert(claim: AlertClaim):
    return (ReadAlert.user_id == claim.user_id, ReadAlert.day == claim.day, ReadAlert.recipient == claim.recipient)


def mark_read_alert_sent(db: Database, claim: AlertClaim, channel: str, ts: str, now: datetime) -> None:
    with db.session(write=True) as session:
        session.execute(update(ReadAlert).where(*_alert(claim))
                        .values(sent_at=now, channel=channel, ts=ts, lease_until=None, last_error=None))
        session.commit()


def release_read_alert(db: Database, claim: AlertClaim, error: str) -> None:
    with db.session(write=True) as session:
        session.execute(update(ReadAlert).where(*_alert(claim), ReadAlert.sent_at.is_(None))
                        .values(lease_until=None, last_error=error[:500]))
        session.commit()


def alerted(db: Database) -> list[ReadAlert]:
    with db.session() as session:
        return list(session.scalars(select(ReadAlert).order_by(ReadAlert.day, ReadAlert.user_id, ReadAlert.recipient)))


class ReadWatch:
    """The read log and its alerts, on the service's database and clock."""

    def __init__(self, db: Database, clock: Clock, floor: int):
        self.db, self.clock, self.floor = db, clock, floor

    def log(self, **filters: object) -> list[ReadEntry]:
        return read_log(self.db, **filters)

    def unusual(self, first: date, last: date, *, user: str | None = None,
                floor: int | None = None) -> list[UnusualDay]:
        return unusual_days(self.db, self.floor if floor is None else floor, first, last, user=user)

    def recent_unusual(self, now: datetime | None = None) -> list[UnusualDay]:
        return recent_unusual_days(self.db, now or self.clock.now(), self.floor)

    def claim(self, unusual: UnusualDay, recipient: str, now: datetime | None = None) -> AlertClaim | None:
        return claim_read_alert(self.db, unusual, recipient, now or self.clock.now())

    def mark_sent(self, claim: AlertClaim, channel: str, ts: str) -> None:
        mark_read_alert_sent(self.db, claim, channel, ts, self.clock.now())

    def release(self, claim: AlertClaim, error: str) -> None:
        release_read_alert(self.db, claim, error)
