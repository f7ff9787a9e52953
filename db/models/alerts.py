"""Proactive alerts: the conditions found (one episode from when a condition appears until it clears) and
the outbox rows that tell people about them, one per episode and recipient."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Str40


class AlertCondition(Base):
    """A condition worth telling someone about (a customer near its limit, a broken promise...), from the
    pass that first found it until the first pass that no longer does. A condition that comes back is a
    new episode, alerted again."""

    __tablename__ = "alert_conditions"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "episode", name="uq_alert_conditions_kind_subject_episode"),
        Index("ix_alert_conditions_open", "cleared_at", "kind"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[Str40]  # exposure, worsening, broken_promise, outlier_order, stock_short, stock_runout, late_delivery
    subject: Mapped[str] = mapped_column(String(80))  # what it is about: a customer code, an order number, a SKU
    episode: Mapped[int]
    facts: Mapped[dict[str, Any]]  # what the pass saw, for the message
    opened_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]


class Alert(Base):
    """The alert outbox: one row per (condition episode, recipient); a sender claims due rows as the
    reminder sender does."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("condition_id", "recipient", name="uq_alerts_condition_recipient"),
        Index("ix_alerts_status_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    condition_id: Mapped[int] = mapped_column(ForeignKey("alert_conditions.id"), index=True)
    recipient: Mapped[Str40]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # pending, claimed, sent, skipped, failed
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    skip_reason: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    condition: Mapped[AlertCondition] = relationship(lazy="joined")
