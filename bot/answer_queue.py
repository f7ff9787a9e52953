"""The answering work leaves the web process: a web worker acknowledges a mention or DM, claims its event
id and queues it (bot/listeners/events/conversation.py); answer workers (`python app.py answers`,
started by `serve --workers N` on PostgreSQL) claim each queued event and run the same listener on it
through an app of their own. Everything else (buttons, commands, the Home) still runs in the web
worker's threads, and on SQLite everything does."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from typing import Any

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)
INTERRUPTED = ("Sorry, your request was interrupted before it was answered (Tally was restarting), and "
               "nothing was changed. Please ask again.")
IDLE_SECONDS = 0.2


def worker_name() -> str:
    return f"answers:{socket.gethostname()}:{os.getpid()}"


class AnswerWorker:
    """Claims queued events one at a time and answers each through `app` (created with answers_here), the
    same listeners a web worker would have run."""

    def __init__(self, app: App, queue: Any, client: Any, name: str | None = None):
        self.app, self.queue, self.client = app, queue, client
        self.name = name or worker_name()

    def run_once(self) -> bool:
        """Answer one queued request; False when there was none."""
        for job in self.queue.interrupted():
            self._apologise(job.body)
        job = self.queue.claim(self.name)
        if job is None:
            return False
        error = None
        try:  # Slack's signature was checked by the web worker; the job comes from our own database
            response = self.app.dispatch(BoltRequest(body=job.body, headers=job.headers, mode="socket_mode",
                                                     context={"from_queue": True}))
            if response.status >= 400:
                error = f"answered with HTTP {response.status}: {response.body}"[:500]
        except Exception as exc:
            log.exception("answering job %s failed", job.id)
            error = repr(exc)
        self.queue.finish(job.id, self.name, error)
        return True

    def run_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database away for a moment: wait and go on
                log.exception("answer worker pass failed")
                busy = False
            if not busy:
                stop.wait(IDLE_SECONDS)

    def _apologise(self, body: str) -> None:
        try:
            event = json.loads(body).get("event") or {}
            self.client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                         text=INTERRUPTED)
        except Exception:
            log.warning("could not tell of an interrupted answer", exc_info=True)
