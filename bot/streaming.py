"""An answer streamed into its thread (chat.startStream / appendStream / stopStream through slack_sdk's
`chat_stream`): a task per tool call while the turn runs, then the answer's blocks when the stream stops.

Where Slack refuses the stream (an older workspace, a surface without it), the answer falls back to the
placeholder message updated in place. A stream is not kept open for long: one older than MAX_AGE is
stopped at the next step, and the same message is continued with chat.update."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.messages.chunk import TaskUpdateChunk

from bot.delivery import Thread
from bot.progress import READING, phrase

log = logging.getLogger(__name__)
MAX_AGE = timedelta(minutes=4)  # Slack ends streams left open; stop ours well before that
DONE = {"result": "complete", "proposal": "complete", "question": "complete"}  # any other outcome: "error"


@dataclass
class StreamedThread(Thread):
    """A Thread whose first message is a stream. `clock` reads the time (the service's clock)."""

    recipient_user_id: str | None = None
    recipient_team_id: str | None = None
    clock: Callable[[], datetime] | None = None
    max_age: timedelta = MAX_AGE
    stream: Any = field(default=None, repr=False)  # the ChatStream while it is open, else None
    started_at: datetime | None = None
    tasks: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (title, status) not yet final in Slack

    def start(self) -> None:
        """Open the stream with a first task; where Slack refuses it, post the placeholder instead."""
        try:
            stream = self.client.chat_stream(
                channel=self.channel, thread_ts=self.thread_ts, recipient_user_id=self.recipient_user_id,
                recipient_team_id=self.recipient_team_id, task_display_mode="timeline")
            stream.append(chunks=[self._task("request", READING, "in_progress")])
        except SlackApiError as exc:
            log.info("streaming refused in %s (%s): the placeholder instead", self.channel,
                     exc.response.get("error"))
            super().start()
            return
        if not stream.ts:
            super().start()
            return
        self.stream, self.streamed, self.placeholder_ts = stream, True, stream.ts
        self.started_at = self._now()

    def tool(self, step: int, tool: str, args: dict[str, Any], outcome: Any) -> None:
        """A task per tool call, shown running as it starts. How it ended goes with the next call to Slack
        (the next task, or the stop): one call per tool, not two."""
        if not self.streamed:
            return
        title, task_id = phrase(tool, args), f"tool-{step}"
        if outcome is not None:
            self.tasks[task_id] = (title, DONE.get(outcome.kind, "error"))
            return
        if not self._open():
            if self.placeholder_ts:  # continued in place, with what is happening now
                self.client.chat_update(channel=self.channel, ts=self.placeholder_ts, text=title)
            return
        try:
            self.stream.append(chunks=[*self._ended(), self._task(task_id, title, "in_progress")])
        except (SlackApiError, SlackRequestError) as exc:  # Slack ended the stream: continue with chat.update
            log.info("stream in %s ended early: %s", self.channel, exc)
            self.stream = None
            return
        self.tasks = {task_id: (title, "in_progress")}

    def put(self, blocks: list[dict], text: str) -> str:
        """The first message stops the stream with its blocks; the rest, and a stream that ended, as before."""
        if not self._open():
            return super().put(blocks, text)
        stream, self.stream = self.stream, None
        try:
            stream.stop(blocks=blocks, chunks=[*self._ended(), self._task("request", READING, "complete")])
        except (SlackApiError, SlackRequestError) as exc:
            log.info("stopping the stream in %s failed (%s): the answer goes in with chat.update", self.channel, exc)
            return super().put(blocks, text)
        ts, self.placeholder_ts = stream.ts, None
        return ts

    def _open(self) -> bool:
        """The stream is open and young enough; an old one is stopped here, so chat.update takes over."""
        if self.stream is None:
            return False
        if self.started_at is None or self._now() - self.started_at < self.max_age:
            return True
        stream, self.stream = self.stream, None
        try:
            stream.stop(chunks=[*self._ended(), self._task("request", READING, "complete")])
        except (SlackApiError, SlackRequestError) as exc:
            log.info("closing an old stream in %s: %s", self.channel, exc)
        return False

    def _ended(self) -> list[TaskUpdateChunk]:
        """The tasks as they ended; one still running when the stream stops is shown complete, since the
        answer that follows is what it led to."""
        ended = [self._task(task_id, title, "complete" if status == "in_progress" else status)
                 for task_id, (title, status) in self.tasks.items()]
        self.tasks = {}
        return ended

    def _now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now().astimezone()

    @staticmethod
    def _task(task_id: str, title: str, status: str) -> TaskUpdateChunk:
        return TaskUpdateChunk(id=task_id, title=title, status=status)
