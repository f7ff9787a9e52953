"""The books' own records: the audit log, document numbering and writes awaiting confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, Str40


class PendingAction(Base):
    """A write proposed by a person or the agent, waiting for an explicit human confirmation."""

    __tablename__ = "pending_actions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tool: Mapped[Str40]
    args: Mapped[dict[str, Any]]
    summary: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[Str40]
    status: Mapped[str] = mapped_column(String(20))  # pending, done, failed, cancelled, expired
    thread_key: Mapped[str | None] = mapped_column(String(120))
    # The human request that proposed it (a modal's view id): a repeat of that request finds this row.
    request_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[Str40 | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only: who did what, when, with the record before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[Str40]
    action: Mapped[Str40]
    entity: Mapped[Str40]
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class DocumentCounter(Base):
    """Gapless numbering: the row is locked while a number is taken, in the document's transaction."""

    __tablename__ = "document_counters"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
