"""Named documents the eval tasks refer to ({acme_open_invoice}, {held_order}, ...), found in the demo data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from db.models import OPEN_STATUSES, Customer, Invoice, SalesOrder
from tools import Actor, Tally


def _invoice(session: Any, code: str, **flags: Any) -> str:
    query = (select(Invoice.number).join(Customer, Customer.id == Invoice.customer_id)
             .where(Customer.code == code, Invoice.status.in_(OPEN_STATUSES), Invoice.disputed.is_(False)))
    if flags.get("unpromised"):
        query = query.where(Invoice.promised_on.is_(None))
    return session.scalars(query.order_by(Invoice.due_date.desc())).first()


def _order(session: Any, code: str, status: str) -> str:
    return session.scalars(select(SalesOrder.number).join(Customer, Customer.id == SalesOrder.customer_id)
                           .where(Customer.code == code, SalesOrder.status == status)).first()


def _dates(now: datetime, tz: Any) -> dict[str, str]:
    today = now.astimezone(tz).date()

    def next_weekday(weekday: int) -> str:
        return (today + timedelta(days=(weekday - today.weekday()) % 7 or 7)).isoformat()

    return {"today": today.isoformat(), "yesterday": (today - timedelta(days=1)).isoformat(),
            "tomorrow": (today + timedelta(days=1)).isoformat(), "next_monday": next_weekday(0),
            "next_friday": next_weekday(4)}


def resolve(tally: Tally, actor: Actor, needed: set[str]) -> dict[str, str]:
    values = _dates(tally.clock.now(), actor.tz)
    with tally.db.session() as session:
        lookups = {
            "acme_open_invoice": lambda: _invoice(session, "ACME", unpromised=True),
            "hooli_invoice": lambda: _invoice(session, "HOOLI"),
            "tyrell_invoice": lambda: _invoice(session, "TYRELL", unpromised=True),
            "acme_confirmed_order": lambda: _order(session, "ACME", "confirmed"),
            "held_order": lambda: _order(session, "GLOBEX", "credit_hold"),
        }
        for name in needed & set(lookups):
            values[name] = lookups[name]()
    if "acme_reminder" in needed:
        manager = tally.actor_for("U0MGR1")
        number = resolve(tally, actor, {"acme_open_invoice"})["acme_open_invoice"]
        proposal = tally.propose(manager, "schedule_reminder", {
            "invoice_number": number, "remind_at": (tally.clock.now() + timedelta(days=2)).isoformat(),
            "recipient": actor.user_id})
        values["acme_reminder"] = str(tally.confirm(manager, proposal.pending_id).result.reminder_id)
    if "acme_delivery_note" in needed:  # the demo has none: a manager ships one unit of Acme's open order
        manager = tally.actor_for("U0MGR1")
        with tally.db.session() as session:
            order = session.scalars(select(SalesOrder).join(Customer, Customer.id == SalesOrder.customer_id)
                                    .where(Customer.code == "ACME", SalesOrder.status == "confirmed")).first()
            line = {"sku": order.lines[0].sku, "quantity": 1}
        proposal = tally.propose(manager, "ship_order", {"order_number": order.number, "lines": [line]})
        values["acme_delivery_note"] = tally.confirm(manager, proposal.pending_id).result.shipment.number
    return values
