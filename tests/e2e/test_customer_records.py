"""Customer records from the console and `/tally`: created and changed by a confirmed write, audited with
the fields before and after; who may change what is the tool's decision, from the role."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from sqlalchemy import select

from bot.console import Console
from db.models import AuditEvent, Customer
from tests.e2e.slack_harness import button, slack_world


def console(tally, user: str) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(tally, tally.actor_for(user), out), out


def customer(db, code: str) -> Customer | None:
    with db.session() as s:
        return s.scalar(select(Customer).where(Customer.code == code))


def test_a_manager_creates_a_customer_then_changes_it_and_the_audit_keeps_before_and_after(tally, db):
    term, out = console(tally, "U0MGR1")
    term.handle("customer new NOVA Nova Trading Ltd limit 20000 terms 45 email ap@nova.example tax-id DE123 "
                "collector U0COLL1 address 1 Harbour Rd, Hamburg")
    assert "Create customer NOVA Nova Trading Ltd" in out.getvalue() and "Confirm?" in out.getvalue()
    assert customer(db, "NOVA") is None  # nothing before the yes
    term.handle("y")
    nova = customer(db, "NOVA")
    assert (nova.credit_limit, nova.payment_terms_days, nova.email, nova.tax_id, nova.billing_address,
            nova.collector) == (Decimal("20000.00"), 45, "ap@nova.example", "DE123", "1 Harbour Rd, Hamburg", "U0COLL1")
    term.handle("customer NOVA limit 80000 hold on")
    term.handle("y")
    assert "limit 20,000.00 USD → 80,000.00 USD" in out.getvalue(), out.getvalue()
    nova = customer(db, "NOVA")
    assert nova.credit_limit == Decimal("80000.00") and nova.on_hold
    with db.session() as s:
        change = s.scalars(select(AuditEvent).where(AuditEvent.entity == "customer", AuditEvent.entity_id == "NOVA")
                           .order_by(AuditEvent.id)).all()
    assert [e.action for e in change] == ["customer_create", "customer_update"]
    assert change[1].before["credit_limit"] == "20000.00" and change[1].after["credit_limit"] == "80000.00"
    assert change[1].actor == "U0MGR1"


def test_raising_a_limit_above_the_threshold_needs_a_manager(tally, db):
    before = customer(db, "ACME").credit_limit
    term, out = console(tally, "U0COLL1")
    term.handle("customer ACME limit 80000")
    assert "A credit limit above 50,000.00 USD needs a manager" in out.getvalue(), out.getvalue()
    assert "Confirm?" not in out.getvalue() and customer(db, "ACME").credit_limit == before
    term.handle("customer ACME limit 40000")
    term.handle("y")
    assert customer(db, "ACME").credit_limit == Decimal("40000.00")


def test_a_rep_creates_own_customers_but_not_the_credit_desks_fields(tally, db):
    term, out = console(tally, "U0SALES1")
    term.handle("customer new ZETA Zeta GmbH email buy@zeta.example")
    term.handle("y")
    assert customer(db, "ZETA").owner_rep == "U0SALES1"
    term.handle("customer ZETA terms 90")
    assert "set by collections" in out.getvalue() and customer(db, "ZETA").payment_terms_days == 30
    term.handle("customer ZETA owner U0SALES2")
    assert "Only a manager assigns" in out.getvalue() and customer(db, "ZETA").owner_rep == "U0SALES1"


def test_bad_values_are_named_and_nothing_is_written(tally, db):
    term, out = console(tally, "U0MGR1")
    term.handle("customer new ACME Another Acme")
    assert "exists already" in out.getvalue()
    term.handle("customer ACME email not-an-email")
    term.handle("customer ACME terms soon")
    term.handle("customer ACME limit -5")
    text = out.getvalue()
    assert "is not an email address" in text and "is not a number of days" in text and "is not an amount" in text
    assert "Confirm?" not in text


def test_slash_tally_customer_change_is_confirmed_with_a_click(tally, db):
    with slack_world(tally, with_model=False) as world:
        call = world.slack.wait_for(world.command("U0MGR1", "customer GLOBEX terms 60 email ar@globex.example"))[0]
        shown = json.dumps(call.params.get("blocks") or [], ensure_ascii=False)
        assert "Change GLOBEX" in shown and "terms 30 days → 60 days" in shown
        assert customer(db, "GLOBEX").payment_terms_days != 60
        world.click("U0MGR1", "tally_confirm", button(call, "tally_confirm"), "C0GENERAL", call.params.get("ts", "1.1"),
                    response_url=call.params.get("response_url"))
        world.settle()
    globex = customer(db, "GLOBEX")
    assert globex.payment_terms_days == 60 and globex.email == "ar@globex.example"
