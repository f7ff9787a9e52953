"""Streamed answers end to end: signed events into the real Bolt app, the scripted model, and a mock Slack
that streams (chat.startStream / appendStream / stopStream) or refuses to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block

from tests.e2e.slack_harness import blocks_text, slack_world
from tests.fakes.openai_steps import reply, tool_calls


@pytest.fixture
def world(tally):
    with slack_world(tally, streams=True) as w:
        yield w


def tasks(calls) -> list[dict]:
    return [c for call in calls for c in call.params.get("chunks") or [] if c["type"] == "task_update"]


def feedback_of(blocks: list[dict]) -> dict:
    (actions,) = [b for b in blocks if b["type"] == "context_actions"]
    (buttons,) = actions["elements"]
    return buttons


def valid(blocks: list[dict]) -> None:
    for block in blocks:
        Block.parse(block).validate_json()


def test_a_mention_streams_a_task_per_tool_call_then_stops_with_the_cards_and_feedback(world):
    world.llm.push(tool_calls(("check_credit", {"customer": "Globex"})))
    _, ts = world.mention("U0MGR1", "how is Globex doing on credit?")
    world.slack.wait_for("chat.stopStream")
    world.settle()
    (start,) = world.slack.calls_to("chat.startStream")
    assert start.params["channel"] == "C0SALES" and start.params["thread_ts"] == ts
    assert start.params["recipient_user_id"] == "U0MGR1" and start.params["recipient_team_id"] == "T0TEAM"
    (stop,) = world.slack.calls_to("chat.stopStream")
    steps = [(t["id"], t["title"], t["status"]) for t in tasks([start, *world.slack.calls_to("chat.appendStream"),
                                                                 stop])]
    assert steps == [("request", "Reading your request", "in_progress"),
                     ("tool-1", "Checking Globex's credit…", "in_progress"),  # as the call starts
                     ("tool-1", "Checking Globex's credit…", "complete"),
                     ("request", "Reading your request", "complete")]
    assert "Globex" in blocks_text(stop) and feedback_of(stop.params["blocks"])["type"] == "feedback_buttons"
    assert stop.params["blocks"][-1]["type"] == "context_actions"  # the feedback ends the answer
    valid(stop.params["blocks"])
    (answer,) = world.slack.streamed("C0SALES")
    assert answer["thread_ts"] == ts and not answer["streaming"] and answer["blocks"] == stop.params["blocks"]
    assert not world.slack.calls_to("chat.postMessage") and not world.slack.calls_to("chat.update")


def test_a_direct_message_streams_too_and_a_command_is_answered_as_ever_without_feedback_buttons(world):
    world.llm.push(tool_calls(("invoice_status", {"customer": "Acme", "only_overdue": True})))
    world.dm("U0SALES1", "which of acme's invoices are late?")
    world.dm("U0SALES1", "credit ACME")  # a command: no model, no stream, nothing to give feedback on
    world.settle()
    (stop,) = world.slack.calls_to("chat.stopStream")
    assert "Looking up Acme's invoices…" in [t["title"] for t in tasks(world.slack.calls_to("chat.appendStream"))]
    assert "feedback_buttons" in blocks_text(stop) and world.llm.calls_count == 1
    (streamed,) = world.slack.streamed()
    assert streamed["channel"] == "DU0SALES1" and not streamed["streaming"]
    (placeholder,) = world.slack.calls_to("chat.postMessage")
    (command,) = world.slack.calls_to("chat.update")
    posted = [m["ts"] for m in world.slack.messages("DU0SALES1") if "chunks" not in m]
    assert "Working on it" in placeholder.params["text"] and [command.params["ts"]] == posted
    assert "Acme Corp" in blocks_text(command) and "feedback_buttons" not in blocks_text(command)


@pytest.mark.parametrize("error", ["not_allowed", "invalid_arguments"])
def test_a_refused_stream_falls_back_to_the_placeholder_updated_in_place(world, error):
    world.slack.fail("chat.startStream", error)
    world.llm.push(tool_calls(("check_credit", {"customer": "Globex"})))
    _, ts = world.mention("U0MGR1", "Globex credit please")
    world.slack.wait_for("chat.update")
    world.settle()
    (placeholder,) = world.slack.calls_to("chat.postMessage")
    (update,) = world.slack.calls_to("chat.update")
    assert placeholder.params["thread_ts"] == ts and "Working on it" in placeholder.params["text"]
    assert update.params["ts"] == world.slack.messages("C0SALES")[0]["ts"]
    assert "Globex" in blocks_text(update) and feedback_of(update.params["blocks"])
    assert not world.slack.streamed() and not world.slack.calls_to("chat.appendStream")


def test_a_workspace_that_never_streams_is_answered_by_placeholder_every_time(tally):
    with slack_world(tally) as world:  # refuses every chat.startStream, as an older workspace does
        world.llm.default(tool_calls(("check_credit", {"customer": "Globex"})))
        world.mention("U0MGR1", "Globex credit please")
        world.dm("U0MGR1", "and Globex credit here")
        world.settle()
        assert len(world.slack.calls_to("chat.update")) == 2 and not world.slack.streamed()


@pytest.mark.parametrize(("minutes", "streamed"), [(3.9, True), (4.1, False)])
def test_a_stream_older_than_four_minutes_is_closed_and_continued_with_chat_update(world, clock, minutes, streamed):
    def slow_model(request: dict):  # the model takes `minutes` on the service's clock before it calls a tool
        clock.at += timedelta(minutes=minutes)
        return tool_calls(("check_credit", {"customer": "Globex"}))

    world.llm.push(slow_model)
    world.mention("U0MGR1", "how is Globex on credit?")
    world.slack.wait_for("chat.stopStream")
    world.settle()
    (answer,) = world.slack.streamed("C0SALES")
    (stop,) = world.slack.calls_to("chat.stopStream")
    appended = world.slack.calls_to("chat.appendStream")
    if streamed:
        assert "Globex" in blocks_text(stop) and len(appended) == 1 and not world.slack.calls_to("chat.update")
        return
    assert not stop.params.get("blocks") and not appended  # stopped before the tool's task, nothing added
    *progress, final = world.slack.calls_to("chat.update")
    assert [p.params["text"] for p in progress] == ["Checking Globex's credit…"]
    assert final.params["ts"] == answer["ts"] and "Globex" in blocks_text(final)
    assert feedback_of(final.params["blocks"]) and answer["blocks"] == final.params["blocks"]


def test_two_requests_in_one_message_are_two_tasks_and_the_feedback_ends_the_last_card(world):
    world.llm.push(tool_calls(("check_credit", {"customer": "Acme"}), ("invoice_status", {"customer": "Globex"})),
                   reply("Both are below."))
    _, ts = world.mention("U0MGR1", "check Acme's credit and show Globex's invoices")
    world.settle()
    (stop,) = world.slack.calls_to("chat.stopStream")
    appended = world.slack.calls_to("chat.appendStream")
    shown = tasks([*appended, stop])
    titles = {t["title"] for t in shown}
    assert titles == {"Checking Acme's credit…", "Looking up Globex's invoices…", "Reading your request"}
    assert len(appended) == 2 and {t["id"] for t in shown if t["status"] == "complete"} == {"tool-1", "tool-2",
                                                                                            "request"}
    (second,) = world.slack.calls_to("chat.postMessage")  # the second card, in the same thread
    assert second.params["thread_ts"] == ts and "feedback_buttons" in blocks_text(second)
    assert "feedback_buttons" not in blocks_text(stop)
    valid(second.params["blocks"])
