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

from core.errors import NotFound
from core.pricing import DEFAULT_MAX_DISCOUNT
from core.reading import DEFAULT_FLOOR
from core.roles import SEES_ALL, Role
from core.write_off import WriteOffTolerance
from db.models import AuditEvent, Customer
from tools.documents.model import Seller


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
    seller: Seller = Seller()  # printed on documents
    timezone: str = "UTC"
    credit_max_days_overdue: int = 30
    tax_rate: Decimal = Decimal("0")
    max_discount: Decimal = DEFAULT_MAX_DISCOUNT  # deeper below list price, an order waits for a manager
    read_alert_floor: int = DEFAULT_FLOOR  # views a day below which nobody is alerted, however unusual
    limit_manager_above: Decimal = Decimal("50000")  # a credit limit raised above this needs a manager
    credit_note_manager_above: Decimal = Decimal("1000")  # a larger credit note is a manager's to issue
    write_off: WriteOffTolerance = WriteOffTolerance()  # a short payment's rest proposed for a write-off


REFS_KEPT = 100  # numbers kept per logged read; a list shows at most 50, so all of them


@dataclass(frozen=True)
class View:
    """What one read showed its reader: the kind of document and their numbers (a report: its name)."""

    kind: str  # invoice, order, credit_note, customer, customer_credit, report
    refs: tuple[str, ...]
    asked: str | None = None  # a lookup that found nothing the reader may see: what they asked for

    @property
    def ref(self) -> str | None:
        if self.asked is not None:
            return self.asked
        return self.refs[0] if len(self.refs) == 1 else None


@dataclass
class ToolContext:
    actor: Actor
    session: Session
    clock: Clock
    rules: Rules = field(default_factory=Rules)
    requester: str | None = None  # who proposed a confirmed write; defaults to the actor
    confirming: bool = False  # running a confirmed proposal's stored arguments, not proposing them
    calendar: str | None = None  # the requester's timezone when someone else confirms their proposal
    surface: str = "slack"  # the front end the request came through: slack, slash, console, home, digest...
    view: View | None = None  # what a read showed, set by the tool; the service logs it (DocumentRead)

    def viewed(self, kind: str, refs: Any) -> None:
        """Say what this read shows; one call per read (a list is one view of many documents)."""
        self.view = View(kind, tuple(str(r) for r in refs))

    def missed(self, kind: str, asked: str) -> None:
        """A lookup found nothing this reader may see. Logged too: asking for number after number is
        how someone maps what is not theirs, and it counts towards their day like views do."""
        self.view = View(kind, (), asked=asked.strip()[:64])

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
        """A last guard behind the lookups, which never return what the actor may not see. It names
        nothing: whether a record exists is itself something a salesperson may not learn."""
        if not self.can_see(customer):
            raise NotFound("Nothing you can see matches that.",
                           hint="You see only the customers you own and their documents.")

    def audit(self, action: str, entity: str, entity_id: Any, before: dict | None, after: dict | None) -> None:
        self.session.add(
            AuditEvent(at=self.now, actor=self.actor.user_id, action=action, entity=entity,
                       entity_id=str(entity_id), before=before, after=after)
        )
