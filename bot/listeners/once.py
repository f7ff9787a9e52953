"""Each Slack event handled once, decided after the ack. Slack redelivers an event only when the ack
took over 3 seconds (and marks the copy with X-Slack-Retry-Num), so the claim need not delay the ack:
event listeners run after Bolt has answered Slack, and the first thing they do is claim the event id
(and the user message it carries) under a unique key; a redelivery, or the second copy of a message
Slack sends as both app_mention and message.im, finds it taken and does nothing."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from tools.slack_state import message_key


def answered_message(event: dict) -> str | None:
    """The key of the user message an event would be answered for. Events the listeners ignore (edits,
    bot posts, messages outside DMs) claim nothing, so they never hide the copy that is answered."""
    kind = event.get("type")
    answered = kind == "app_mention" or (kind == "message" and event.get("channel_type") == "im"
                                         and not event.get("subtype") and not event.get("bot_id"))
    return message_key(event.get("client_msg_id"), event.get("channel"), event.get("ts")) if answered else None


def first_delivery(body: dict, context: BoltContext) -> bool:
    """True for the first delivery of an event (and of the user message it carries), False for repeats."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id or context.get("from_queue"):  # a queued event was claimed before it was queued
        return True
    return context["tally"].slack_state.claim_event(event_id, answered_message(body.get("event") or {}))


def once(*listeners: Callable[..., None]) -> Callable[..., None]:
    """Event listeners that run, in order, for the first delivery of their event only."""
    wanted = [set(inspect.signature(listener).parameters) for listener in listeners]

    def run(body: dict, event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
        if not first_delivery(body, context):
            return
        given = {"body": body, "event": event, "context": context, "client": client, "logger": logger}
        for listener, names in zip(listeners, wanted, strict=True):
            listener(**{name: value for name, value in given.items() if name in names})

    first = listeners[0]
    run.__name__, run.__qualname__, run.__doc__ = first.__name__, first.__qualname__, first.__doc__
    return run
