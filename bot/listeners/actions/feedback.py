"""A thumbs up or down under an answer: kept once per person and answer (a second click changes the vote,
a repeated one changes nothing), and thanked for, only to the clicker."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks.feedback import read_vote
from core.errors import TallyError

THANKS = {"up": "Thanks, glad that helped.", "down": "Thanks for telling us; we will look at this answer."}


def record_feedback(body: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    actor, tally = context["actor"], context["tally"]
    found = read_vote((body.get("actions") or [{}])[0].get("value", ""))
    if found is None:
        logger.warning("a feedback click from %s with a value Tally did not write", actor.user_id)
        return
    vote, turn_id = found
    try:
        kept = tally.feedback.record(actor.user_id, turn_id, vote)
    except TallyError as exc:
        logger.info("feedback from %s not kept: %s", actor.user_id, exc)
        return
    if not kept.changed:
        return
    container, channel = body.get("container") or {}, (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    if channel:
        client.chat_postEphemeral(channel=channel, user=actor.user_id, text=THANKS[vote],
                                  thread_ts=message.get("thread_ts") or container.get("thread_ts"))
