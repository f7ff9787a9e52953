"""Buttons on an alert DM. Each runs the Tally command it names as the person who clicks, exactly as if
they had typed it: their role decides, and a write comes back as a card to confirm. The answer goes into
the alert's thread. A repeated click on a write finds the card of the first one instead of a second."""

from __future__ import annotations

import json

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.answers import Notice, execute
from bot.blocks import error_text
from bot.command_forms import Help
from bot.delivery import Thread
from bot.grammar import parse
from bot.listeners.events.conversation import keep_cards
from core.errors import TallyError


def run_alert_button(body: dict, context: BoltContext, client: WebClient, respond: Respond) -> None:
    actor, tally = context["actor"], context["tally"]
    action = body["actions"][0]
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    try:
        value = json.loads(action.get("value") or "{}")
        command = parse(str(value["command"]), tally.clock.now().astimezone(actor.tz).date(), tally.rules.currency)
        if isinstance(command, Help):
            raise ValueError("help is not an alert's action")
        key = f"alert:{value.get('alert')}:{action['action_id']}:{actor.user_id}"
        items = [execute(tally, actor, command, request_key=key)]
    except TallyError as exc:
        items = [Notice(exc.message, exc.hint, error=True, people=exc.people)]
    except (KeyError, TypeError, ValueError):
        respond(text=error_text(TallyError("That button is not one of Tally's.")), response_type="ephemeral",
                replace_original=False)
        return
    thread = Thread(client, channel, ts)
    stamps = thread.show(items, actor.timezone)
    keep_cards(tally, client, actor, channel, items, stamps)
