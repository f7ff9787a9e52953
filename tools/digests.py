"""Weekly digests are claimed per manager and ISO week by a unique insert: sent once, even by two schedulers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from db.models import DigestLog
from db.session import Database


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def claim_digest(db: Database, manager: str, week: str, now: datetime) -> bool:
    with db.session(write=True) as session:
        if session.get(DigestLog, (manager, week)) is not None:
            return False
        session.add(DigestLog(manager=manager, week=week, sent_at=now))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True


def record_digest(db: Database, manager: str, week: str, channel: str, ts: str) -> None:
    with db.session(write=True) as session:
        session.execute(update(DigestLog).where(DigestLog.manager == manager, DigestLog.week == week)
                        .values(channel=channel, ts=ts))
        session.commit()
