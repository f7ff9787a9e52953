"""Next page on a long list: the read runs again with the same arguments, the card updates in place."""

from __future__ import annotations

import json

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.approvals import update_card
from bot.blocks import blocks_for, error_text, fallback_text
from core.errors import TallyError


def next_page(body: dict, context: BoltContext, client: WebClient, respond: Respond) -> None:
    actor, tally = context["actor"], context["tally"]
    request = json.loads(body["actions"][0]["value"])
    try:
        result = tally.read(actor, request["tool"], request.get("args") or {})
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    blocks = blocks_for(result, page=int(request.get("page", 0)), tz=actor.timezone,
                        tables=bool(context.get("tables")))
    update_card(body, client, respond, blocks, fallback_text(result))
