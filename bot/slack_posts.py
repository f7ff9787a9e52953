"""Posts that must not be made twice: a client that does not blindly re-post after a lost answer, and
the look-up that finds an earlier attempt's message by its metadata before anything is posted again."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

HISTORY_PAGE, HISTORY_PAGES = 200, 100


def without_blind_retries(client: Any) -> Any:
    """The same client, minus retries after a lost connection: Slack may have stored the post whose
    answer was lost, and a blind re-post would make a second message. 429 answers are still waited out
    (Slack stored nothing); anything else fails the attempt and the next run reconciles."""
    if not isinstance(client, WebClient):
        return client
    poster = copy.copy(client)
    poster.retry_handlers = [h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)]
    return poster


def posted_before(client: Any, channel: str, event_type: str, matches: Callable[[dict], bool],
                  since: datetime) -> str | None:
    """The ts of a message in `channel` since `since` whose metadata has `event_type` and a payload that
    `matches`. Every page is read: an answer that is not sure (too many messages) is an error, never a
    "not found" that would post a second copy."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(channel=channel, limit=HISTORY_PAGE, cursor=cursor,
                                            oldest=f"{since.timestamp():.6f}", include_all_metadata=True)
        for message in page.get("messages", []):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == event_type and matches(meta.get("event_payload") or {}):
                return message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    raise RuntimeError(f"more than {HISTORY_PAGE * HISTORY_PAGES} messages in {channel} since {since}")
