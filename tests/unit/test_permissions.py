"""Every cell of role × tool × own/other customer. The expected table is written out, not derived."""

from datetime import timedelta

import pytest

from core.errors import NotAllowed, NotFound
from tests.conftest import DEMO_NOW
from tests.helpers import credit_of, invoice_of, line_for_review, order_of
from tools.registry import REGISTRY

# tool → roles allowed; "sales:own" means sales only on customers they own.
EXPECTED = {
    "find_customer": {"sales", "sales:own", "collector", "manager", "admin"},
    "check_credit": {"sales:own", "collector", "manager", "admin"},
    "order_status": {"sales:own", "collector", "manager", "admin"},
    "invoice_status": {"sales:own", "collector", "manager", "admin"},
    "create_order": {"sales:own", "manager", "admin"},
    "cancel_order": {"sales:own", "manager", "admin"},
    "fulfil_order": {"sales:own", "manager", "admin"},
    "ship_order": {"sales:own", "manager", "admin"},
    "confirm_delivery": {"sales:own", "manager", "admin"},
    "delivery_status": {"sales:own", "collector", "manager", "admin"},
    "delivery_note_document": {"sales:own", "collector", "manager", "admin"},
    "credit_note_document": {"sales:own", "collector", "manager", "admin"},
    "approve_credit_hold": {"manager", "admin"},
    "record_payment": {"collector", "manager", "admin"},
    "schedule_reminder": {"sales:own", "collector", "manager", "admin"},
    "cancel_reminder": {"collector", "manager", "admin"},
    "log_promise_to_pay": {"collector", "manager", "admin"},
    "mark_dispute": {"collector", "manager", "admin"},
    "apply_credit": {"collector", "manager", "admin"},
    "review_statement_line": {"collector", "manager", "admin"},
    "undo_statement_line": {"collector", "manager", "admin"},
    "statement_line_split": {"collector", "manager", "admin"},
    "split_statement_line": {"collector", "manager", "admin"},
    # reports take no customer: sales may run them, scoped to their own book (tested below)
    "ar_ageing": {"sales", "collector", "manager", "admin"},
    "collections_summary": {"sales", "collector", "manager", "admin"},
    "sales_summary": {"sales", "manager", "admin"},
    "collection_worklist": {"collector", "manager", "admin"},
    "create_customer": {"sales", "collector", "manager", "admin"},  # a rep's new customer is their own
    "update_customer": {"sales:own", "collector", "manager", "admin"},
    "cash_forecast": {"manager", "admin"},
    "invoice_document": {"sales:own", "collector", "manager", "admin"},
    "payment_receipt": {"sales:own", "collector", "manager", "admin"},
    "customer_statement": {"sales:own", "collector", "manager", "admin"},
    "issue_credit_note": {"collector", "manager", "admin"},
    "return_goods": {"collector", "manager", "admin"},
    "void_invoice": {"collector", "manager", "admin"},
    "resolve_dispute": {"collector", "manager", "admin"},
    "credit_note_status": {"sales:own", "collector", "manager", "admin"},
}
ROLE_USER = {"sales": "U0SALES1", "collector": "U0COLL1", "manager": "U0MGR1", "admin": "U0ADMIN1"}


def args_for(tool, db, code, tally):
    today = DEMO_NOW.date()
    if tool in ("approve_credit_hold",):
        code = "GLOBEX"  # the demo's held order; the tool is role-gated regardless of customer
    inv = lambda: invoice_of(db, code, disputed=False).number  # noqa: E731
    return {
        "find_customer": lambda: {"query": code},
        "check_credit": lambda: {"customer": code, "amount": "100"},
        "order_status": lambda: {"customer": code},
        "invoice_status": lambda: {"customer": code},
        "create_order": lambda: {"customer": code, "lines": [{"sku": "WIDGET-1", "quantity": 1}]},
        "cancel_order": lambda: {"order_number": order_of(db, code, "confirmed").number, "reason": "test"},
        "fulfil_order": lambda: {"order_number": order_of(db, code, "confirmed").number},
        "ship_order": lambda: {"order_number": order_of(db, code, "confirmed").number},
        "confirm_delivery": lambda: {"delivery_number": shipped_note(tally, db, code)},
        "delivery_status": lambda: {"delivery_number": shipped_note(tally, db, code)},
        "delivery_note_document": lambda: {"delivery_number": shipped_note(tally, db, code)},
        "credit_note_document": lambda: {"credit_note_number": credit_note(tally, db, code)},
        "approve_credit_hold": lambda: {"order_number": order_of(db, code, "credit_hold").number, "approve": False,
                                "reason": "test"},
        "record_payment": lambda: {"invoice_number": inv(), "amount": "1.00", "received_on": today.isoformat()},
        "schedule_reminder": lambda: {"invoice_number": inv(), "remind_at": (DEMO_NOW + timedelta(days=1)).isoformat()},
        "cancel_reminder": lambda: {"reminder_id": scheduled_reminder(tally, db, code)},
        "log_promise_to_pay": lambda: {"invoice_number": inv(), "promised_on": (today + timedelta(days=3)).isoformat()},
        "mark_dispute": lambda: {"invoice_number": inv(), "reason": "wrong price"},
        "apply_credit": lambda: {"credit_id": credit_of(db, code), "invoice_number": inv()},
        "review_statement_line": lambda: {"line_id": line_for_review(db, code), "decision": "not_customer"},
        "undo_statement_line": lambda: {"line_id": line_for_review(db, code, "credited")},
        "statement_line_split": lambda: {"line_id": line_for_review(db, code)},
        "split_statement_line": lambda: {"line_id": line_for_review(db, code),
                                         "parts": [{"invoice_number": inv(), "amount": "5.00"}]},
        "ar_ageing": dict, "collections_summary": dict, "sales_summary": lambda: {"period": "this-year"},
        "collection_worklist": dict,
        "create_customer": lambda: {"code": f"NEW{code}", "name": "New Co"},
        "update_customer": lambda: {"customer": code, "email": "ap@new.example"},
        "cash_forecast": dict,
        "invoice_document": lambda: {"invoice_number": inv()},
        "payment_receipt": lambda: {"receipt_number": receipt_of(db, code)},
        "customer_statement": lambda: {"customer": code},
        "issue_credit_note": lambda: {"invoice_number": inv(), "amount": "1.00", "reason": "goodwill"},
        "return_goods": lambda: returnable(db, code),
        "void_invoice": lambda: {"invoice_number": small_invoice(db, code), "reason": "twice"},
        "resolve_dispute": lambda: {"invoice_number": disputed(tally, db, code), "note": "settled"},
        "credit_note_status": lambda: {"credit_note_number": credit_note(tally, db, code)},
    }[tool]()


