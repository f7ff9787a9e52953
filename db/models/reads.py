"""Who read what, and the alerts sent about unusual reading."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, Str40


class DocumentRead(Base):
    """Who viewed which documents, when, through which front end: one row per read call, a list being
    one row with how many it showed and their numbers. Read by `audit --reads` and the daily check for
    unusual reading (tools/read_watch.py)."""

    __tablename__ = "document_reads"
    __table_args__ = (Index("ix_document_reads_user_day", "user_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    day: Mapped[date]  # the reader's own calendar day, in their timezone: what the daily check counts
    user_id: Mapped[Str40]
    surface: Mapped[str] = mapped_column(String(20))  # slack, slash, console, home, digest...
    tool: Mapped[Str40]
    kind: Mapped[str] = mapped_column(String(20))  # invoice, order, customer, customer_credit, report
    ref: Mapped[str | None] = mapped_column(String(64))  # the one document (or report) viewed
    count: Mapped[int]  # how many documents the answer showed
    refs: Mapped[list[Any] | None]  # their numbers, for a list


class ReadAlert(Base):
    """Unusual reading, told once: one row per reader, day and person told (an admin or manager). A
    sender claims the row with a lease, posts the DM, then marks it sent; a failed post frees it for the
    next run, and a run taking over an attempt that may have posted looks for it in Slack first."""

    __tablename__ = "read_alerts"
    user_id: Mapped[Str40] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    recipient: Mapped[Str40] = mapped_column(primary_key=True)
    views: Mapped[int]
    median: Mapped[Decimal] = mapped_column(Numeric(10, 1))  # of the 30 days before, days without reads as 0
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
