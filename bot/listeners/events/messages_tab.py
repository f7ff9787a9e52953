"""Slack's agent view: a member opening Tally's Messages tab gets suggested prompts for their role.

In the agent view the prompts sit at the top of the Messages tab, not in a thread: Slack's
assistant.threads.setSuggestedPrompts is called without `thread_ts` (with one, an agent app's call
silently does nothing). Workspaces on the legacy assistant view get theirs per thread
(bot.listeners.events.assistant)."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.listeners.events.assistant import prompts_for

TITLE = "Try one of these, or type `help`"


def suggest_prompts(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    actor, channel = context.get("actor"), event.get("channel")
    if event.get("tab") != "messages" or actor is None or not channel:
        return
    try:
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, title=TITLE, prompts=prompts_for(actor.role))
    except Exception:  # a workspace without the agent view refuses; the tab still works without prompts
        logger.info("suggested prompts not available in %s", channel, exc_info=True)