def receipt_of(db, code):
    from sqlalchemy import select

    from db.models import Customer, Payment

    with db.session() as s:
        return "RCPT-{}".format(s.scalar(select(Payment.id).join(Customer, Customer.id == Payment.customer_id)
                                         .where(Customer.code == code).order_by(Payment.id)))


def returnable(db, code):
    from sqlalchemy import select

    from db.models import OrderLine

    invoice = invoice_of(db, code)
    with db.session() as session:
        sku = session.scalar(select(OrderLine.sku).where(OrderLine.order_id == invoice.order_id))
    return {"invoice_number": invoice.number, "quantity": 1, "sku": sku}


def small_invoice(db, code):
    """An unpaid invoice below the amount above which only a manager may void one."""
    from sqlalchemy import update

    from db.models import Invoice

    number = invoice_of(db, code, status=("open",)).number
    with db.session(write=True) as session:
        session.execute(update(Invoice).where(Invoice.number == number).values(amount=100, total=100))
        session.commit()
    return number


def disputed(tally, db, code):
    from tests.conftest import ACTORS

    number = invoice_of(db, code).number
    p = tally.propose(ACTORS["U0MGR1"], "mark_dispute", {"invoice_number": number, "reason": "wrong price"})
    tally.confirm(ACTORS["U0MGR1"], p.pending_id)
    return number


def credit_note(tally, db, code):
    from tests.conftest import ACTORS

    p = tally.propose(ACTORS["U0MGR1"], "issue_credit_note", {"invoice_number": invoice_of(db, code).number,
                                                              "amount": "1", "reason": "goodwill"})
    return tally.confirm(ACTORS["U0MGR1"], p.pending_id).result.credit_note.number


def shipped_note(tally, db, code):
    """A delivery note of the customer's confirmed order, shipped by a manager: its number."""
    from tests.conftest import ACTORS

    p = tally.propose(ACTORS["U0MGR1"], "ship_order", {"order_number": order_of(db, code, "confirmed").number})
    return tally.confirm(ACTORS["U0MGR1"], p.pending_id).result.shipment.number


def scheduled_reminder(tally, db, code):
    from tests.conftest import ACTORS

    p = tally.propose(ACTORS["U0MGR1"], "schedule_reminder", {
        "invoice_number": invoice_of(db, code).number, "remind_at": (DEMO_NOW + timedelta(days=2)).isoformat()})
    return tally.confirm(ACTORS["U0MGR1"], p.pending_id).result.reminder_id


def test_every_tool_is_in_the_table():
    assert set(REGISTRY) == set(EXPECTED)


@pytest.mark.parametrize("tool", sorted(EXPECTED))
@pytest.mark.parametrize("role", sorted(ROLE_USER))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_role_matrix(tally, db, tool, role, whose):
    actor = tally.actor_for(ROLE_USER[role])
    code = "ACME" if whose == "own" else "GLOBEX"  # ACME belongs to U0SALES1, GLOBEX to U0SALES2
    allowed = role in EXPECTED[tool] if role != "sales" else (
        "sales:own" in EXPECTED[tool] and whose == "own") or "sales" in EXPECTED[tool]
    args = args_for(tool, db, code, tally)
    run = tally.propose if REGISTRY[tool].is_write else tally.read
    if allowed:
        assert run(actor, tool, args) is not None
    elif role == "sales" and "sales:own" in EXPECTED[tool]:
        # the role may use the tool, not on this customer: answered as if it did not exist
        with pytest.raises(NotFound):
            run(actor, tool, args)
    else:
        with pytest.raises(NotAllowed):
            run(actor, tool, args)


def test_unknown_slack_user_is_no_actor(tally):
    assert tally.actor_for("U0STRANGER") is None


def test_sales_reports_cover_only_their_own_book(tally, actors):
    mine = tally.read(actors["U0SALES1"], "ar_ageing", {"group_by": "customer"})
    everyone = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"})
    own_codes = {"ACME", "INITECH", "STARK", "TYRELL", "OSCORP", "DUNDER", "MASSIVE"}
    assert {row.key for row in mine.rows} <= own_codes
    assert mine.total.total == sum(r.total for r in everyone.rows if r.key in own_codes)
    assert mine.total.total < everyone.total.total
