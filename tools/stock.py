"""The stock an order holds: whether free stock covers a line, and reserving, releasing and shipping it."""

from __future__ import annotations

from core.errors import InsufficientStock
from db.models import Product, SalesOrder
from tools.context import ToolContext
from tools.lookup import resolve_products


def require_stock(product: Product, quantity: int, *, asked: bool) -> None:
    """Refuse a line the free stock cannot cover. `asked`: someone is placing the order now, so the line is
    what they asked for; otherwise an order taken earlier is being confirmed."""
    if product.available >= quantity:
        return
    if asked:
        raise InsufficientStock(f"Only {product.available} {product.sku} available; you asked for {quantity}.",
                                hint="Lower the quantity or split the order.")
    raise InsufficientStock(f"Only {product.available} {product.sku} available; the order needs {quantity}.",
                            hint="Lower the quantity or wait for stock.")


def reserve(ctx: ToolContext, order: SalesOrder) -> None:
    """Set aside the stock of an order being confirmed, if there still is enough."""
    products = resolve_products(ctx, [ln.sku for ln in order.lines], lock=True)
    for line in order.lines:
        product = products[line.sku.upper()]
        require_stock(product, line.quantity, asked=False)
        product.stock_reserved += line.quantity


def release(ctx: ToolContext, order: SalesOrder, quantities: dict[str, int] | None = None) -> None:
    """Give back the stock of a confirmed order that will not ship: all of it, or what is left
    (`quantities`: units by SKU)."""
    left = quantities if quantities is not None else {ln.sku: ln.quantity for ln in order.lines}
    products = resolve_products(ctx, list(left), lock=True)
    for sku, quantity in left.items():
        products[sku.upper()].stock_reserved -= quantity


def ship(ctx: ToolContext, order: SalesOrder, quantities: dict[str, int] | None = None) -> None:
    """The reserved stock of what ships leaves the shelf: the whole order, or one shipment's units by SKU."""
    shipped = quantities if quantities is not None else {ln.sku: ln.quantity for ln in order.lines}
    products = resolve_products(ctx, list(shipped), lock=True)
    for sku, quantity in shipped.items():
        product = products[sku.upper()]
        product.stock_on_hand -= quantity
        product.stock_reserved -= quantity
