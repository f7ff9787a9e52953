"""Shipments: a delivery note, what shipping or a proof of delivery did, an order's delivery notes; as
Block Kit, one line of text, and console text."""

from __future__ import annotations

from bot.blocks.elements import escape, fields, label, section
from bot.blocks.monospace import table, table_section
from core.money import fmt
from tools.shipment_views import DeliveryNotes, ShipmentResult, ShipmentView

STATUS_MARK = {"shipped": "🚚", "delivered": "📦"}


def _delivery(s: ShipmentView) -> str:
    if s.status != "delivered":
        return "not yet confirmed"
    return f"{s.delivered_on}" + (f", signed by {s.signed_by}" if s.signed_by else "")


def shipment_blocks(s: ShipmentView) -> list[dict]:
    pairs = [("Status", f"{STATUS_MARK.get(s.status, '')} {label(s.status)}".strip()),
             ("Order", escape(s.order_number)), ("Shipped", str(s.shipped_on) + (" · ⚠️ late" if s.late else "")),
             ("Carrier / tracking", escape(s.how())), ("Delivered", escape(_delivery(s)))]
    if s.invoice_number:
        pairs.append(("Invoice", escape(s.invoice_number)))
    rows = [[ln.sku, str(ln.quantity), str(ln.promised_date or "")] for ln in s.lines]
    return [section(f"*{escape(s.number)}* · {escape(s.customer.name)} ({escape(s.customer.code)})"), *fields(pairs),
            table_section("*Lines*", ["sku", "qty", "promised"], rows, right={1})]


def shipment_result_blocks(r: ShipmentResult) -> list[dict]:
    blocks = [section(f"{'⚠️' if r.shipment.late else '✅'} {escape(r.describe(done=True))}")]
    if r.invoice is not None:
        c = r.currency
        blocks += fields([("Invoice", escape(r.invoice.number)), ("Net", fmt(r.invoice.net, c)),
                          ("Tax", fmt(r.invoice.tax, c)), ("Invoice total", f"*{fmt(r.invoice.total, c)}*")])
    return blocks + shipment_blocks(r.shipment)


def notes_blocks(r: DeliveryNotes, page: int = 0) -> list[dict]:
    if not r.notes:
        return [section(f"No delivery notes for {escape(r.order_number or 'that')} yet.")]
    if len(r.notes) == 1:
        return shipment_blocks(r.notes[0])
    rows = [[s.number, label(s.status), str(s.shipped_on) + (" late" if s.late else ""), s.lines_text()]
            for s in r.notes]
    return [table_section(f"*Delivery notes of {escape(r.order_number or '')}*",
                          ["note", "status", "shipped", "lines"], rows)]


def shipment_text(s: ShipmentView) -> str:
    late = " (late)" if s.late else ""
    return f"{s.number} for order {s.order_number}: {label(s.status).lower()}, shipped {s.shipped_on}{late}."


def notes_text(r: DeliveryNotes) -> str:
    if len(r.notes) == 1:
        return shipment_text(r.notes[0])
    return f"{len(r.notes)} delivery notes" + (f" for {r.order_number}." if r.order_number else ".")


def shipment_console(s: ShipmentView) -> str:
    out = [f"{s.number}  {s.customer.code} {s.customer.name}  {s.status.upper()}  order {s.order_number}"
           + (f"  invoice {s.invoice_number}" if s.invoice_number else ""),
           f"Shipped {s.shipped_on} ({s.how()})" + ("  LATE" if s.late else ""),
           table(["sku", "qty", "promised"], [[ln.sku, str(ln.quantity), str(ln.promised_date or "")]
                                              for ln in s.lines], right={1}),
           f"Delivered: {_delivery(s)}"]
    return "\n".join(out)


def notes_console(r: DeliveryNotes) -> str:
    if not r.notes:
        return f"No delivery notes for {r.order_number or 'that'} yet."
    return "\n\n".join(shipment_console(s) for s in r.notes)


def result_console(r: ShipmentResult) -> str:
    return r.describe(done=True) + "\n" + shipment_console(r.shipment)
