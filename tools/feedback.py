"""Thumbs up or down on the agent's answers: one vote per person and answer, kept with the turn it judges
(whose log holds the words asked and the tools called), and summed up per tool and per day for
`python app.py stats`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.errors import InvalidInput, NotFound
from db.models import Feedback, TurnLog
from db.session import Database
from tools.context import Clock

VOTES = ("up", "down")
NO_TOOL = "(no tool)"  # a turn the model answered in words alone


@dataclass(frozen=True)
class Vote:
    turn_id: int
    vote: str
    changed: bool  # False when the person's vote already was this one (a double click, a redelivery)


@dataclass
class VoteCount:
    """Votes counted for one tool or one day."""

    up: int = 0
    down: int = 0

    @property
    def share_up(self) -> float:
        return self.up / (self.up + self.down) if self.up + self.down else 0.0


@dataclass(frozen=True)
class DownVote:
    """A thumbs down and the turn it judged."""

    voter: str
    voted_at: datetime
    asker: str
    asked_at: datetime
    asked: str | None
    tools: list[str]
    status: str


@dataclass
class FeedbackSummary:
    by_tool: dict[str, VoteCount] = field(default_factory=dict)
    by_day: dict[str, VoteCount] = field(default_factory=dict)
    latest_down: list[DownVote] = field(default_factory=list)


class FeedbackLog:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def record(self, user_id: str, turn_id: int, vote: str) -> Vote:
        """The person's vote on the answer of turn `turn_id`: stored, changed, or (the same vote again)
        left as it is. Two clicks racing each other store one row: the loser of the insert updates it."""
        if vote not in VOTES:
            raise InvalidInput(f"A vote is up or down, not {vote[:10]!r}.")
        for _ in range(2):
            try:
                return self._record(user_id, turn_id, vote)
            except IntegrityError:  # a parallel click inserted this person's row first
                continue
        return self._record(user_id, turn_id, vote)

    def _record(self, user_id: str, turn_id: int, vote: str) -> Vote:
        now = self.clock.now()
        with self.db.session(write=True) as session:
            if session.get(TurnLog, turn_id) is None:
                raise NotFound("That answer is no longer on record, so the vote was not kept.")
            row = session.scalar(select(Feedback).where(Feedback.turn_id == turn_id, Feedback.user_id == user_id)
                                 .with_for_update())
            if row is not None and row.vote == vote:
                return Vote(turn_id, vote, changed=False)
            if row is None:
                session.add(Feedback(turn_id=turn_id, user_id=user_id, vote=vote, voted_at=now))
            else:
                row.vote, row.voted_at = vote, now
            session.commit()
        return Vote(turn_id, vote, changed=True)

    def vote_of(self, user_id: str, turn_id: int) -> str | None:
        with self.db.session() as session:
            return session.scalar(select(Feedback.vote).where(Feedback.turn_id == turn_id,
                                                              Feedback.user_id == user_id))

    def summary(self, since: datetime | None = None, latest: int = 10) -> FeedbackSummary:
        """Votes on the answers given since `since`, per tool the answer called and per day it was given
        (UTC), and the latest thumbs down, newest first."""
        by_tool: dict[str, VoteCount] = defaultdict(VoteCount)
        by_day: dict[str, VoteCount] = defaultdict(VoteCount)
        downs: list[DownVote] = []
        query = (select(Feedback, TurnLog).join(TurnLog, TurnLog.id == Feedback.turn_id)
                 .order_by(TurnLog.at, Feedback.id))
        if since is not None:
            query = query.where(TurnLog.at >= since)
        with self.db.session() as session:
            for vote, turn in session.execute(query).tuples():
                up = vote.vote == "up"
                for tool in dict.fromkeys(turn.tool_calls or [NO_TOOL]):  # a tool called twice is one answer
                    _count(by_tool[tool], up)
                _count(by_day[turn.at.date().isoformat()], up)
                if not up:
                    downs.append(DownVote(vote.user_id, vote.voted_at, turn.user_id, turn.at, turn.asked,
                                          list(turn.tool_calls or []), turn.status))
        downs.sort(key=lambda d: d.voted_at, reverse=True)
        ordered = dict(sorted(by_tool.items(), key=lambda kv: (-(kv[1].up + kv[1].down), kv[0])))
        return FeedbackSummary(ordered, dict(by_day), downs[:latest])


def _count(count: VoteCount, up: bool) -> None:
    if up:
        count.up += 1
    else:
        count.down += 1
