"""Reading the audit log: who did what, when, to which record, newest first, one line per event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from db.models import AuditEvent
from db.session import Database


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict | None
    after: dict | None

    def changes(self) -> str:
        """`field: before → after` for what changed, `field: value` for what was set."""
        before, after = self.before or {}, self.after or {}
        parts = []
        for key in [*after, *(k for k in before if k not in after)]:
            if key in before and key in after and before[key] == after[key]:
                continue
            if key in before:
                parts.append(f"{key}: {_value(before[key])} → {_value(after.get(key))}")
            else:
                parts.append(f"{key}: {_value(after[key])}")
        return "; ".join(parts)

    def line(self) -> str:
        at = self.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return f"{at} {self.actor} {self.action} {self.entity} {self.entity_id}" + (
            f" | {self.changes()}" if self.before or self.after else "")


def read_audit(db: Database, *, user: str | None = None, document: str | None = None,
               since: datetime | None = None, limit: int = 50) -> list[AuditEntry]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if user:  # Slack ids are upper case, `cli` and `slack` lower: take it as typed or in capitals
        query = query.where(AuditEvent.actor.in_({user.strip(), user.strip().upper()}))
    if document:
        query = query.where(AuditEvent.entity_id.in_({document.strip(), document.strip().upper()}))
    if since:
        query = query.where(AuditEvent.at >= since)
    with db.session() as session:
        return [AuditEntry(e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after)
                for e in session.scalars(query)]
