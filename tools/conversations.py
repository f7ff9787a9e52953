"""Conversation memory per thread and the cost log of each turn (the agent's storage, behind the service)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from db.models import ConversationMessage, TurnLog
from db.session import Database

MAX_CHARS = 2000  # a remembered message is context, not a transcript


class Memory:
    def __init__(self, db: Database, keep: int = 20):
        self.db = db
        self.keep = keep

    def history(self, thread_key: str) -> list[tuple[str, str]]:
        """The last `keep` (role, content) pairs of the thread, oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(ConversationMessage.role, ConversationMessage.content)
                .where(ConversationMessage.thread_key == thread_key)
                .order_by(ConversationMessage.id.desc()).limit(self.keep)
            ).all()
        return [(role, content) for role, content in reversed(rows)]

    def save_turn(self, thread_key: str, exchange: list[tuple[str, str]], now: datetime, log: TurnLog) -> None:
        """The exchange and the turn's cost log, in one transaction; the thread is pruned to `keep`."""
        with self.db.session(write=True) as session:
            session.add(log)
            for role, content in exchange:
                session.add(ConversationMessage(thread_key=thread_key, role=role, content=content[:MAX_CHARS],
                                                created_at=now))
            session.flush()
            oldest_kept = session.scalar(
                select(ConversationMessage.id).where(ConversationMessage.thread_key == thread_key)
                .order_by(ConversationMessage.id.desc()).offset(self.keep - 1).limit(1))
            if exchange and oldest_kept is not None:
                session.execute(delete(ConversationMessage).where(
                    ConversationMessage.thread_key == thread_key, ConversationMessage.id < oldest_kept))
            session.commit()


@dataclass
class TurnStats:
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: list[str] = field(default_factory=list)
    latency_ms: int = 0


def turn_log(at: datetime, user_id: str, thread_key: str, stats: TurnStats, status: str,
             error: str | None = None) -> TurnLog:
    return TurnLog(at=at, user_id=user_id, thread_key=thread_key, model_calls=stats.model_calls,
                   prompt_tokens=stats.prompt_tokens, completion_tokens=stats.completion_tokens,
                   tool_calls=stats.tool_calls, latency_ms=stats.latency_ms, status=status, error=error)


@dataclass
class Usage:
    turns: int = 0
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: list[int] = field(default_factory=list)
    failures: int = 0

    def add(self, log: TurnLog) -> None:
        self.turns += 1
        self.model_calls += log.model_calls
        self.prompt_tokens += log.prompt_tokens
        self.completion_tokens += log.completion_tokens
        self.latency_ms.append(log.latency_ms)
        self.failures += log.status == "failed"

    @property
    def p50_ms(self) -> int:
        ordered = sorted(self.latency_ms)
        return ordered[len(ordered) // 2] if ordered else 0


def usage_summary(db: Database, since: datetime | None = None) -> dict[str, Any]:
    """Turns summarised per day, per user and per tool, for `python app.py stats`."""
    by_day: dict[str, Usage] = defaultdict(Usage)
    by_user: dict[str, Usage] = defaultdict(Usage)
    tools: Counter[str] = Counter()
    query = select(TurnLog).order_by(TurnLog.at)
    if since is not None:
        query = query.where(TurnLog.at >= since)
    with db.session() as session:
        for log in session.scalars(query):
            by_day[log.at.date().isoformat()].add(log)
            by_user[log.user_id].add(log)
            tools.update(log.tool_calls)
    return {"by_day": dict(by_day), "by_user": dict(by_user), "by_tool": dict(tools.most_common())}
