"""The entry points: blocks and notification text for any tool result, proposal or outcome."""

from __future__ import annotations

from pydantic import BaseModel

from bot.blocks.cards import confirmation_card, outcome_card, outcome_people, proposal_people
from bot.blocks.elements import MAX_BLOCKS, escape_keeping, people_in
from bot.blocks.tables import Layout
from bot.blocks.views import result_blocks, result_text
from tools.service import Outcome, Proposal

MAX_TEXT = 300


def blocks_for(result: BaseModel | Proposal | Outcome, *, page: int = 0, tz: str = "UTC",
               tables: bool = False) -> list[dict]:
    """Block Kit blocks for a tool result (the `page` of a long list), a proposal or an outcome. `tables`:
    lists as Slack's table block, for a message whose workspace shows them (never a Home tab or modal)."""
    if isinstance(result, Proposal):
        blocks = confirmation_card(result)
    elif isinstance(result, Outcome):
        blocks = outcome_card(result, tz)
    else:
        blocks = result_blocks(result, page, Layout(tables=tables))
    return blocks[:MAX_BLOCKS]


def fallback_text(result: BaseModel | Proposal | Outcome) -> str:
    """One short line for notifications and screen readers, sent as the message `text` with the blocks.
    Slack reads it as mrkdwn too, so it is escaped like the blocks."""
    if isinstance(result, Proposal):
        text, people = f"Please confirm: {result.summary}", proposal_people(result)
    elif isinstance(result, Outcome):
        text = {"done": result.summary, "cancelled": f"Cancelled: {result.summary}",
                "expired": f"Expired: {result.summary}"}.get(result.status, f"Not done: {result.error}")
        people = outcome_people(result)
    else:
        text, people = result_text(result), people_in(result)
    text = " ".join(text.split())
    text = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    return escape_keeping(text, people)
