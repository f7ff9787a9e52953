"""Mentions and direct messages: answered in the request's thread, streamed with a task per tool call
(or a 'working on it' placeholder where Slack does not stream), the agent's answers with feedback buttons."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answers import answer_text, from_slack, is_command
from bot.blocks.cards import outcome_card
from bot.blocks.feedback import feedback_block
from bot.delivery import Replaced, Thread
from bot.listeners.outage import OUTAGE, is_outage
from bot.streaming import StreamedThread
from tools import Proposal

OOPS = "Sorry, something went wrong on our side and nothing was changed."
OOPS_HINT = "Try again in a moment, or use a command such as `credit ACME`."


def answer_in_thread(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    actor, tally = context["actor"], context["tally"]
    channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
    text = event.get("text") or ""
    tables = bool(context.get("tables"))
    if is_command(from_slack(text, context.bot_user_id)):  # no model to wait for: the placeholder, as ever
        thread = Thread(client, channel, thread_ts, tables=tables)
    else:
        thread = StreamedThread(client, channel, thread_ts, tables=tables, recipient_user_id=actor.user_id,
                                recipient_team_id=context.team_id or event.get("team"), clock=tally.clock.now)
    try:
        thread.start()
        if not thread.streamed and event.get("channel_type") == "im" and context.get("set_status"):
            try:  # Slack's AI-app status line, where the workspace offers it; the placeholder covers the rest
                context["set_status"]("is thinking…")
            except Exception:
                logger.debug("assistant status not available here", exc_info=True)
        on_tool = thread.tool if isinstance(thread, StreamedThread) and thread.streamed else None
        answer = answer_text(tally, actor, context.get("conversation"), f"{channel}:{thread_ts}", text,
                             bot_user_id=context.bot_user_id, on_tool=on_tool)
        closing = [feedback_block(answer.turn_id)] if answer.turn_id is not None else None
        stamps = thread.show(answer.items, actor.timezone, closing)
        keep_cards(tally, client, actor, channel, answer.items, stamps)
    except Exception as exc:
        logger.exception("answering %s in %s failed", actor.user_id, channel)
        if is_outage(exc):
            thread.fail(OUTAGE)
        else:
            thread.fail(OOPS, OOPS_HINT)


def keep_cards(tally: Any, client: WebClient, actor: Any, channel: str, items: list, stamps: list[str]) -> None:
    """Remember where each proposal's card is, and turn the cards of proposals just replaced into
    cancelled ones, so an amended request leaves one card to confirm."""
    now = tally.clock.now()
    for item, ts in zip(items, stamps, strict=False):
        if isinstance(item, Proposal):
            tally.slack_state.remember_card("proposal", item.pending_id, channel, ts, actor.user_id, now)
        elif isinstance(item, Replaced) and item.outcome is not None:
            for card in tally.slack_state.cards("proposal", item.outcome.pending_id):
                client.chat_update(channel=card.channel, ts=card.ts, text="Replaced by a newer proposal.",
                                   blocks=outcome_card(item.outcome, actor.timezone))


def answer_mention(body: dict, event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    if not queued(body, context, "answer_mention"):
        answer_in_thread(event, context, client, logger)


def answer_direct_message(body: dict, event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    # Only people's own words in a DM with Tally: not edits, joins, bot posts, or channel chatter.
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    if not queued(body, context, "answer_direct_message"):
        answer_in_thread(event, context, client, logger)


def queued(body: dict, context: BoltContext, listener: str) -> bool:
    """Behind a web worker with answer workers, the answering is left to them (bot/answer_queue.py)."""
    queue = context.get("answer_queue")
    if queue is None:
        return False
    queue.put(listener, json.dumps(body), {"content-type": ["application/json"]})
    return True
