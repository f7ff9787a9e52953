"""Orders: one order with its lines and credit decision, a list of orders, what a write did."""

from __future__ import annotations

from bot.blocks.credit import decision_blocks
from bot.blocks.elements import escape, escape_keeping, fields, header, label, mention, people_in, section
from bot.blocks.monospace import cut, table_section
from bot.blocks.paging import Request, footer, paginate
from bot.blocks.tables import MONOSPACE, Layout
from core.money import fmt
from tools.orders import HOLDS, OrderList, OrderResult, OrderView

STATUS_MARK = {"credit_hold": "⛔", "price_hold": "⛔", "confirmed": "✅", "partially_shipped": "🚚", "shipped": "🧾",
               "delivered": "📦", "invoiced": "🧾", "cancelled": "🚫"}


def order_blocks(o: OrderView) -> list[dict]:
    c = o.currency
    pairs = [("Status", f"{STATUS_MARK.get(o.status, '')} {label(o.status)}".strip()),
             ("Total", fmt(o.total, c)), ("Ordered", str(o.ordered_on)), ("Rep", mention(o.rep)),
             ("Margin", f"{fmt(o.margin, c)} on revenue {fmt(o.revenue, c)}")]
    if o.shipped_on:
        pairs.append(("Shipped", str(o.shipped_on) + (f" · {escape(o.tracking)}" if o.tracking else "")))
    if o.invoice_number:
        pairs.append(("Invoice", escape(o.invoice_number)))
    if o.deliveries:
        pairs.append(("Delivery notes", escape(", ".join(o.deliveries))))
    blocks = [section(f"*{escape(o.number)}* · {escape(o.customer.name)} ({escape(o.customer.code)})"), *fields(pairs)]
    if o.deliveries:  # partly shipped: how much of each line has left
        rows = [[ln.sku, str(ln.quantity), str(ln.shipped), fmt(ln.unit_price), fmt(ln.line_total)] for ln in o.lines]
        blocks.append(table_section(f"*Lines* ({c})", ["sku", "qty", "shipped", "unit price", "total"], rows,
                                    right={1, 2, 3, 4}, totals=[["Total", "", "", "", fmt(o.total)]]))
    else:
        rows = [[ln.sku, str(ln.quantity), fmt(ln.unit_price), fmt(ln.line_total)] for ln in o.lines]
        blocks.append(table_section(f"*Lines* ({c})", ["sku", "qty", "unit price", "total"], rows, right={1, 2, 3},
                                    totals=[["Total", "", "", fmt(o.total)]]))
    if o.note:
        blocks.append(section(f"_Note:_ {escape(o.note)}"))
    if o.price:
        blocks += price_blocks(o)
    if o.credit:
        blocks += credit_blocks(o)
    return blocks


def price_blocks(o: OrderView) -> list[dict]:
    """Lines priced off list, each with its margin; what put the order on price hold, if anything did."""
    lines = "\n".join(f"• {escape(p.sku)} at {fmt(p.unit_price)}: {escape(p.text())}" for p in o.price)
    if not o.price_reasons:
        return [section(f"*Prices off list* (within what a rep may give):\n{lines}")]
    reasons = "\n".join(f"• {escape(r)}" for r in o.price_reasons)
    title = "⛔ *On price hold*" if o.status == "price_hold" else "*The price check had held it*"
    return [section(f"{title}:\n{reasons}\n*Prices off list:*\n{lines}")]


def credit_blocks(o: OrderView) -> list[dict]:
    """The credit check as it stands now: a hold that a manager decided says who decided and how."""
    if o.status == "price_hold" and o.credit.decision != "approve":
        reasons = "\n".join(f"• {escape(r)}" for r in o.credit.reasons)
        return [section(f"*Credit check* (it runs again when the price is approved), as of the order: it would hold "
                        f"it:\n{reasons}")]
    if o.credit.decision == "approve" or o.status in HOLDS:
        return decision_blocks(o.credit, o.currency)
    reasons = "\n".join(f"• {escape(r)}" for r in o.credit.reasons) or "• no reason recorded"
    reason = f": {escape(o.decision_reason)}" if o.decision_reason else ""
    if o.decided_by is None:  # cancelled by its rep while on hold
        return [section(f"⛔ The credit check had held it:\n{reasons}")]
    if o.status == "cancelled":
        return [section(f"🚫 *Credit hold rejected* by {mention(o.decided_by)}{reason}\nThe credit check had held it:\n"
                        f"{reasons}")]
    return [section(f"✅ *Credit hold approved* by {mention(o.decided_by)}{reason}\nThe credit check had held it:\n"
                    f"{reasons}")]


def order_list_blocks(r: OrderList, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    if not r.orders:
        return [section("No orders found.")]
    if len(r.orders) == 1:
        return order_blocks(r.orders[0])
    customers = {o.customer.code for o in r.orders}
    one = r.orders[0].customer if len(customers) == 1 else None
    shown = paginate(r.orders, page)
    columns = ["order", *([] if one else ["customer"]), "status", "ordered", "total"]
    rows = [[o.number, *([] if one else [cut(o.customer.name)]), label(o.status), str(o.ordered_on), fmt(o.total)]
            for o in shown.rows]
    title = "Recent orders" + (f" of {one.name} ({one.code})" if one else "")
    amounts = f"_Amounts in {r.orders[0].currency}_"
    blocks = [header(title), *layout.table(amounts, columns, rows, right={len(columns) - 1})]
    held = [o for o in shown.rows if o.status in HOLDS]
    if held:
        blocks.append(section("⛔ On hold: " + ", ".join(f"*{escape(o.number)}* ({label(o.status).lower()})"
                                                         for o in held)))
    blocks += footer(shown, order_list_request(r))
    if r.more and not shown.has_next:
        blocks.append(section(f"… and {r.more} older not listed here; {more_orders_hint(r)}"))
    return blocks


def order_list_request(r: OrderList) -> Request:
    args = {key: value for key, value in (("customer", r.customer and r.customer.code), ("status", r.status))
            if value}
    return Request("order_status", args)


def more_orders_hint(r: OrderList) -> str:
    """How to reach orders beyond the list: narrow it down."""
    if r.customer is None:
        return "name a customer (`orders ACME`) or ask for an order by its number (`orders SO-2026-00012`)."
    return "ask for an older order by its number (`orders SO-2026-00012`)."


def order_result_blocks(r: OrderResult) -> list[dict]:
    mark = {"credit_hold": "⛔", "price_hold": "⛔", "cancelled": "🚫"}.get(r.order.status, "✅")
    blocks = [section(f"{mark} {escape_keeping(r.describe(done=True), people_in(r))}")]
    if r.invoice is not None:
        c = r.order.currency
        blocks += fields([("Invoice", escape(r.invoice.number)), ("Net", fmt(r.invoice.net, c)),
                          ("Tax", fmt(r.invoice.tax, c)), ("Invoice total", f"*{fmt(r.invoice.total, c)}*")])
    return blocks + order_blocks(r.order)


def order_text(o: OrderView) -> str:
    return f"Order {o.number} for {o.customer.name}: {label(o.status).lower()}, {fmt(o.total, o.currency)}."


def order_list_text(r: OrderList) -> str:
    if len(r.orders) == 1:
        return order_text(r.orders[0])
    if not r.orders:
        return "No orders found."
    held = sum(o.status in HOLDS for o in r.orders)
    return f"{len(r.orders) + r.more} orders" + (f", {held} on hold." if held else ".")
