"""Global middleware: each Slack event handled once, and every request mapped to a member (an Actor).
The Slack user comes from Bolt's context, never from anything a model wrote."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltResponse

from bot.blocks import refusal_card
from bot.listeners.outage import is_outage, outage_response
from tools import Tally
from tools.slack_state import message_key

REFUSAL = "Sorry, you are not set up to use Tally yet. Ask an admin to add you."


def drop_redeliveries(body: dict, context: Any, client: Any, logger: Any, next: Any) -> BoltResponse | None:
    """Slack redelivers an event when our ack was slow, and sends a message that mentions Tally in a DM
    as both app_mention and message.im: event ids and user messages are stored under unique keys."""
    tally: Tally = context["tally"]
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    try:
        if event_id and not tally.slack_state.claim_event(event_id, _answered_message(body.get("event") or {})):
            return BoltResponse(status=200, body="")
    except Exception as exc:
        if not is_outage(exc):
            raise
        return outage_response(body, client, logger, exc)
    return next()


def _answered_message(event: dict) -> str | None:
    """The key of the user message an event would be answered for. Events the listeners ignore (edits,
    bot posts, messages outside DMs) claim nothing, so they never hide the copy that is answered."""
    kind = event.get("type")
    answered = kind == "app_mention" or (kind == "message" and event.get("channel_type") == "im"
                                         and not event.get("subtype") and not event.get("bot_id"))
    return message_key(event.get("client_msg_id"), event.get("channel"), event.get("ts")) if answered else None


def attach_actor(body: dict, context: Any, client: Any, logger: Any, next: Any) -> BoltResponse | None:
    tally: Tally = context["tally"]
    user_id = context.user_id
    if user_id is None or body.get("type") == "url_verification":
        return next()
    try:
        actor = tally.actor_for(user_id)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return outage_response(body, client, logger, exc)
    if actor is not None:
        context["actor"] = actor
        return next()
    try:
        _refuse(body, context, client)
    except Exception:  # a refusal that cannot be delivered must not become an error loop
        logger.warning("could not tell %s they are not a member", user_id, exc_info=True)
    return BoltResponse(status=200, body="")


def _refuse(body: dict, context: Any, client: Any) -> None:
    event = body.get("event") or {}
    if event.get("type") == "app_home_opened":
        client.views_publish(user_id=context.user_id, view={"type": "home", "blocks": refusal_card()})
    elif event.get("type") in ("app_mention", "message"):
        if event.get("bot_id") or event.get("subtype"):
            return
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                text=REFUSAL, blocks=refusal_card())
    elif body.get("command") or body.get("type") in ("block_actions", "view_submission"):
        url = body.get("response_url") or (body.get("response_urls") or [{}])[0].get("response_url")
        if url:
            from slack_sdk.webhook import WebhookClient

            WebhookClient(url).send(text=REFUSAL, blocks=refusal_card(), response_type="ephemeral")
