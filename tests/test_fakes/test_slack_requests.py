"""Signed requests are accepted by slack_sdk's verifier and by a real Bolt app served over HTTP."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.fakes.bolt_server import serve_bolt_app
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import (
    SlackClientSim,
    block_actions,
    event_callback,
    sign,
    slash_command,
    url_verification,
    view_submission,
)

SECRET = "test-signing-secret"


def test_signature_matches_slack_sdk_verifier():
    body, _ = event_callback({"type": "app_mention", "text": "hi"}, "Ev1")
    headers = sign(body, SECRET)
    assert headers["Content-Type"] == "application/json"
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    stale = sign(body, SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


def test_payload_builders():
    body, kind = slash_command("status SO-2025-00001", "U0SALES1")
    form = parse_qs(body)
    assert kind == "application/x-www-form-urlencoded" and form["command"] == ["/tally"]
    assert sign(body, SECRET)["Content-Type"] == kind
    action = json.loads(parse_qs(block_actions("U0COLL1", "confirm", "PA1", "C1", "1.2")[0])["payload"][0])
    assert action["actions"][0]["action_id"] == "confirm" and action["container"]["message_ts"] == "1.2"
    body, _ = view_submission("U0COLL1", "snooze", "INV-1", {"b": {"a": {}}})
    view = json.loads(parse_qs(body)["payload"][0])
    assert view["view"]["callback_id"] == "snooze" and view["view"]["private_metadata"] == "INV-1"


@pytest.fixture
def bolt():
    """A tiny Bolt app talking to the mock Slack, served over HTTP."""
    with MockSlack() as slack:
        app = App(client=WebClient(base_url=slack.base_url, token="xoxb-test"), signing_secret=SECRET)

        @app.event("app_mention")
        def on_mention(event, say):
            say(text=f"got: {event['text']}", thread_ts=event["ts"])

        @app.command("/tally")
        def on_command(ack, command):
            ack(f"running {command['text']}")

        @app.action("confirm")
        def on_confirm(ack, body, client):
            ack()
            client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="confirmed")

        @app.view("snooze")
        def on_snooze(ack, view):
            ack(response_action="errors", errors={"b": view["private_metadata"]})

        with serve_bolt_app(app) as url:
            yield slack, SlackClientSim(url, SECRET)


def test_bolt_app_mention_replies_through_mock(bolt):
    slack, sim = bolt
    event = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> hi", "ts": "1.000100",
             "channel": "C0GENERAL", "event_ts": "1.000100"}
    status, _, _ = sim.post(*event_callback(event, "Ev0001"))
    assert status == 200
    call = slack.wait_for("chat.postMessage")[0]
    assert call.params["text"] == "got: <@U0TALLYBOT> hi" and call.params["thread_ts"] == "1.000100"
    assert slack.messages("C0GENERAL")[0]["thread_ts"] == "1.000100"
    assert sim.post(*event_callback(event, "Ev0001"), retry_num=1, retry_reason="http_timeout")[0] == 200


def test_bolt_rejects_bad_and_stale_signatures(bolt):
    _, sim = bolt
    body = url_verification("abc")
    assert sim.post(*body, bad_signature=True)[0] == 401
    assert sim.post(*body, timestamp_offset=-600)[0] == 401
    status, _, text = sim.post(*body)
    assert status == 200 and json.loads(text)["challenge"] == "abc"


def test_bolt_command_action_and_view(bolt):
    slack, sim = bolt
    status, _, text = sim.post(*slash_command("status", "U0SALES1"))
    assert status == 200 and "running status" in text
    posted = WebClient(base_url=slack.base_url, token="xoxb-test").chat_postMessage(channel="C1", text="ok?")
    assert sim.post(*block_actions("U0SALES1", "confirm", "PA1", "C1", posted["ts"]))[0] == 200
    slack.wait_for("chat.update")
    assert slack.messages("C1")[0]["text"] == "confirmed"
    status, _, text = sim.post(*view_submission("U0COLL1", "snooze", "INV-1"))
    assert status == 200 and json.loads(text) == {"response_action": "errors", "errors": {"b": "INV-1"}}
