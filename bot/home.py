"""App Home, one dashboard per role, built from the same tools people ask in messages."""

from __future__ import annotations

from typing import Any

from bot.blocks import blocks_for
from bot.blocks.elements import context as context_block
from bot.blocks.elements import divider, escape, header, section
from bot.blocks.paging import PAGING_BLOCK
from core.roles import Role
from tools import Actor, Tally

MAX_BLOCKS = 100  # Slack's limit for a Home tab
CHART_TITLE, CHART = "tally_home_chart_title", "tally_home_chart"


def _part(title: str, blocks: list[dict]) -> list[dict]:
    """A list's "Next page" button stays out of the Home: its handler updates a message, and two lists'
    buttons would share one block id, which Slack refuses in a view."""
    return [header(title), *(b for b in blocks if b.get("block_id") != PAGING_BLOCK), divider()]


def home_blocks(tally: Tally, actor: Actor, ageing_image: str | None = None) -> list[dict]:
    """`ageing_image` is the Slack file id of the ageing chart, for managers."""
    read = tally.read
    tz = actor.timezone
    blocks = [section(f"Hello {escape(actor.name)}. Ask me in a DM or with `/tally help`."),
              context_block(f"You are signed in as *{actor.role.value}*.")]
    if actor.role is Role.SALES:
        blocks += _part("My open orders", blocks_for(read(actor, "order_status", {"status": "open"}), tz=tz))
        blocks += _part("My customers' overdue invoices",
                        blocks_for(read(actor, "invoice_status", {"only_overdue": True}), tz=tz))
    elif actor.role is Role.COLLECTOR:
        blocks += _part("Today's worklist", blocks_for(read(actor, "collection_worklist", {}), tz=tz))
    else:
        if ageing_image:
            blocks += [{**header("Receivables ageing"), "block_id": CHART_TITLE},
                       {"type": "image", "block_id": CHART, "slack_file": {"id": ageing_image},
                        "alt_text": "AR ageing chart"}]
        blocks += _part("Ageing", blocks_for(read(actor, "ar_ageing", {}), tz=tz))
        if actor.role is Role.MANAGER:
            blocks += _part("Cash forecast", blocks_for(read(actor, "cash_forecast", {"weeks": 8}), tz=tz))
        blocks += _part("DSO and CEI, last 90 days",
                        blocks_for(read(actor, "collections_summary", {"period": "last-90-days"}), tz=tz))
        blocks += _part("Orders on credit hold or price hold",
                        blocks_for(read(actor, "order_status", {"status": "held"}), tz=tz))
    return _within_limit(blocks)


def _within_limit(blocks: list[dict]) -> list[dict]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[:MAX_BLOCKS - 1] + [context_block("More in a DM: ask me.")]


def without_chart(blocks: list[dict]) -> list[dict]:
    """The Home without the chart and its title: for when Slack cannot show the picture yet."""
    return [b for b in blocks if b.get("block_id") not in (CHART_TITLE, CHART)]


def home_view(blocks: list[dict]) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks}
