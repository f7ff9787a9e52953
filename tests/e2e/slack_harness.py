"""The real Bolt app served over HTTP, a mock Slack Web API, and a scripted model, wired together."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count

from langchain_openai import ChatOpenAI

from bot.agent.turn import Conversation
from bot.serve import http_server
from bot.slack_app import create_app, slack_client
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import SlackClientSim, block_actions, event_callback, slash_command
from tools import Tally

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SETTLE_TIMEOUT = 120.0  # a bound for a stuck listener, not a wait: settle() returns as soon as all are done
_ids = count(1)


class TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting the work in flight. Bolt submits a request's listeners before it
    answers the request, so once a signed post returned, `wait_idle()` waits for exactly its work."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="bolt-listener")
        self._idle = threading.Condition()
        self._busy = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._idle:
            self._busy += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout):
                raise AssertionError(f"{self._busy} Slack listeners still running after {timeout} s")


@dataclass
class SlackWorld:
    slack: MockSlack
    llm: ScriptedOpenAI
    sim: SlackClientSim
    tally: Tally
    listeners: TrackedExecutor

    def settle(self) -> None:
        """Wait until every listener started by the requests posted so far has finished."""
        self.listeners.wait_idle()

    def mention(self, user: str, text: str, channel: str = "C0SALES", ts: str | None = None, **headers) -> tuple:
        ts = ts or f"1700000{next(_ids):03d}.000100"
        event = {"type": "app_mention", "user": user, "text": f"<@U0TALLYBOT> {text}", "ts": ts,
                 "channel": channel, "event_ts": ts}
        return self.sim.post(*event_callback(event, f"Ev{ts.replace('.', '')}"), **headers), ts

    def dm(self, user: str, text: str, ts: str | None = None) -> tuple:
        ts = ts or f"1700001{next(_ids):03d}.000100"
        event = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
                 "channel": f"D{user}", "event_ts": ts}
        return self.sim.post(*event_callback(event, f"Ev{ts.replace('.', '')}")), ts

    def command(self, user: str, text: str) -> str:
        url = f"{self.slack.base_url.removesuffix('/api/')}/api/response.cmd{next(_ids)}"
        self.sim.post(*slash_command(text, user, response_url=url))
        return url.rsplit("/", 1)[1]

    def click(self, user: str, action_id: str, value: str, channel: str, ts: str, **kw) -> tuple:
        return self.sim.post(*block_actions(user, action_id, value, channel_id=channel, message_ts=ts, **kw))


@contextmanager
def slack_world(tally: Tally, with_model: bool = True, streams: bool = False, *,
                tables: bool = True, answer_queue: object = None) -> Iterator[SlackWorld]:
    """Without `streams` the workspace refuses chat.startStream, as an older one does: answers come by the
    placeholder updated in place, the path most tests here look at; with it, answers are streamed. `tables`:
    the app's TALLY_SLACK_TABLES. `answer_queue`: the app is a web worker's that leaves mentions and DMs to
answer workers."""
    with MockSlack() as slack, ScriptedOpenAI() as llm:
        if not streams:
            slack.refuse_streams("not_allowed")
        conversation = None
        if with_model:
            model = ChatOpenAI(model="m", base_url=llm.base_url, api_key="t", max_retries=0, timeout=5,
                               use_responses_api=False)
            conversation = Conversation(tally, model)
        app = create_app(tally, slack_client("xoxb-test", slack.base_url), SECRET, conversation, tables=tables,
                         answer_queue=answer_queue)
        listeners = TrackedExecutor()
        runner = app.listener_runner
        runner.listener_executor = runner.lazy_listener_runner.executor = listeners
        server = http_server(app, 0, host="127.0.0.1", signing_secret=SECRET)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield SlackWorld(slack, llm, SlackClientSim(f"http://127.0.0.1:{server.server_port}", SECRET), tally,
                             listeners)
        finally:
            server.shutdown()
            server.server_close()
            listeners.wait_idle()  # no listener may outlive its test and touch the next test's data
            listeners.shutdown()


def blocks_text(call) -> str:
    """A posted message's blocks as JSON, then its `text`: what a test searches for words in."""
    return json.dumps(call.params.get("blocks") or [], ensure_ascii=False) + (call.params.get("text") or "")


def button(call, action_id: str, *, prefix: bool = False) -> str:
    """The value of the button `action_id` (or the first whose id starts with it) in a posted message."""
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []):
            found = element.get("action_id", "")
            if found == action_id or prefix and found.startswith(action_id):
                return element["value"]
    raise AssertionError(f"no {action_id} button in {blocks_text(call)[:500]}")
