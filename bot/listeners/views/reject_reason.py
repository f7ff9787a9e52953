"""The reason modal behind Reject: the submission is the manager's confirmation."""

from __future__ import annotations

from typing import Any

from bot.approvals import announce_decision, decide_hold
from core.errors import TallyError


def reject_hold(body: dict, view: dict, context: Any, client: Any, logger: Any) -> None:
    actor, tally = context["actor"], context["tally"]
    number = view["private_metadata"]
    reason = view["state"]["values"]["reason"]["value"]["value"]
    try:
        outcome = decide_hold(tally, actor, number, False, reason)
    except TallyError as exc:
        dm = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.chat_postMessage(channel=dm, text=f"{number} was not rejected: {exc}")
        return
    if outcome.status == "done":
        announce_decision(tally, client, outcome, actor.timezone)
