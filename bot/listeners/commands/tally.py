"""`/tally ...`: the command grammar, no model call. Answers are private to the person who asked."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.answers import answer_command
from bot.delivery import blocks_of, file_for
from bot.listeners.events.conversation import OOPS, OOPS_HINT
from bot.listeners.outage import OUTAGE, is_outage


def run_tally_command(command: dict, context: BoltContext, client: WebClient, respond: Respond, logger: Logger) -> None:
    actor, tally = context["actor"], context["tally"]
    try:
        items = answer_command(tally.via("slash"), actor, command.get("text") or "help")
        for item in items:
            blocks, text = blocks_of(item, actor.timezone, bool(context.get("tables")))
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        files = [f for f in map(file_for, items) if f]
        if files:  # a private answer gets its chart or document in the person's DM with Tally, not the channel
            dm = client.conversations_open(users=actor.user_id)["channel"]["id"]
            for content, filename in files:
                client.files_upload_v2(channel=dm, content=content, filename=filename, title=filename)
    except Exception as exc:
        logger.exception("/tally %r failed for %s", command.get("text"), actor.user_id)
        respond(text=OUTAGE if is_outage(exc) else f"{OOPS} {OOPS_HINT}", response_type="ephemeral",
                replace_original=False)
