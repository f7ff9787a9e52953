"""Block Kit pieces as plain dicts, mrkdwn escaping, and the size limits Slack enforces."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000

_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
# Fields of tool results that hold a member's Slack id: the people a tool's own summary may mention.
PERSON_FIELDS = frozenset({"recipient", "rep", "decided_by", "requested_by", "collector", "owner_rep", "actor"})


def escape(text: object) -> str:
    """Model and data text as Slack shows it literally: &, < and > are markup in every mrkdwn text and in a
    message's `text`, so data could mention @channel or draw a link. Escaping twice changes nothing: an
    entity Slack decodes (&amp; &lt; &gt;) is kept, so no path can show "&amp;amp;". The price: data that
    itself reads "&lt;" is shown as "<", still as text."""
    return _BARE_AMPERSAND.sub("&amp;", str(text)).replace("<", "&lt;").replace(">", "&gt;")


def escape_keeping(text: object, people: Iterable[str]) -> str:
    """`text` escaped, except mentions of `people`: the members a tool's own words name (<@U0SALES1>).
    A mention of anyone else, like one in a customer's name, stays text."""
    keep = set(people)
    return _MENTION.sub(lambda m: f"<@{m.group(1)}>" if m.group(1) in keep else m.group(0), escape(text))


def people_in(*things: object) -> set[str]:
    """The Slack ids in the person fields of tool results (nested models and lists included)."""
    found: set[str] = set()
    stack = list(things)
    while stack:
        thing = stack.pop()
        if isinstance(thing, BaseModel):
            for name in type(thing).model_fields:
                value = getattr(thing, name)
                if name in PERSON_FIELDS and isinstance(value, str):
                    found.add(value)
                elif isinstance(value, BaseModel | list | tuple):
                    stack.append(value)
        elif isinstance(thing, list | tuple):
            stack.extend(thing)
    return found


def mention(user_id: str) -> str:
    """<@U…> for a member's id; anything that is not an id is shown as text."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape(user_id)


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
