"""The alert outbox, the reminder outbox's sibling: a pass finds the conditions that hold now, opens an
episode for each new one (once, whatever the number of passes or processes: the episode and its rows
are unique, and passes take turns under a lock), clears the episodes that no longer hold, and queues one
row per recipient inside their working hours. Senders claim rows under a lease exactly as reminder
senders do; a row whose condition cleared before it went is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from core.alerts import AlertThresholds, parse_thresholds
from core.errors import InvalidInput
from db.models import Alert, AlertCondition, AuditEvent, Member
from db.session import Database
from tools.alert_rules import Found, detect
from tools.context import Clock, Rules
from tools.dunning_policy import Policy, Timing
from tools.outbox import Claimed, Outbox, Verdict

WHO = "alerts"
PASS_LOCK = 7_301_113  # the PostgreSQL advisory lock alert passes take turns under


def load_thresholds(path: Path | None) -> AlertThresholds:
    """The alert thresholds from a TOML file (an `[alerts]` table), or the built-in defaults."""
    if path is None:
        return AlertThresholds()
    try:
        return parse_thresholds(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"The alert thresholds file {path} cannot be read: {exc.strerror}.",
                           hint="Set TALLY_ALERTS_FILE to a TOML file, or unset it for the defaults.") from None
    except ValueError as exc:
        raise InvalidInput(f"The alert thresholds file {path}: {exc}.",
                           hint="e.g. [alerts] exposure_share = 0.9, outlier_multiple = 3") from None


@dataclass(frozen=True)
class PassReport:
    found: int
    opened: int
    cleared: int
    queued: int

    def __str__(self) -> str:
        return (f"{self.found} conditions hold: {self.opened} new, {self.cleared} cleared; "
                f"{self.queued} alerts queued")


@dataclass(frozen=True)
class AlertMessage:
    alert_id: int
    kind: str
    subject: str
    facts: dict[str, Any]
    recipient: str
    opened_at: datetime
    role: str | None = None  # the recipient's: buttons they could not use are left off


class AlertOutbox(Outbox):
    """Claims, leases, retries and deferral as the reminder outbox; its own table and pass."""

    table = Alert
    entity = "alert"

    def __init__(self, db: Database, clock: Clock, policy: Policy | None = None, rules: Rules | None = None,
                 thresholds: AlertThresholds | None = None, timing: Timing | None = None, trends: Any = None):
        super().__init__(db, clock, policy, rules, timing)
        self.thresholds = thresholds or AlertThresholds()
        self.trends = trends  # (session, today) -> {sku: trend}: the sales trends the stock check reads

    def run_pass(self) -> PassReport:
        now = self.clock.now()
        today = self._today(now)
        with self.db.session(write=True) as session:
            if session.bind.dialect.name == "postgresql":  # one pass at a time; SQLite writers take turns anyway
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PASS_LOCK})
            trends = self.trends(session, today) if self.trends else {}
            found = detect(session, today, self.thresholds, self.rules.currency, trends)
            report = self._record(session, found, now)
            if report.opened or report.cleared:
                self._audit(session, now, "alert_pass", "alerts", today.isoformat(), None,
                            {"found": report.found, "opened": report.opened, "cleared": report.cleared,
                             "queued": report.queued})
            session.commit()
        return report

    def _record(self, session: Session, found: list[Found], now: datetime) -> PassReport:
        current = {(f.kind, f.subject): f for f in found}
        open_ones = {(c.kind, c.subject): c for c in session.scalars(
            select(AlertCondition).where(AlertCondition.cleared_at.is_(None)))}
        cleared = [c.id for key, c in open_ones.items() if key not in current]
        if cleared:
            session.execute(update(AlertCondition).where(AlertCondition.id.in_(cleared)).values(cleared_at=now))
        zones = dict(session.execute(select(Member.slack_user_id, Member.timezone)).all())
        opened = queued = 0
        for key, f in current.items():
            if key in open_ones:
                continue
            last = session.scalar(select(func.max(AlertCondition.episode)).where(
                AlertCondition.kind == f.kind, AlertCondition.subject == f.subject)) or 0
            condition = AlertCondition(kind=f.kind, subject=f.subject, episode=last + 1, facts=f.facts, opened_at=now)
            session.add(condition)
            session.flush()
            opened += 1
            rows = [{"condition_id": condition.id, "recipient": who, "status": "pending", "attempts": 0,
                     "due_at": self.deliver_again_at(zones.get(who), now), "created_at": now}
                    for who in f.recipients]
            if rows:
                session.execute(insert(Alert.__table__), rows)
                queued += len(rows)
        return PassReport(len(current), opened, len(cleared), queued)

    def verdicts(self, alert_ids: list[int], now: datetime) -> dict[int, Verdict]:
        """Right before posting: a cleared condition or a recipient gone is skipped."""
        with self.db.session() as session:
            rows = session.execute(select(Alert.id, Alert.recipient, AlertCondition.cleared_at, Member.active)
                                   .join(AlertCondition, AlertCondition.id == Alert.condition_id)
                                   .outerjoin(Member, Member.slack_user_id == Alert.recipient)
                                   .where(Alert.id.in_(alert_ids))).all()
        out = {}
        for alert_id, recipient, cleared_at, active in rows:
            skip = ("cleared before it was sent" if cleared_at is not None
                    else None if active else "the recipient is no longer a member")
            out[alert_id] = Verdict(recipient, skip)
        return out

    def messages(self, alert_ids: list[int]) -> dict[int, AlertMessage]:
        with self.db.session() as session:
            roles = dict(session.execute(select(Member.slack_user_id, Member.role)).all())
            return {a.id: AlertMessage(a.id, a.condition.kind, a.condition.subject, a.condition.facts, a.recipient,
                                       a.condition.opened_at, roles.get(a.recipient))
                    for a in session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))}

    def claim(self, worker: str, limit: int = 50) -> list[Claimed]:
        """Due rows, then rows whose sender's lease ran out, each read from the status index."""
        now = self.clock.now()
        lease_until = now + self.timing.lease
        with self.db.session(write=True) as session:
            cols = (Alert.id, Alert.status, Alert.recipient, Alert.attempts, Alert.lease_until, Alert.created_at,
                    Alert.condition_id)
            # Lapsed leases first, then due rows: each query walks the (status, due_at) index and stops at
            # the batch, so a large backlog is never sorted whole.
            lapsed = session.execute(select(*cols).where(Alert.status == "claimed", Alert.lease_until < now)
                                     .order_by(Alert.lease_until).limit(limit).with_for_update(skip_locked=True)).all()
            due = session.execute(select(*cols).where(Alert.status == "pending", Alert.due_at <= now)
                                  .order_by(Alert.due_at).limit(limit - len(lapsed))
                                  .with_for_update(skip_locked=True)).all() if len(lapsed) < limit else []
            rows = [*lapsed, *due]
            if not rows:
                return []
            session.execute(update(Alert).where(Alert.id.in_([r.id for r in rows])).values(
                status="claimed", claimed_by=worker, lease_until=lease_until, attempts=Alert.attempts + 1))
            session.commit()
        return [Claimed(r.id, r.recipient, "alert", r.attempts + 1, r.status == "claimed", lease_until,
                        r.lease_until - self.timing.lease if r.lease_until else r.created_at) for r in rows]

    def mark_sent_many(self, worker: str, posted: list[tuple[int, str, str]], reconciled: set[int] = frozenset(),
                       ) -> int:
        if not posted:
            return 0
        now = self.clock.now()
        marked = 0
        with self.db.session(write=True) as session:
            for alert_id, channel, ts in posted:
                marked += session.execute(update(Alert).where(
                    Alert.id == alert_id, Alert.status == "claimed", Alert.claimed_by == worker).values(
                    status="sent", slack_channel=channel, slack_ts=ts, sent_at=now, last_error=None,
                    lease_until=None)).rowcount
            session.add(AuditEvent(at=now, actor=WHO, action="alerts_sent", entity="alerts", entity_id=worker[:40],
                                   before=None, after={"ids": sorted(p[0] for p in posted),
                                                       "found_in_slack": sorted(reconciled)}))
            session.commit()
        return marked
