"""`/tally` in Slack says what was wrong in the person's words and what to type, never a tool's name."""

import json

from sqlalchemy import select

from db.models import PendingAction
from tests.e2e.slack_harness import slack_world
from tests.helpers import invoice_of


def answer(world, user, text) -> str:
    call = world.slack.wait_for(world.command(user, text))[0]
    return json.dumps(call.params.get("blocks") or [], ensure_ascii=False) + call.params.get("text", "")


def test_slash_command_messages_are_in_words(tally, db):
    number = invoice_of(db, "INITECH").number
    with slack_world(tally, with_model=False) as world:
        zero = answer(world, "U0SALES1", "credit ACME 0")
        refused = answer(world, "U0SALES1", f"pay {number} 100")
        payment = answer(world, "U0COLL1", f"pay {number} 100 USD")
        rounded = answer(world, "U0COLL1", f"pay {number} 100.555")
    assert "The amount must be more than 0, e.g. `credit ACME 5000`." in zero and "credit CUSTOMER [AMOUNT]" in zero
    assert "As a salesperson you cannot record payments; a collector or manager can." in refused
    assert "Record a payment of 100.00 USD" in payment and "tally_confirm" in payment
    with db.session() as s:
        (stored,) = s.scalars(select(PendingAction.args).where(PendingAction.tool == "record_payment")).all()
    assert stored["amount"] == "100.00" and stored.get("reference") is None  # "USD" is the currency, not a reference
    assert "100.555 has more than 2 decimals; amounts are in cents, e.g. 100.56." in rounded
    for text in (zero, refused, rounded):
        assert "record_payment" not in text and "check_credit" not in text and "Input should" not in text
