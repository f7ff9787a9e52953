"""Conversation memory per thread and the cost log of each turn (the agent's storage, behind the service).

A row is the words of a user or of the assistant (plain text, cut to MAX_CHARS) or a tool call (a JSON
object whose values are cut, so the JSON stays valid at any length). Each row carries the Slack user
whose turn it was, so a shared thread can tell the current user's words from a colleague's."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from db.models import ConversationMessage, Member, TurnLog
from db.session import Database

logger = logging.getLogger(__name__)
MAX_CHARS = 2000  # a remembered message is context, not a transcript
CUTS = ((200, 10), (40, 4), (10, 2))  # (chars per value, items per list) tried until a call fits MAX_CHARS
MAX_DEPTH = 4
ASKED_CHARS = 500  # what a turn answered, kept with its cost log for reviewing thumbs-down answers


@dataclass(frozen=True)
class Remembered:
    """One remembered row: words (user, assistant) or a tool call {"name", "args", "result"}, and whose
    turn it was (None for rows kept before authors were)."""

    role: str
    text: str = ""
    call: dict[str, Any] | None = None
    author: str | None = None
    author_name: str | None = None


def storable(text: str) -> str:
    """Text every database keeps: no NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _cut(value: Any, chars: int, items: int, depth: int = 0) -> Any:
    """The value with every string, list and object shortened: cut values, never the JSON text."""
    if depth > MAX_DEPTH:
        return "…"
    if isinstance(value, str):
        return storable(value if len(value) <= chars else value[:chars] + "…")
    if isinstance(value, bool | int) or value is None:
        return value if not isinstance(value, int) or abs(value) < 10**15 else _cut(str(value), chars, items)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {storable(str(k)[:chars]): _cut(v, chars, items, depth + 1) for k, v in list(value.items())[:items]}
    if isinstance(value, list | tuple):
        return [_cut(v, chars, items, depth + 1) for v in value[:items]]
    return _cut(str(value), chars, items, depth)


def encode_call(call: dict[str, Any]) -> str:
    """A tool call as a JSON object of at most MAX_CHARS, whatever its arguments."""
    name = storable(str(call.get("name", ""))[:80])
    for chars, items in CUTS:
        text = json.dumps({"name": name, "args": _cut(call.get("args") or {}, chars, items),
                           "result": _cut(call.get("result", ""), 300, items)}, ensure_ascii=False)
        if len(text) <= MAX_CHARS:
            return text
    return json.dumps({"name": name, "args": {}, "result": _cut(call.get("result", ""), 300, 1)}, ensure_ascii=False)


def decode(role: str, content: str, author: str | None, author_name: str | None) -> Remembered | None:
    """A stored row, or None (logged) when it cannot be read: one bad row never breaks a thread."""
    if role in ("user", "assistant"):
        return Remembered(role, text=content, author=author, author_name=author_name)
    if role != "tool_call":
        logger.warning("memory row skipped: unknown role %r", role[:40])
        return None
    try:
        call = json.loads(content)
    except ValueError:
        logger.warning("memory row skipped: a tool call that is not valid JSON (%d chars)", len(content))
        return None
    if not (isinstance(call, dict) and isinstance(call.get("name"), str) and call["name"]
            and isinstance(call.get("args"), dict)):
        logger.warning("memory row skipped: a tool call without a name and arguments")
        return None
    return Remembered(role, call={"name": call["name"], "args": call["args"], "result": str(call.get("result", ""))},
                      author=author, author_name=author_name)


class Memory:
    def __init__(self, db: Database, keep: int = 20):
        self.db = db
        self.keep = keep

    def history(self, thread_key: str) -> list[Remembered]:
        """The readable rows among the thread's last `keep`, oldest first, with their author's name."""
        with self.db.session() as session:
            rows = session.execute(
                select(ConversationMessage.role, ConversationMessage.content, ConversationMessage.author,
                       Member.name)
                .outerjoin(Member, Member.slack_user_id == ConversationMessage.author)
                .where(ConversationMessage.thread_key == thread_key)
                .order_by(ConversationMessage.id.desc()).limit(self.keep)
            ).all()
        return [r for r in (decode(*row) for row in reversed(rows)) if r is not None]

    def save_turn(self, thread_key: str, exchange: list[tuple[str, str | dict[str, Any]]], now: datetime,
                  stats: TurnStats, status: str, *, author: str, error: str | None = None,
                  asked: str | None = None) -> int:
        """The exchange (words, or tool calls as dicts) and the turn's cost log, in one transaction; the
        thread is pruned to `keep`. Every row stays readable: words are cut, calls keep valid JSON.
        Returns the turn log's id, which feedback on the answer refers to."""
        with self.db.session(write=True) as session:
            log = turn_log(now, author, thread_key, stats, status, error)
            log.asked = storable(asked[:ASKED_CHARS]) if asked is not None else None
            session.add(log)
            for role, content in exchange:
                stored = encode_call(content) if isinstance(content, dict) else storable(content[:MAX_CHARS])
                session.add(ConversationMessage(thread_key=thread_key, role=role, content=stored, author=author,
                                                created_at=now))
            session.flush()
            turn_id = log.id
            oldest_kept = session.scalar(
                select(ConversationMessage.id).where(ConversationMessage.thread_key == thread_key)
                .order_by(ConversationMessage.id.desc()).offset(self.keep - 1).limit(1))
            if exchange and oldest_kept is not None:
                session.execute(delete(ConversationMessage).where(
                    ConversationMessage.thread_key == thread_key, ConversationMessage.id < oldest_kept))
            session.commit()
        return turn_id


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
