"""Global middleware: every request mapped to a member (an Actor), from a short-lived cache, before the
ack. The Slack user comes from Bolt's context, never from anything a model wrote. Repeated deliveries
are dropped after the ack (bot/listeners/once.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltResponse

from bot.blocks import refusal_card
from bot.listeners.once import first_delivery
from bot.listeners.outage import is_outage, outage_response
from tools import Tally

REFUSAL = "Sorry, you are not set up to use Tally yet. Ask an admin to add you."


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
        if first_delivery(body, context):  # a stranger's redelivered event is not refused twice
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
