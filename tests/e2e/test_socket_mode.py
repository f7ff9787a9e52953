"""`python app.py serve` in Socket Mode, from its real entry point, against a local server speaking Slack's
Socket Mode protocol (tests/fakes/socket_mode_server.py) and the mock Web API: a mention, a slash command
and a button click are acknowledged and answered, and a reconnect Slack asks for loses and doubles nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from urllib.parse import parse_qsl

from sqlalchemy import func, select

from db.models import SalesOrder
from db.session import Database
from tests.e2e.slack_harness import button
from tests.e2e.test_serve import ROOT, TOKEN, demo_file, environment, text_of  # noqa: F401 - demo_file: a fixture
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import block_actions, event_callback, slash_command
from tests.fakes.socket_mode_server import MockSocketMode

APP_TOKEN = "xapp-1-A0TALLY-1234-socketmodetest"


def events_api(event: dict, event_id: str) -> dict:
    return json.loads(event_callback(event, event_id)[0])


def form(body: tuple[str, str]) -> dict:
    return dict(parse_qsl(body[0]))


def answers_in(slack: MockSlack, channel: str, thread_ts: str) -> list[dict]:
    return [m for m in slack.messages(channel) if m.get("thread_ts") == thread_ts]


def test_serve_in_socket_mode_answers_events_commands_and_clicks_and_survives_a_reconnect(tmp_path, demo_file):  # noqa: F811
    with MockSlack() as slack, MockSocketMode() as socket:
        slack.socket_mode_url = socket.url
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve", "--no-scheduler"], cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
            env=environment(demo_file, SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=slack.base_url))
        try:
            socket.wait_for_connections(1)
            assert slack.calls_to("apps.connections.open")[0].token == APP_TOKEN  # the app-level token opens it

            # A mention: acknowledged, then answered in its thread.
            mention = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> credit ACME",
                       "ts": "1700000001.000100", "channel": "C0SALES", "event_ts": "1700000001.000100"}
            assert socket.wait_for_ack(socket.send("events_api", events_api(mention, "Ev0SOCK1"))).connection == 0
            update = next(c for c in slack.wait_for("chat.update", timeout=30) if c.params["channel"] == "C0SALES")
            assert "Acme Corp" in text_of(update)
            assert answers_in(slack, "C0SALES", "1700000001.000100")

            # A slash command that proposes a write: acknowledged, and the card goes to its response_url.
            order_url = f"{slack.base_url}response.order"
            command = form(slash_command("order ACME 1 WIDGET-1", "U0SALES1", response_url=order_url))
            socket.wait_for_ack(socket.send("slash_commands", command, accepts_response_payload=True))
            card = slack.wait_for("response.order", timeout=30)[0]

            # The Confirm click: acknowledged, the order created once, the card replaced.
            click_url = f"{slack.base_url}response.click"
            click = json.loads(form(block_actions(
                "U0SALES1", "tally_confirm", button(card, "tally_confirm"), response_url=click_url,
                container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                           "is_ephemeral": True}))["payload"])
            before = orders(demo_file)
            socket.wait_for_ack(socket.send("interactive", click, accepts_response_payload=True))
            replaced = slack.wait_for("response.click", timeout=30)[0]
            assert replaced.params["replace_original"] is True and "SO-" in text_of(replaced)
            assert orders(demo_file) == before + 1

            # Slack recycles the connection just as a DM arrives; the DM's ack is lost with the old connection,
            # so it comes again on the new one. It is answered once, and acknowledged on the new connection.
            dm = {"type": "message", "channel_type": "im", "user": "U0COLL1", "text": "invoices Globex overdue",
                  "ts": "1700000002.000100", "channel": "DU0COLL1", "event_ts": "1700000002.000100"}
            around = socket.send_around_reconnect("events_api", events_api(dm, "Ev0SOCK2"))
            socket.wait_for_connections(2)
            assert socket.wait_for_ack(around).connection == 1
            assert [n for n, e in socket.deliveries if e["envelope_id"] == around] == [0, 1]
            assert len(slack.calls_to("apps.connections.open")) == 2

            # The new connection carries on.
            later = dict(mention, ts="1700000003.000100", event_ts="1700000003.000100")
            assert socket.wait_for_ack(socket.send("events_api", events_api(later, "Ev0SOCK3"))).connection == 1
            slack.wait_for("chat.update", count=3, timeout=30)
            assert "GLOBEX" in json.dumps(answers_in(slack, "DU0COLL1", "1700000002.000100"))
            assert len(answers_in(slack, "DU0COLL1", "1700000002.000100")) == 1  # one answer, not two
            assert len(answers_in(slack, "C0SALES", "1700000003.000100")) == 1
            assert not socket.unacked
        finally:
            process.send_signal(signal.SIGINT)
            try:
                out, err = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
                raise AssertionError(f"serve did not stop on SIGINT:\n{out}\n{err}") from None
    assert process.returncode in (0, 130), (process.returncode, out, err)
    assert "Socket Mode" in err and "Traceback" not in out + err, err


def orders(path) -> int:
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(SalesOrder))
    finally:
        db.dispose()
