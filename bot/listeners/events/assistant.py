"""Slack's legacy assistant view (`assistant_view` in the manifest, still installed in some workspaces):
an AI-app thread gets a greeting and suggested prompts for the person's role. Their messages in the
thread arrive as direct messages and are answered like any other."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks.elements import escape
from core.roles import Role

PROMPTS = {
    Role.SALES: [("My credit check", "Is Acme over its credit limit?"), ("Order", "Order 10 WIDGET-1 for Acme"),
                 ("Open invoices", "Which of my customers' invoices are overdue?")],
    Role.COLLECTOR: [("Worklist", "What should I chase today?"), ("An invoice", "Where does INV-2026-00042 stand?"),
                     ("Promise", "Globex promised to pay next Friday")],
    Role.MANAGER: [("Ageing", "Show AR ageing by customer"), ("DSO", "What was our DSO last month?"),
                   ("Sales", "Sales by rep this year")],
}


def prompts_for(role: Role) -> list[dict[str, str]]:
    """Slack takes up to four prompts, each a title and the message it sends; admins see a manager's."""
    return [{"title": title, "message": message} for title, message in PROMPTS.get(role, PROMPTS[Role.MANAGER])]


def greet_thread(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    thread = event.get("assistant_thread") or {}
    tally = context["tally"]
    actor = context.get("actor") or tally.actor_for(thread.get("user_id", ""))
    channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
    if not channel or not thread_ts:
        return
    if actor is None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                text="Sorry, you are not set up to use Tally yet. Ask an admin to add you.")
        return
    client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                            text=f"Hi {escape(actor.name)}, what can I do for you? Try one of these, or `help`.")
    try:
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                     prompts=prompts_for(actor.role))
    except Exception:
        logger.info("suggested prompts not available here", exc_info=True)
