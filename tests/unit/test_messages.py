"""What the service says when it refuses: the person's words and what would work, never pydantic's wording
or a tool's name; the argument at fault stays available for forms (`InvalidInput.fields`)."""

import pytest

from core.errors import InvalidInput, NotAllowed
from tests.helpers import invoice_of, state
from tools.registry import REGISTRY

INTERNALS = ("Invalid arguments", "Input should", "check_credit", "create_order", "record_payment", "lines.0")


def refused(call, *args):
    with pytest.raises(InvalidInput) as exc:
        call(*args)
    assert not any(word in exc.value.message for word in INTERNALS), exc.value.message
    return exc.value


def test_argument_errors_say_what_was_wrong_in_words(tally, actors):
    err = refused(tally.read, actors["U0MGR1"], "check_credit", {"customer": "ACME", "amount": "0"})
    assert err.message == "The amount must be more than 0." and set(err.fields) == {"amount"}
    err = refused(tally.propose, actors["U0SALES1"], "create_order",
                  {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 2},
                                                 {"sku": "GADGET-2", "quantity": "1.5"}]})
    assert err.message == "1.5 is not a whole quantity on line 2." and set(err.fields) == {"lines.1.quantity"}
    err = refused(tally.propose, actors["U0SALES1"], "create_order",
                  {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 2, "unit_price": "9" * 29}]})
    assert err.message == "9" * 29 + " is more than the books hold (at most 999,999,999,999.99)."
    err = refused(tally.read, actors["U0MGR1"], "sales_summary", {"group_by": "colour"})
    assert err.message == "The grouping must be 'rep', 'customer', 'product', 'month' or 'order'."


def test_an_order_total_beyond_the_books_is_refused_before_anything_is_written(tally, db, actors):
    before = state(db)
    err = refused(tally.propose, actors["U0SALES1"], "create_order",
                  {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 10, "unit_price": "999999999999"}]})
    assert err.message == "The order total 9,999,999,999,990.00 is more than the books hold (at most " \
                          "999,999,999,999.99)."
    assert state(db) == before


@pytest.mark.parametrize("user, tool, args, message", [
    ("U0SALES1", "record_payment",
     lambda db: {"invoice_number": invoice_of(db, "ACME").number, "amount": "10", "received_on": "today"},
     "As a salesperson you cannot record payments; a collector or manager can."),
    ("U0SALES1", "collection_worklist", lambda db: {},
     "As a salesperson you cannot see the collection worklist; a collector or manager can."),
    ("U0COLL1", "create_order", lambda db: {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]},
     "As a collector you cannot create orders; a salesperson or manager can."),
    ("U0COLL1", "approve_credit_hold", lambda db: {"order_number": "SO-2026-00001", "approve": True, "reason": "ok"},
     "As a collector you cannot approve or reject credit and price holds; a manager can."),
])
def test_a_refused_role_hears_what_it_cannot_do_and_who_can(tally, db, actors, user, tool, args, message):
    call = tally.propose if REGISTRY[tool].is_write else tally.read
    with pytest.raises(NotAllowed) as exc:
        call(actors[user], tool, args(db))
    assert exc.value.message == message


def test_dates_the_tools_cannot_read_say_what_works(tally, actors):
    err = refused(tally.propose, actors["U0COLL1"], "log_promise_to_pay",
                  {"invoice_number": "INV-2026-00001", "promised_on": "someday"})
    assert "someday" in err.message and "2026-12-01" in err.message and set(err.fields) == {"promised_on"}
