"""What every tool receives: who is asking, the open transaction, the clock and the rules' settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.errors import NotAllowed
from core.pricing import DEFAULT_MAX_DISCOUNT
from core.roles import SEES_ALL, Role
from db.models import AuditEvent, Customer


@dataclass(frozen=True)
class Actor:
    """The Slack user behind a request, as the member table knows them. Never taken from model output."""

    user_id: str
    role: Role
    name: str
    timezone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except Exception:  # an unknown zone name from Slack must not break a request
            return ZoneInfo("UTC")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved: for tests, `--now` and benchmarks."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass
class TickingClock:
    """A clock that moves a little on every reading, like a real one, but from a chosen moment: for
    tests, so that code comparing two readings fails there as it would in production. Move it with `at`."""

    at: datetime
    step: timedelta = timedelta(milliseconds=1)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def now(self) -> datetime:
        with self._lock:
            self.at += self.step
            return self.at


@dataclass(frozen=True)
class Rules:
    currency: str = "USD"
    timezone: str = "UTC"
    credit_max_days_overdue: int = 30
    tax_rate: Decimal = Decimal("0")
    max_discount: Decimal = DEFAULT_MAX_DISCOUNT  # deeper below list price, an order waits for a manager


@dataclass
class ToolContext:
    actor: Actor
    session: Session
    clock: Clock
    rules: Rules = field(default_factory=Rules)
    requester: str | None = None  # who proposed a confirmed write; defaults to the actor
    confirming: bool = False  # running a confirmed proposal's stored arguments, not proposing them
    calendar: str | None = None  # the requester's timezone when someone else confirms their proposal

    @cached_property
    def now(self) -> datetime:
        """One reading per tool call: every check and every row of the transaction sees the same moment."""
        return self.clock.now()

    @property
    def today(self) -> date:
        """The date on the user's own calendar: "today", "yesterday" and "received today" mean what the
        user sees on their clock, so a New York user at 22:00 on 1 Dec orders on 1 Dec, and a date typed
        in Shanghai the next morning is not refused as being in the future. (The dunning sweep counts
        days in the company's timezone.) A confirmed proposal keeps its requester's calendar."""
        return self.now.astimezone(ZoneInfo(self.calendar) if self.calendar else self.actor.tz).date()

    @property
    def requested_by(self) -> str:
        return self.requester or self.actor.user_id

    @property
    def sees_all(self) -> bool:
        return self.actor.role in SEES_ALL

    def can_see(self, customer: Customer) -> bool:
        return self.sees_all or customer.owner_rep == self.actor.user_id

    def require_access(self, customer: Customer) -> None:
        if not self.can_see(customer):
            raise NotAllowed(
                f"{customer.name} is not one of your customers.",
                hint="Sales can see and act only on the customers they own; ask its owner or a manager.",
            )

    def audit(self, action: str, entity: str, entity_id: Any, before: dict | None, after: dict | None) -> None:
        self.session.add(
            AuditEvent(at=self.now, actor=self.actor.user_id, action=action, entity=entity,
                       entity_id=str(entity_id), before=before, after=after)
        )
