"""People named in text. Slack writes a mention as <@U0COLL1> or <@U0COLL1|colin>; in the console people
type @U0COLL1 or the bare id U0COLL1. Only ids name someone: display names are neither unique nor stable."""

from __future__ import annotations

import re

SLACK_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_TYPED_ID = re.compile(r"@?([UW][A-Z0-9]*[0-9][A-Z0-9]*)", re.IGNORECASE)  # a digit: "Wed" or "UTC" is no id


def user_id(token: str) -> str | None:
    """The Slack user id one token names (upper-case), or None when it names nobody by id."""
    token = token.strip()
    match = SLACK_MENTION.fullmatch(token) or _TYPED_ID.fullmatch(token)
    return match.group(1).upper() if match else None
