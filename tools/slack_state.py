"""Bookkeeping for the Slack front end: each delivery handled once, and where cards were posted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from db.models import SlackCard, SlackEvent
from db.session import Database
from tools.context import Clock


@dataclass(frozen=True)
class Card:
    """Where a card about something was posted, so it can be updated when that something changes."""

    channel: str
    ts: str
    user_id: str | None


class SlackState:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def claim_event(self, event_id: str, message_key: str | None = None, now: datetime | None = None) -> bool:
        """True the first time an event id is seen; False for Slack's redeliveries of it. With `message_key`
        (the user message the event carries, see message_key), also False when another event carried the
        same message: Slack sends one message as app_mention and message.im, under two event ids."""
        now = now or self.clock.now()
        keys = [event_id] + ([message_key] if message_key else [])
        with self.db.session(write=True) as session:
            if any(session.get(SlackEvent, key) is not None for key in keys):
                return False
            session.add_all(SlackEvent(event_id=key, received_at=now) for key in keys)
            try:
                session.commit()
            except IntegrityError:  # a parallel delivery of the same event or message won the insert
                return False
        return True

    def remember_card(self, kind: str, ref: str, channel: str, ts: str, user_id: str | None,
                      now: datetime | None = None) -> None:
        with self.db.session(write=True) as session:
            session.add(SlackCard(kind=kind, ref=ref, channel=channel, ts=ts, user_id=user_id,
                                  created_at=now or self.clock.now()))
            session.commit()

    def cards(self, kind: str, ref: str) -> list[Card]:
        with self.db.session() as session:
            return [Card(c.channel, c.ts, c.user_id) for c in
                    session.scalars(select(SlackCard).where(SlackCard.kind == kind, SlackCard.ref == ref))]

    # The App Home chart: one upload a role a day, its Slack file id kept as a card of kind "home_chart"
    # (ref: role and day); the upload is claimed first, like an event, so two openings never both upload.
    def home_chart(self, role: str, day: str) -> str | None:
        """The file id of the chart uploaded for `role` on `day`, if one was."""
        found = self.cards("home_chart", f"{role}:{day}")
        return found[0].ts if found else None

    def claim_home_chart(self, role: str, day: str) -> bool:
        """True for the one opening that uploads the day's chart for `role`."""
        return self.claim_event(f"home_chart:{role}:{day}")

    def release_home_chart(self, role: str, day: str) -> None:
        """The upload failed: the next opening tries again."""
        with self.db.session(write=True) as session:
            session.execute(delete(SlackEvent).where(SlackEvent.event_id == f"home_chart:{role}:{day}"))
            session.commit()

    def remember_home_chart(self, role: str, day: str, file_id: str) -> None:
        self.remember_card("home_chart", f"{role}:{day}", "", file_id, None)


def message_key(client_msg_id: str | None, channel: str | None, ts: str | None) -> str | None:
    """A user message's key in the same table as event ids: its client_msg_id, else where and when it
    was posted; hashed when longer than the column (64)."""
    ident = client_msg_id or (f"{channel}:{ts}" if channel and ts else None)
    if ident is None:
        return None
    key = f"msg:{ident}"
    return key if len(key) <= 64 else "msg:" + hashlib.sha256(ident.encode()).hexdigest()
