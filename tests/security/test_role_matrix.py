"""Every write tool, proposed by every role for a customer of their own and of someone else, through the
console and through signed `/tally` requests: a role or owner the tool refuses gets a refusal and nothing is
stored; an allowed one gets a proposal and nothing more. Nothing is written without a confirmation, and only
the requester or a manager can give it."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select, update

from bot.console import Console
from core.errors import NotAllowed
from core.roles import Role
from db.models import Invoice, OrderLine, Product, Reminder, SalesOrder
from tests.conftest import ACTORS
from tests.e2e.slack_harness import slack_world
from tests.helpers import credit_of, invoice_of, line_for_review, order_of
from tests.security.conftest import COUNTS, business, pending_rows
from tools.registry import REGISTRY

OWNERS = {"ACME": "U0SALES1", "GLOBEX": "U0SALES2"}
COMMANDS = {  # each write tool as the grammar names it; {..} are the target customer's documents
    "create_order": "order {customer} 1 WIDGET-1",
    "cancel_order": "cancel {confirmed} customer asked",
    "fulfil_order": "fulfil {confirmed}",
    "ship_order": "ship {confirmed}",
    "confirm_delivery": "delivered {shipment} signed-by Ann Lee",
    "approve_credit_hold": "approve {held} looks fine",
    "record_payment": "pay {invoice} 10",
    "schedule_reminder": "remind {invoice} tomorrow 9am",
    "cancel_reminder": "cancel reminder {reminder}",
    "log_promise_to_pay": "promise {invoice} 2026-12-05",
    "mark_dispute": "dispute {invoice} wrong quantity",
    "create_customer": "customer new NEW{customer} New Co",
    "update_customer": "customer {customer} email ap@new.example",
    "issue_credit_note": "credit-note {invoice} 10 goodwill",
    "return_goods": "return {invoice} 1 {sku}",
    "void_invoice": "void {small} issued twice",
    "resolve_dispute": "resolve {disputed} credit 5 agreed",
    "apply_credit": "apply {credit} {invoice}",
    "review_statement_line": "line {line} not-customer",
    "undo_statement_line": "line {applied_line} undo",
    "split_statement_line": "line {line} split {invoice} 5",
}
UNOWNED = {"create_customer"}  # nobody owns a customer not yet created: a rep's new one becomes theirs
USERS = ["U0SALES1", "U0SALES2", "U0COLL1", "U0MGR1", "U0ADMIN1"]


def test_every_write_tool_is_in_the_matrix():
    assert set(COMMANDS) == {name for name, spec in REGISTRY.items() if spec.is_write}


def documents(tally, db, code: str) -> dict[str, str]:
    """An open invoice, a confirmed order, an order on credit hold and a pending reminder of the customer."""
    manager = ACTORS["U0MGR1"]
    invoice = invoice_of(db, code).number
    confirmed = order_of(db, code, "confirmed").number
    with db.session() as s:
        held = s.scalar(select(SalesOrder.number).where(SalesOrder.customer.has(code=code),
                                                        SalesOrder.status == "credit_hold"))
    if held is None:  # the demo holds Globex's order only; another confirmed one is put on hold for the test
        made = tally.confirm(manager, tally.propose(manager, "create_order", {
            "customer": code, "lines": [{"sku": "GADGET-2", "quantity": 1}]}).pending_id)
        held = made.result.order.number
        with db.session(write=True) as s:
            s.execute(update(SalesOrder).where(SalesOrder.number == held).values(status="credit_hold"))
            s.commit()
    scheduled = tally.confirm(manager, tally.propose(manager, "schedule_reminder", {
        "invoice_number": invoice, "remind_at": "tomorrow 9am", "recipient": "U0COLL2"}).pending_id)
    assert scheduled.status == "done" and held != confirmed
    return {"customer": code, "invoice": invoice, "confirmed": confirmed, "held": held,
            "reminder": str(scheduled.result.reminder_id), **corrected(tally, db, code, invoice),
            "credit": credit_of(db, code),
            "line": str(line_for_review(db, code)), "applied_line": str(line_for_review(db, code, "credited")),
            "shipment": shipped_note(tally, db, code)}


def corrected(tally, db, code: str, invoice: str) -> dict[str, str]:
    """What the corrections need: a SKU on the invoice, a disputed invoice, and an unpaid one small enough
    for a collector to void (above the rules' amount only a manager may)."""
    manager = ACTORS["U0MGR1"]
    with db.session(write=True) as s:
        order_id = s.scalar(select(Invoice.order_id).where(Invoice.number == invoice))
        sku = s.scalar(select(OrderLine.sku).where(OrderLine.order_id == order_id).order_by(OrderLine.id))
        small = s.scalar(select(Invoice.number).where(Invoice.customer.has(code=code), Invoice.status == "open",
                                                      Invoice.disputed.is_(False)).order_by(Invoice.id.desc()))
        s.execute(update(Invoice).where(Invoice.number == small).values(amount=100, total=100))
        s.commit()
        disputed = s.scalar(select(Invoice.number).where(Invoice.customer.has(code=code), Invoice.disputed))
    if disputed is None:
        disputed = small
        made = tally.confirm(manager, tally.propose(manager, "mark_dispute", {
            "invoice_number": disputed, "reason": "wrong quantity"}).pending_id)
        assert made.status == "done"
    return {"sku": sku, "small": small, "disputed": disputed}


def shipped_note(tally, db, code: str) -> str:
    """A delivery note of another order of the customer (confirmed for the test when the credit check
    holds it), half of which a manager shipped: its number."""
    manager = ACTORS["U0MGR1"]
    made = tally.confirm(manager, tally.propose(manager, "create_order", {
        "customer": code, "lines": [{"sku": "WIDGET-1", "quantity": 2}]}).pending_id).result.order
    if made.status != "confirmed":
        with db.session(write=True) as s:
            s.execute(update(SalesOrder).where(SalesOrder.number == made.number).values(status="confirmed"))
            s.execute(update(Product).where(Product.sku == "WIDGET-1")
                      .values(stock_reserved=Product.stock_reserved + 2))
            s.commit()
    shipped = tally.confirm(manager, tally.propose(manager, "ship_order", {
        "order_number": made.number, "lines": [{"sku": "WIDGET-1", "quantity": 1}]}).pending_id)
    assert shipped.status == "done", shipped.error
    return shipped.result.shipment.number


def cells(tally, db) -> list[tuple[str, str, str, str, bool]]:
    """(user, tool, customer, command line, allowed) for every role, write tool and customer."""
    docs = {code: documents(tally, db, code) for code in OWNERS}
    rows = []
    for user in USERS:
        actor = ACTORS[user]
        for tool, template in COMMANDS.items():
            for code in OWNERS:
                allowed = actor.role in REGISTRY[tool].roles and (actor.role is not Role.SALES
                                                                  or OWNERS[code] == user or tool in UNOWNED)
                rows.append((user, tool, code, template.format(**docs[code]), allowed))
    return rows


def check(db, before: dict, proposals: dict, allowed: bool, where: str) -> str | None:
    """Nothing written either way; a proposal stored when allowed, none when refused. The new proposal's id."""
    after = business(db)
    if after != before:
        COUNTS.unauthorized_writes += 1
        pytest.fail(f"{where}: a proposal wrote before any confirmation")
    new = set(pending_rows(db)) - set(proposals)
    assert len(new) == (1 if allowed else 0), where
    return new.pop() if new else None


def test_role_matrix_through_the_console(tally, db):
    rows = cells(tally, db)
    refused = 0
    for user, tool, code, line, allowed in rows:
        COUNTS.tried(where="matrix console")
        actor = ACTORS[user]
        out = io.StringIO()
        console = Console(tally, actor, out)
        before, proposals = business(db), pending_rows(db)
        console.handle(line)
        where = f"{user} {line!r} ({tool}, {code})"
        pending_id = check(db, before, proposals, allowed, where)
        assert ("Confirm? [y/N]" in out.getvalue()) == allowed, (where, out.getvalue())
        if not allowed:
            refused += 1
            continue
        # Someone else who is not a manager cannot confirm it; the requester's "no" cancels it.
        stranger = ACTORS["U0SALES2" if user != "U0SALES2" else "U0SALES1"]
        with pytest.raises(NotAllowed):
            tally.confirm(stranger, pending_id)
        console.handle("n")
        assert business(db) == before and pending_rows(db)[pending_id] == "cancelled", where
    assert refused == sum(1 for *_, allowed in rows if not allowed) == 78


def test_role_matrix_through_signed_slash_commands(tally, db):
    rows = cells(tally, db)
    with slack_world(tally, with_model=False) as world:
        for user, tool, code, line, allowed in rows:
            COUNTS.tried(where="matrix slack")
            before, proposals = business(db), pending_rows(db)
            call = world.slack.wait_for(world.command(user, line))[0]
            shown = json.dumps(call.params.get("blocks") or [], ensure_ascii=False) + call.params.get("text", "")
            where = f"{user} /tally {line} ({tool}, {code})"
            check(db, before, proposals, allowed, where)
            assert ("tally_confirm" in shown) == allowed, (where, shown[:400])
            if not allowed:
                assert "tally_confirm" not in shown and "Confirm" not in shown, where


def test_a_confirmed_sales_write_touches_only_the_reps_own_customer(tally, db):
    """The other half of the matrix: what an allowed rep confirms changes their customer's rows only."""
    own, other = invoice_of(db, "ACME").number, invoice_of(db, "GLOBEX").number
    rep = ACTORS["U0SALES1"]
    proposal = tally.propose(rep, "schedule_reminder", {"invoice_number": own, "remind_at": "tomorrow 9am"})
    assert tally.confirm(rep, proposal.pending_id).status == "done"
    with db.session() as s:
        reminded = s.scalars(select(Invoice.number).join(Reminder, Reminder.invoice_id == Invoice.id)).all()
    assert reminded == [own] and other != own
    COUNTS.tried(where="matrix console")
