"""One user message, one turn: Slack sends a DM that mentions Tally as app_mention and as message.im, under
two event ids, and may deliver them at the same moment (on PostgreSQL too)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from tests.e2e.slack_harness import slack_world
from tests.fakes.openai_steps import reply
from tests.fakes.slack_requests import event_callback


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        w.llm.default(reply("Acme is doing fine."))
        yield w


def message(ts: str, client_msg_id: str | None, text: str = "<@U0TALLYBOT> how is acme doing?", **extra) -> dict:
    event = {"user": "U0SALES1", "text": text, "ts": ts, "channel": "DU0SALES1", "event_ts": ts, **extra}
    return event | ({"client_msg_id": client_msg_id} if client_msg_id else {})


def as_mention_and_dm(event: dict) -> list[dict]:
    return [{"type": "app_mention", **event}, {"type": "message", "channel_type": "im", **event}]


def post_together(world, events: list[dict], prefix: str) -> None:
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda e=e, i=i: statuses.append(
        world.sim.post(*event_callback(e, f"{prefix}{i}"))[0])) for i, e in enumerate(events)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(events)  # both acknowledged: Slack must not retry either


def answers(world, expected: int) -> int:
    world.slack.wait_for("chat.update", count=expected)
    time.sleep(0.5)  # room for a second answer that must not come
    return len(world.slack.calls_to("chat.update"))


@pytest.mark.parametrize("client_msg_id", ["6f1c2b9e-4d3a-4c1e-9b7a-2e5d8c0f1a3b", None])
def test_one_message_under_two_event_ids_is_one_turn(world, client_msg_id):
    post_together(world, as_mention_and_dm(message("1700020001.000100", client_msg_id)), "EvTwin")
    assert answers(world, 1) == 1 and world.llm.calls_count == 1
    assert len(world.slack.calls_to("chat.postMessage")) == 1  # one placeholder in the thread


def test_two_messages_are_two_turns(world):
    post_together(world, [{"type": "app_mention", **message("1700020002.000100", "aaaa-1")},
                          {"type": "app_mention", **message("1700020003.000100", "aaaa-2")}], "EvPair")
    assert answers(world, 2) == 2 and world.llm.calls_count == 2


def test_an_ignored_copy_does_not_hide_the_answered_one(world):
    """A message with a file arrives as message.im with a subtype (not answered) and as app_mention."""
    event = message("1700020004.000100", "bbbb-1", files=[{"id": "F1"}])
    world.sim.post(*event_callback({"type": "message", "channel_type": "im", "subtype": "file_share", **event},
                                   "EvFile0"))
    world.sim.post(*event_callback({"type": "app_mention", **event}, "EvFile1"))
    assert answers(world, 1) == 1 and world.llm.calls_count == 1


def test_the_ack_does_not_wait_for_the_claim_and_a_retry_is_still_dropped(world, db):
    """The event id is claimed after Slack has its answer: with the table of claims locked by another
    writer, the first delivery and Slack's retry of it are both acknowledged at once; once the lock is
    released, the event is answered once."""
    body = event_callback({"type": "app_mention", **message("1700020005.000100", "cccc-1")}, "EvLocked")
    with db.session(write=True) as holder:  # SQLite: the one writer; PostgreSQL: no insert gets through
        if db.is_postgres:
            holder.execute(text("LOCK TABLE slack_events IN EXCLUSIVE MODE"))
        assert world.sim.post(*body)[0] == 200
        assert world.sim.post(*body, retry_num=1, retry_reason="http_timeout")[0] == 200
        assert world.llm.calls_count == 0  # nothing answered while the claim waits
    assert answers(world, 1) == 1 and world.llm.calls_count == 1
