"""The thumbs up / thumbs down under each of the agent's answers (Slack's `feedback_buttons`). Each
button's value names the vote and the turn it judges: "up:42"."""

from __future__ import annotations

import re

FEEDBACK_ACTION = "tally_feedback"
_VALUE = re.compile(r"^(up|down):(\d{1,18})$")


def feedback_block(turn_id: int) -> dict:
    return {"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": FEEDBACK_ACTION,
        "positive_button": {"text": {"type": "plain_text", "text": "Good answer"}, "value": f"up:{turn_id}",
                            "accessibility_label": "Mark this answer as good"},
        "negative_button": {"text": {"type": "plain_text", "text": "Bad answer"}, "value": f"down:{turn_id}",
                            "accessibility_label": "Mark this answer as bad"},
    }]}


def read_vote(value: str) -> tuple[str, int] | None:
    """("up", 42) from a clicked button's value; None for anything Tally did not write."""
    found = _VALUE.match(value or "")
    return (found.group(1), int(found.group(2))) if found else None
