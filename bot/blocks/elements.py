"""Block Kit pieces as plain dicts, mrkdwn escaping, and the size limits Slack enforces."""

from __future__ import annotations

import re
from datetime import datetime

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000

_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def escape(text: object) -> str:
    """Slack reads &, < and > as markup in every text object; user data must not become markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_keeping_mentions(text: str) -> str:
    """For the tools' summaries, which carry user mentions like <@U0SALES1> among user data."""
    return _MENTION.sub(r"<@\1>", escape(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_TEXT), "emoji": True}}


def section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, MAX_SECTION_TEXT)}}


def fields(pairs: list[tuple[str, str]]) -> list[dict]:
    """Label/value pairs (values in mrkdwn) as two-column sections of at most ten fields each."""
    texts = [clip(f"*{label}*\n{value}", MAX_FIELD_TEXT) for label, value in pairs]
    return [{"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in texts[i:i + MAX_FIELDS]]}
            for i in range(0, len(texts), MAX_FIELDS)]


def context(*mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, MAX_SECTION_TEXT)}
                                            for t in mrkdwn[:MAX_CONTEXT_ELEMENTS]]}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value of {len(value)} characters is over Slack's {MAX_BUTTON_VALUE}")
    out = {"type": "button", "text": {"type": "plain_text", "text": clip(text, MAX_BUTTON_TEXT), "emoji": True},
           "action_id": action_id, "value": value}
    if style:
        out["style"] = style
    return out


def actions(*buttons: dict, block_id: str | None = None) -> dict:
    out = {"type": "actions", "elements": list(buttons)}
    if block_id:
        out["block_id"] = block_id
    return out


def slack_time(at: datetime, fallback: str) -> str:
    """A time each reader sees in their own Slack timezone; `fallback` where clients cannot format it."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{escape(fallback)}>"


def label(status: str) -> str:
    """'partially_paid' -> 'Partially paid'."""
    return status.replace("_", " ").capitalize()
