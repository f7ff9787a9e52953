"""The buttons of a bank statement card: each click decides one line, once (a double click or a Slack
retry gets the first click's outcome)."""

from __future__ import annotations

from slack_bolt import BoltContext, Respond

from bot.blocks import error_text
from bot.blocks.bank_statements import parse_review_value
from bot.blocks.elements import escape
from core.errors import TallyError


def decide_line(body: dict, context: BoltContext, respond: Respond) -> None:
    tally, actor = context["tally"], context["actor"]
    args = parse_review_value(body["actions"][0]["value"])
    try:
        outcome = tally.run_now(actor, "review_statement_line", args, key=f"cash:{args['line_id']}:{actor.user_id}")
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    text = outcome.summary if outcome.status == "done" else (outcome.error or "That did not go through.")
    respond(text=("✅ " if outcome.status == "done" else "") + escape(text), response_type="ephemeral",
            replace_original=False)
