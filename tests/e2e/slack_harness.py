"""The real Bolt app served over HTTP, a mock Slack Web API, and a scripted model, wired together."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
_ids = count(1)


@dataclass
class SlackWorld:
    slack: MockSlack
    llm: ScriptedOpenAI
    sim: SlackClientSim
    tally: Tally

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
def slack_world(tally: Tally, with_model: bool = True) -> Iterator[SlackWorld]:
    with MockSlack() as slack, ScriptedOpenAI() as llm:
        conversation = None
        if with_model:
            model = ChatOpenAI(model="m", base_url=llm.base_url, api_key="t", max_retries=0, timeout=5,
                               use_responses_api=False)
            conversation = Conversation(tally, model)
        app = create_app(tally, slack_client("xoxb-test", slack.base_url), SECRET, conversation)
        server = http_server(app, 0, host="127.0.0.1", signing_secret=SECRET)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield SlackWorld(slack, llm, SlackClientSim(f"http://127.0.0.1:{server.server_port}", SECRET), tally)
        finally:
            server.shutdown()
            server.server_close()
