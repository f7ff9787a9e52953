"""Cards with a decision in them: confirm a write, what the click did, approve a credit or price hold, errors."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.blocks.elements import actions, button, context, escape, escape_keeping, mention, people_in, section
from bot.blocks.orders import order_blocks
from bot.blocks.views import result_blocks
from core.errors import TallyError
from core.money import fmt
from tools.orders import OrderResult, OrderView
from tools.service import Outcome, Proposal

CONFIRM_ACTION, CANCEL_ACTION = "tally_confirm", "tally_cancel"
APPROVE_ACTION, REJECT_ACTION = "tally_approve", "tally_reject"


def confirmation_card(proposal: Proposal) -> list[dict]:
    """The write as it will run, and the two buttons that decide it (value: the pending action's id)."""
    return [
        section(f"*Please confirm*\n{escape_keeping(proposal.summary, proposal_people(proposal))}"),
        context(f"Requested by {mention(proposal.requested_by)} · nothing changes until you confirm"),
        actions(button("Confirm", CONFIRM_ACTION, proposal.pending_id, style="primary"),
                button("Cancel", CANCEL_ACTION, proposal.pending_id), block_id="tally_confirmation"),
    ]


def proposal_people(proposal: Proposal) -> set[str]:
    """Who a proposal's summary may mention: the people its preview names (a reminder's recipient). A
    repeated proposal comes without its preview, and its summary then mentions no one."""
    return people_in(proposal.preview)


def outcome_people(outcome: Outcome) -> set[str]:
    """Who an outcome's summary may mention: the people its result names (who decided a credit hold)."""
    return people_in(outcome.result)


def decided_line(verb: str, outcome: Outcome, tz: str, at: datetime | None) -> str:
    """E.g. 'Confirmed by <@U> at 10:00 (tz)'; 'Already confirmed ...' when it was decided before."""
    who = f" by {mention(outcome.decided_by)}" if outcome.decided_by else ""
    when = f" at {at.astimezone(ZoneInfo(tz)):%H:%M} ({tz})" if at else ""
    return ("Already " + verb.lower() if outcome.already else verb) + who + when


def _done_verb(outcome: Outcome) -> str:
    """What the click that ran it was: a manager's decision on a hold, or a confirmation."""
    if isinstance(outcome.result, OrderResult) and outcome.result.action in ("approve", "approve_price", "reject"):
        return "Rejected" if outcome.result.action == "reject" else "Approved"
    return "Confirmed"


def outcome_card(outcome: Outcome, tz: str = "UTC", *, at: datetime | None = None) -> list[dict]:
    """Replaces a confirmation or approval card once decided, saying what happened and who decided."""
    summary = escape_keeping(outcome.summary, outcome_people(outcome))
    quoted = "> " + summary.replace("\n", "\n> ")
    if outcome.status == "done":
        shown = result_blocks(outcome.result) if outcome.result is not None else [section("✅ " + summary)]
        return [*shown, context(decided_line(_done_verb(outcome), outcome, tz, at))]
    if outcome.status == "cancelled":
        why = f" {escape(outcome.error)}" if outcome.error else ""
        return [section(f"🚫 *Cancelled*: nothing was changed.{why}\n{quoted}"),
                context(decided_line("Cancelled", outcome, tz, at))]
    if outcome.status == "expired":
        why = escape(outcome.error or "It was not confirmed in time; ask again.")
        return [section(f"⌛ *Expired*: nothing was changed. {why}\n{quoted}")]
    why = escape(outcome.error or "unknown error")
    return [section(f"⚠️ *Not done*: {why}\nNothing was changed.\n{quoted}"),
            context(decided_line("Tried", outcome, tz, at))]


def hold_value(number: str, hold: str) -> str:
    """An Approve/Reject button's value: the order and the hold it decides (a bare number is a credit
    hold, as on cards posted before price holds), so a late click cannot decide a later hold."""
    return number if hold == "credit" else f"{number}|{hold}"


def held_ref(value: str) -> tuple[str, str]:
    """(order number, hold) from a button's value."""
    number, _, hold = value.partition("|")
    return number, hold or "credit"


def approval_card(order: OrderView, requested_by: str) -> list[dict]:
    """For a manager: the held order, its prices off list with their margins, its credit decision with
    every reason, and approve / reject."""
    hold = "price" if order.status == "price_hold" else "credit"
    ask = (f"🔔 {mention(requested_by)} asks for {hold} approval: *{escape(order.number)}* for "
           f"{escape(order.customer.name)} ({escape(order.customer.code)}), {fmt(order.total, order.currency)}.")
    blocks = [section(ask), *order_blocks(order)]
    if order.credit is None:
        blocks.append(section("No credit decision was recorded for this order."))
    if hold == "price":
        blocks.append(context("Approving the price runs the credit check again; if it holds the order, managers "
                              "are asked for credit approval next."))
    value = hold_value(order.number, hold)
    blocks.append(actions(button("Approve", APPROVE_ACTION, value, style="primary"),
                          button("Reject", REJECT_ACTION, value, style="danger"),
                          block_id="tally_approval"))
    return blocks


def error_card(message: str, hint: str | None = None, people: Iterable[str] = ()) -> list[dict]:
    """`people`: the members the message names by code (<@U…>), which stay mentions; the rest is text."""
    blocks = [section(f"⚠️ Sorry: {escape_keeping(message, people)}")]
    if hint:
        blocks.append(context(f"💡 {escape_keeping(hint, people)}"))
    return blocks


def error_text(exc: TallyError) -> str:
    """An error as a message's `text`: escaped, the people it names by code kept as mentions."""
    return escape_keeping(str(exc), exc.people)


def refusal_card() -> list[dict]:
    """For a Slack user who is not a Tally member: nothing about the business, just the way in."""
    return [section("👋 Sorry, Tally is only available to members of the order-to-cash team, and you are not "
                    "set up yet. Please ask a Tally admin to add you; then try again.")]
