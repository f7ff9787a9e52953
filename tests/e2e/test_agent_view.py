"""Slack's agent view: a member opening the Messages tab gets their role's suggested prompts, set on the
tab itself (no thread); the Home tab and the legacy assistant thread keep their own behaviour."""

from __future__ import annotations

import pytest

from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import event_callback


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def open_tab(world, user: str, tab: str, n: int) -> None:
    status, _, _ = world.sim.post(*event_callback({"type": "app_home_opened", "user": user, "channel": f"D{user}",
                                                   "tab": tab, "event_ts": f"1700009{n:03d}.000100"}, f"EvTab{n}"))
    assert status == 200
    world.settle()


def prompts_of(world, channel: str) -> list[dict]:
    calls = [c for c in world.slack.calls_to("assistant.threads.setSuggestedPrompts")
             if c.params["channel_id"] == channel]
    assert len(calls) == 1, calls
    assert "thread_ts" not in calls[0].params  # an agent app's call with a thread_ts does nothing
    return calls[0].params["prompts"]


def test_opening_the_messages_tab_sets_the_members_role_prompts_without_a_thread(world):
    for n, user in enumerate(("U0SALES1", "U0COLL1", "U0MGR1")):
        open_tab(world, user, "messages", n)
    sales, collector, manager = (prompts_of(world, f"D{u}") for u in ("U0SALES1", "U0COLL1", "U0MGR1"))
    assert "Order 10 WIDGET-1 for Acme" in [p["message"] for p in sales]
    assert "What should I chase today?" in [p["message"] for p in collector]
    assert "Show AR ageing by customer" in [p["message"] for p in manager]
    assert len({str(sales), str(collector), str(manager)}) == 3
    assert not world.slack.calls_to("views.publish")  # the Messages tab publishes no Home view
    assert not world.slack.calls_to("chat.postMessage")  # nor writes into the conversation


def test_the_home_tab_publishes_the_dashboard_and_no_prompts(world):
    open_tab(world, "U0COLL1", "home", 1)
    assert world.slack.calls_to("views.publish")
    assert not world.slack.calls_to("assistant.threads.setSuggestedPrompts")


def test_a_stranger_gets_no_prompts(world):
    open_tab(world, "U0NOBODY", "messages", 1)
    assert not world.slack.calls_to("assistant.threads.setSuggestedPrompts")


def test_a_workspace_that_refuses_the_prompts_leaves_the_tab_working(world):
    world.slack.fail("assistant.threads.setSuggestedPrompts", "not_allowed")
    open_tab(world, "U0SALES1", "messages", 1)
    open_tab(world, "U0SALES1", "messages", 2)  # the next opening tries again, and Slack takes it
    calls = world.slack.calls_to("assistant.threads.setSuggestedPrompts")
    assert len(calls) == 2 and not world.slack.calls_to("chat.postMessage")
