"""The buttons of a bank statement card: each click decides one line, once (a double click or a Slack
retry gets the first click's outcome); Split… opens a form; Write off issues the credit note proposed for
a short payment's rest, once, through the credit-note tool and its limits."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import error_text
from bot.blocks.bank_statements import parse_review_value, parse_write_off_value
from bot.blocks.elements import escape
from bot.split_modal import split_modal
from core.errors import TallyError
from core.money import fmt
from tools.cash_application import WriteOffProposal


def _answer(respond: Respond, outcome, failed: str) -> None:
    text = outcome.summary if outcome.status == "done" else (outcome.error or failed)
    respond(text=("✅ " if outcome.status == "done" else "") + escape(text), response_type="ephemeral",
            replace_original=False)


def decide_line(body: dict, context: BoltContext, respond: Respond) -> None:
    tally, actor = context["tally"], context["actor"]
    args = parse_review_value(body["actions"][0]["value"])
    try:
        outcome = tally.run_now(actor, "review_statement_line", args, key=f"cash:{args['line_id']}:{actor.user_id}")
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    _answer(respond, outcome, "That did not go through.")


def write_off(body: dict, context: BoltContext, respond: Respond) -> None:
    tally, actor = context["tally"], context["actor"]
    line_id, invoice, amount = parse_write_off_value(body["actions"][0]["value"])
    proposal = WriteOffProposal(line_id, invoice, amount)
    args = {"invoice_number": invoice, "amount": str(amount), "reason": proposal.reason}
    try:
        outcome = tally.run_now(actor, "issue_credit_note", args, key=f"writeoff:{line_id}:{invoice}:{actor.user_id}")
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    _answer(respond, outcome, f"The write-off of {fmt(amount)} on {invoice} did not go through.")


def open_split(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """Opened right away: a modal needs the click's trigger id within 3 seconds."""
    ack()
    tally, actor = context["tally"], context["actor"]
    channel = (body.get("container") or {}).get("channel_id")
    try:
        options = tally.read(actor, "statement_line_split", {"line_id": int(body["actions"][0]["value"])})
    except TallyError as exc:
        client.chat_postEphemeral(channel=channel, user=actor.user_id, text=error_text(exc))
        return
    if not options.invoices:
        client.chat_postEphemeral(channel=channel, user=actor.user_id, text=escape(
            f"{options.customer_name} has no open invoice to split line {options.line_id} over; "
            f"`line {options.line_id} unapplied` keeps it as their credit."))
        return
    client.views_open(trigger_id=body["trigger_id"], view=split_modal(options, channel))
