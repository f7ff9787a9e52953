"""The words of a tool's progress and the feedback buttons under an answer, as Slack would take them."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.feedback import FEEDBACK_ACTION, feedback_block, read_vote
from bot.progress import PHRASES, phrase
from tools.registry import REGISTRY


@pytest.mark.parametrize(("tool", "args", "said"), [
    ("check_credit", {"customer": "Globex"}, "Checking Globex's credit…"),
    ("check_credit", {"customer": "Acme Corps", "amount": 5}, "Checking Acme Corps' credit…"),
    ("invoice_status", {"invoice_number": "INV-2026-00042"}, "Looking up INV-2026-00042…"),
    ("invoice_status", {"customer": "acme", "only_overdue": True}, "Looking up acme's invoices…"),
    ("invoice_status", {}, "Looking up invoices…"),
    ("ar_ageing", {"group_by": "customer"}, "Ageing the receivables…"),
    ("check_credit", {"customer": "<!channel> *Acme*"}, "Checking channel Acme's credit…"),
    ("check_credit", {"customer": "x" * 100}, f"Checking {'x' * 40}…'s credit…"),
    ("something_new", {}, "Running something new…"),
])
def test_a_tool_call_in_a_few_plain_words(tool, args, said):
    assert phrase(tool, args) == said


def test_every_tool_has_words_of_its_own():
    assert set(REGISTRY) <= set(PHRASES)


def test_the_feedback_buttons_are_blocks_slack_takes_and_name_the_turn():
    block = feedback_block(42)
    Block.parse(block).validate_json()
    buttons = block["elements"][0]
    assert buttons["action_id"] == FEEDBACK_ACTION
    assert read_vote(buttons["positive_button"]["value"]) == ("up", 42)
    assert read_vote(buttons["negative_button"]["value"]) == ("down", 42)


@pytest.mark.parametrize("value", ["", "up", "up:", "sideways:1", "up:1:2", "up:-1", "down:" + "9" * 19])
def test_a_value_tally_did_not_write_is_no_vote(value):
    assert read_vote(value) is None
