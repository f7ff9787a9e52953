"""Bookkeeping for the Slack front end: each delivery handled once, and where cards were posted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.models import SlackCard, SlackEvent
from db.session import Database


def claim_event(db: Database, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen; False for Slack's redeliveries of it."""
    with db.session(write=True) as session:
        if session.get(SlackEvent, event_id) is not None:
            return False
        session.add(SlackEvent(event_id=event_id, received_at=now))
        try:
            session.commit()
        except IntegrityError:  # a parallel delivery of the same event won the insert
            return False
    return True


def remember_card(db: Database, kind: str, ref: str, channel: str, ts: str, user_id: str | None,
                  now: datetime) -> None:
    with db.session(write=True) as session:
        session.add(SlackCard(kind=kind, ref=ref, channel=channel, ts=ts, user_id=user_id, created_at=now))
        session.commit()


def cards(db: Database, kind: str, ref: str) -> list[SlackCard]:
    with db.session() as session:
        return list(session.scalars(select(SlackCard).where(SlackCard.kind == kind, SlackCard.ref == ref)))
