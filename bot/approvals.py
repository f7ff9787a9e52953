"""Credit and price holds in Slack: managers get Approve/Reject cards; the decision updates every card
and tells the requester. The manager's click is the human confirmation the write needs. A price approved
while the credit check holds the order moves it to credit hold, and managers get a credit card next."""

from __future__ import annotations

import logging
from typing import Any

from bot.blocks import approval_card, outcome_card
from bot.blocks.elements import escape, mention
from core.errors import TallyError
from core.roles import Role
from tools import Actor, Outcome, Tally
from tools.orders import HOLDS, OrderResult, label_of

log = logging.getLogger(__name__)


def update_card(body: dict, client: Any, respond: Any, blocks: list[dict], text: str) -> None:
    """Replace the message a button sits on: ephemeral ones through response_url, others with chat.update."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        respond(replace_original=True, blocks=blocks, text=text)
    else:
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"], blocks=blocks, text=text)


def held_order(outcome: Outcome) -> OrderResult | None:
    result = outcome.result
    if isinstance(result, OrderResult) and result.action == "create" and result.order.status in HOLDS:
        return result
    return None


def ask_managers(tally: Tally, client: Any, result: OrderResult, requester: str, card: tuple[str, str] | None) -> None:
    """Post Approve/Reject to every manager, and remember where, with the requester's own card."""
    number, now = result.order.number, tally.clock.now()
    if card is not None:
        tally.slack_state.remember_card("order", number, card[0], card[1], requester, now)
    for manager in tally.members.in_role(Role.MANAGER.value):
        dm = client.conversations_open(users=manager.slack_user_id)["channel"]["id"]
        posted = client.chat_postMessage(channel=dm, blocks=approval_card(result.order, requester),
                                         text=escape(f"{number} for {result.order.customer.name} needs your approval"))
        tally.slack_state.remember_card("approval", number, dm, posted["ts"], manager.slack_user_id, now)


def decide_hold(tally: Tally, actor: Actor, number: str, approve: bool, reason: str,
                request_key: str | None = None, hold: str = "credit") -> Outcome:
    """The manager's click is the confirmation. A hold is decided once: the order row is locked and must
    still be on the hold the card showed, so a second click, or another manager's at the same moment,
    fails and is told by `decided_before` who decided first."""
    return tally.run_now(actor, "approve_credit_hold", {"order_number": number, "approve": approve,
                                                        "reason": reason, "hold": hold}, key=request_key)


def decided_before(tally: Tally, actor: Actor, number: str, hold: str = "credit") -> str | None:
    """For a click that changed nothing: how the hold was decided, if it was."""
    try:
        order = tally.read(actor, "order_status", {"order_number": number}).orders[0]
    except TallyError:
        return None
    if order.status == f"{hold}_hold" or order.decided_by is None:
        return None
    reason = f" ({escape(order.decision_reason)})" if order.decision_reason else ""
    if order.status == "credit_hold":  # the price was approved; the credit hold is another decision
        return (f"The price on {escape(number)} was already approved by {mention(order.decided_by)}{reason}; it now "
                "waits for credit approval. This changed nothing.")
    verdict = "rejected" if order.status == "cancelled" else "approved"
    return f"{escape(number)} was already {verdict} by {mention(order.decided_by)}{reason}; this changed nothing."


def announce_decision(tally: Tally, client: Any, outcome: Outcome, tz: str) -> None:
    """Every manager's card and the requester's card show the decision; the requester gets a message."""
    order = outcome.result.order
    blocks = outcome_card(outcome, tz, at=outcome.decided_at)
    hold = outcome.result.hold or "credit"
    verdict = {"confirmed": "approved", "cancelled": "rejected"}.get(order.status, f"approved ({hold})")
    text = f"{escape(order.number)} for {escape(order.customer.name)} was {verdict} by {mention(outcome.decided_by)}."
    if order.status in HOLDS:
        text += f" It is now on {label_of(order.status)} and waits for a manager."
    cards = tally.slack_state.cards
    for card in cards("approval", order.number) + cards("order", order.number):
        try:
            client.chat_update(channel=card.channel, ts=card.ts, blocks=blocks, text=text)
        except Exception:
            log.warning("could not update card %s/%s", card.channel, card.ts, exc_info=True)
    requester_cards = cards("order", order.number)
    if requester_cards:
        card = requester_cards[0]
        client.chat_postMessage(channel=card.channel, thread_ts=card.ts, text=text)
    else:
        dm = client.conversations_open(users=order.rep)["channel"]["id"]
        client.chat_postMessage(channel=dm, text=text)
    if order.status in HOLDS:  # the price was approved and the credit check holds it: the next decision
        ask_managers(tally, client, outcome.result, order.rep, None)
