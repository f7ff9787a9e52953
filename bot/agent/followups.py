"""Follow-ups that need no model: "and Globex?" / "what about Stark?" / "Hooli 呢？" right after a read
about one customer repeats that read for the new customer. The thread's memory has the last call."""

from __future__ import annotations

import re
from typing import Any

from tools.conversations import Remembered

FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|same for|and for|also)\s+(?P<en>[^?？]{1,60}?)\s*[?？]?\s*$"
                       r"|^\s*(?:那)?(?P<zh>[^?？]{1,40}?)\s*呢\s*[?？]?\s*$", re.IGNORECASE)
BY_CUSTOMER = {"check_credit": "customer", "invoice_status": "customer", "order_status": "customer",
               "find_customer": "query"}
FILLER = re.compile(r"^(?:for|the|customer)\s+|\s+(?:then|too|please|pls)$", re.IGNORECASE)


def last_reads(history: list[Remembered], user_id: str) -> list[dict[str, Any]]:
    """The tool calls of this user's latest turn in the thread (empty if another person spoke since)."""
    calls: list[dict[str, Any]] = []
    for row in reversed(history):
        if row.role == "user":
            return calls[::-1] if row.author in (None, user_id) else []
        if row.call is not None:
            calls.append(row.call)
    return []


def follow_up(text: str, history: list[Remembered], user_id: str) -> tuple[str, dict[str, Any]] | None:
    """(tool, args) when `text` asks the same about another customer, else None."""
    match = FOLLOW_UP.match(text)
    calls = last_reads(history, user_id)
    if not match or len(calls) != 1 or calls[0].get("name") not in BY_CUSTOMER:
        return None
    field = BY_CUSTOMER[calls[0]["name"]]
    args = dict(calls[0].get("args") or {})
    if not args.get(field):  # "and the overdue ones?" after a list of everything is not about a customer
        return None
    name = FILLER.sub("", (match["en"] or match["zh"]).strip()).strip()
    if not name or len(name.split()) > 4:
        return None
    args[field] = name
    return calls[0]["name"], args
