"""What the Slack front end keeps: thread memory, turn costs, handled events, posted cards, digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, Str40


class ConversationMessage(Base):
    """Per-thread memory for the agent: what was asked and answered, newest kept, oldest pruned."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_thread", "thread_key", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    thread_key: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # user, assistant, tool_call
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[Str40 | None]  # the Slack user whose turn this row belongs to
    created_at: Mapped[datetime]


class TurnLog(Base):
    """One conversation turn's cost: model calls, tokens, tools, latency."""

    __tablename__ = "turn_logs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[Str40]
    thread_key: Mapped[str] = mapped_column(String(120))
    model_calls: Mapped[int]
    prompt_tokens: Mapped[int]
    completion_tokens: Mapped[int]
    tool_calls: Mapped[list[Any]]
    latency_ms: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # answered, proposed, asked, refused, failed
    error: Mapped[str | None] = mapped_column(Text)
    asked: Mapped[str | None] = mapped_column(Text)  # the words of the request, cut; None before 0014


class Feedback(Base):
    """A thumbs up or down on one answer (a turn), one per person: a second click changes the vote."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("turn_id", "user_id", name="uq_feedback_turn_user"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    turn_id: Mapped[int] = mapped_column(BigId, ForeignKey("turn_logs.id", ondelete="CASCADE"))
    user_id: Mapped[Str40]
    vote: Mapped[str] = mapped_column(String(4))  # up, down
    voted_at: Mapped[datetime] = mapped_column(index=True)  # the latest click that changed it


class SlackEvent(Base):
    """Slack event ids already handled: a redelivery finds its id here and is dropped."""

    __tablename__ = "slack_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class SlackCard(Base):
    """Where a card about a document was posted, so a decision can update every copy in place."""

    __tablename__ = "slack_cards"
    __table_args__ = (Index("ix_slack_cards_ref", "kind", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # order (the requester's), approval (a manager's)
    ref: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(40))
    ts: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[Str40 | None]
    created_at: Mapped[datetime]


class DigestLog(Base):
    """One weekly digest per manager and ISO week. A sender claims the row with a lease, posts, then marks
    it sent; a failed post leaves it unsent for the next cycle, and a lapsed lease lets another sender
    take over (after looking for the message in Slack, so a crash after the post is not a second post)."""

    __tablename__ = "digest_log"
    manager: Mapped[Str40] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # e.g. 2026-W48
    sent_at: Mapped[datetime | None]  # set once Slack has the message
    channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]  # a sender is posting it until then
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
