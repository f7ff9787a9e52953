"""Answers waiting for an answer worker: a web worker acknowledges Slack at once and queues the work that
can wait (a conversation turn with the model); answer workers claim it from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId


class AnswerJob(Base):
    __tablename__ = "answer_jobs"
    __table_args__ = (Index("ix_answer_jobs_status_id", "status", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    function: Mapped[str] = mapped_column(String(120))  # the listener that answers it
    body: Mapped[str] = mapped_column(Text)  # the Slack request as received (already verified)
    headers: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))  # pending, claimed, done, interrupted
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
