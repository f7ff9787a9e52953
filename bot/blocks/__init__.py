"""Block Kit views of tool results: pure functions from the typed results to lists of block dicts."""

from bot.blocks.cards import approval_card, confirmation_card, error_card, error_text, outcome_card, refusal_card
from bot.blocks.dispatch import blocks_for, fallback_text

__all__ = ["approval_card", "blocks_for", "confirmation_card", "error_card", "error_text", "fallback_text",
           "outcome_card", "refusal_card"]
